namespace Framework.Examples;

/// <summary>Line charts of training curves, drawn by ScottPlot.</summary>
public static class Charts
{
    public static void Lines(string path, string title, string xLabel, string yLabel, params (string Name, IReadOnlyList<double> Values)[] series)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, values) in series)
        {
            var xs = Enumerable.Range(1, values.Count).Select(i => (double)i).ToArray();
            var line = plot.Add.Scatter(xs, values.ToArray());
            line.LegendText = name;
            line.MarkerSize = values.Count > 40 ? 0 : 4;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (series.Length > 1) plot.ShowLegend();
        plot.SavePng(path, 640, 400);
    }
}
