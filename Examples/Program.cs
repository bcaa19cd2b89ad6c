using Framework.Examples;
using Spectre.Console;

// dotnet run --project Examples -- <lab> [--quick] [--seed N] [--device NAME] [--out DIR] [--data NAME]
var labs = Labs.All;
if (args.Length == 0 || args[0] is "-h" or "--help" || !labs.ContainsKey(args[0]))
{
    if (args.Length > 0 && !labs.ContainsKey(args[0]) && args[0] is not ("-h" or "--help"))
        AnsiConsole.MarkupLine($"[red]unknown lab '{Markup.Escape(args[0])}'[/]");
    var table = new Table().AddColumn("lab").AddColumn("what it teaches");
    foreach (var (name, lab) in labs) table.AddRow(name, Markup.Escape(lab.Description));
    AnsiConsole.Write(table);
    AnsiConsole.MarkupLine("usage: dotnet run --project Examples -- <lab> [--quick] [--seed N] [--device NAME] [--out DIR] [--data NAME]");
    return args.Length == 0 || args[0] is "-h" or "--help" ? 0 : 2;
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
