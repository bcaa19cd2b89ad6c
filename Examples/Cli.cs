using Spectre.Console;

namespace Framework.Examples;

/// <summary>The command line of the labs: <c>dotnet run --project Examples -- &lt;lab&gt; [options]</c>.</summary>
public static class Cli
{
    public const string Usage = "usage: dotnet run --project Examples -- <lab> [--quick] [--seed N] [--device NAME] [--out DIR] [--data NAME]";

    /// <summary>Runs a lab, or lists them; returns the process exit code (0 ok, 1 a lab's error, 2 an unknown lab).</summary>
    public static int Run(string[] args)
    {
        var labs = Labs.All;
        if (args.Length == 0 || args[0] is "-h" or "--help" || !labs.ContainsKey(args[0]))
        {
            bool unknown = args.Length > 0 && args[0] is not ("-h" or "--help");
            if (unknown) AnsiConsole.MarkupLine($"[red]unknown lab '{Markup.Escape(args[0])}'[/]");
            var table = new Table().AddColumn("lab").AddColumn("what it teaches");
            foreach (var (name, lab) in labs) table.AddRow(name, Markup.Escape(lab.Description));
            AnsiConsole.Write(table);
            AnsiConsole.WriteLine(Usage);
            return unknown ? 2 : 0;
        }
        try
        {
            var options = LabOptions.Parse(args[0], args[1..]);
            var result = labs[args[0]].Run(options);
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(result.Headline)}[/]");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return 1;
        }
    }
}
