using CsCheck;
using Framework.Testing;
using Spectre.Console;

namespace Framework.Examples;

/// <summary>
/// Lab: property-based gradient testing of a user-written op.
///
/// We write softsign(x) = x / (1 + |x|) as a custom op with a hand-written backward, the way you would for a
/// fused kernel. The derivative is 1 / (1 + |x|)^2; our first attempt writes 1 / (1 + x)^2, which is right for
/// every x >= 0 and wrong for negative x. A test on a few hand-picked positive inputs passes. GradCheck.Sample
/// generates tensors of random shapes and values, finds a failing input, shrinks it to the smallest one, and
/// reports analytic vs numerical derivatives. Then the fixed backward passes the same property.
/// </summary>
public static class GradCheckLab
{
    /// <summary>softsign with a backward that forgets the absolute value.</summary>
    public static Tensor SoftsignWrong(Tensor x) => Softsign(x, xs => 1.0 / F.Square(1.0 + xs));

    /// <summary>softsign with the right derivative 1 / (1 + |x|)^2.</summary>
    public static Tensor SoftsignFixed(Tensor x) => Softsign(x, xs => 1.0 / F.Square(1.0 + F.Abs(xs)));

    private static Tensor Softsign(Tensor x, Func<Tensor, Tensor> derivative)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = x / (1.0 + F.Abs(x));   // forward computed outside the tape...
        return Autograd.Record("softsign", y, [x], g => [g * derivative(x)]);   // ...and our own backward recorded
    }

    public static LabResult Run(LabOptions o)
    {
        AnsiConsole.MarkupLine("[bold]GradCheck lab[/]: softsign(x) = x / (1 + |x|) with a hand-written backward\n");

        // 1. The hand-picked test: positive inputs only. It passes, and proves little.
        var handPicked = Tensor.FromArray(new[] { 0.5, 1.0, 2.0 }).RequiresGrad_();
        var first = GradCheck.Run(xs => SoftsignWrong(xs[0]), [handPicked]);
        AnsiConsole.MarkupLine($"hand-picked inputs [[0.5, 1, 2]]: {(first.Passed ? "[green]passed[/]" : "[red]failed[/]")}");

        // 2. The property: for every tensor of every small shape with values in [-3, 3], the gradient is right.
        var inputs = Gens.Shape(1, 3, 1, 4).SelectMany(s => Gens.Tensor(s, -3, 3));
        string counterexample = "";
        bool caught = false;
        try
        {
            GradCheck.Sample(inputs, SoftsignWrong, iter: o.Quick ? 50 : 200);
        }
        catch (Exception e)
        {
            caught = true;
            counterexample = e.Message;
        }
        AnsiConsole.MarkupLine(caught
            ? "GradCheck.Sample over generated tensors: [red]failed[/], shrunk to:"
            : "GradCheck.Sample over generated tensors: [green]passed[/] (unexpected: the bug was not found)");
        if (caught) AnsiConsole.WriteLine(Indent(counterexample));

        // 3. The fix passes the same property.
        GradCheck.Sample(inputs, SoftsignFixed, iter: o.Quick ? 50 : 200);
        AnsiConsole.MarkupLine("fixed backward 1 / (1 + |x|)^2 over generated tensors: [green]passed[/]");

        var table = new Table().AddColumn("check").AddColumn("wrong backward").AddColumn("fixed backward");
        table.AddRow("hand-picked positive inputs", first.Passed ? "pass" : "fail", "pass");
        table.AddRow("GradCheck.Sample (shrinking)", caught ? "fail (counterexample found)" : "pass", "pass");
        AnsiConsole.Write(table);
        return new LabResult("gradcheck", caught ? 1 : 0, 0, caught
            ? "GradCheck.Sample found and shrank the bug the hand-picked test missed; the fix passes."
            : "GradCheck.Sample did not find the bug.");
    }

    private static string Indent(string s) => string.Join("\n", s.Split('\n').Take(14).Select(l => "    " + l));
}
