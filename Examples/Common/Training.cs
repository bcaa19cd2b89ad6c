using System.Diagnostics;
using Spectre.Console;

namespace Framework.Examples;

/// <summary>A training loop's progress bar: step count, loss and speed (Spectre.Console).</summary>
public static class Training
{
    /// <summary>Runs <paramref name="step"/> for steps 0..total-1 under a progress bar; step returns the loss.</summary>
    public static List<double> Run(string title, int total, Func<int, double> step)
    {
        var losses = new List<double>(total);
        var sw = Stopwatch.StartNew();
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: total);
                for (int i = 0; i < total; i++)
                {
                    double loss = step(i);
                    losses.Add(loss);
                    double rate = (i + 1) / Math.Max(sw.Elapsed.TotalSeconds, 1e-9);
                    task.Description = $"{Markup.Escape(title)} loss {loss:F4} ({rate:F1} steps/s)";
                    task.Increment(1);
                }
            });
        return losses;
    }
}
