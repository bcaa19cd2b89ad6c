using System.Globalization;
using System.Text;

namespace Framework;

/// <summary>Tolerances of a gradient check; the defaults are torch.autograd.gradcheck's.</summary>
public sealed record GradCheckOptions
{
    /// <summary>Step of the central difference.</summary>
    public double Eps { get; init; } = 1e-6;
    public double Atol { get; init; } = 1e-5;
    public double Rtol { get; init; } = 1e-3;
    /// <summary>How far two backward passes over the same inputs may differ (nondeterministic kernels).</summary>
    public double NondetTol { get; init; }
    /// <summary>Random upstream vectors to project the Jacobian on; each costs two forwards per input element.</summary>
    public int Projections { get; init; } = 1;
    public ulong Seed { get; init; } = 1234;
    /// <summary>Worst entries listed in the report.</summary>
    public int ReportEntries { get; init; } = 5;
}

/// <summary>One compared entry: d(u . f)/d(input[index]) analytically and by central differences.</summary>
public readonly record struct GradCheckEntry(int Input, long Index, double Analytic, double Numerical, double Excess);

public sealed class GradCheckResult
{
    internal GradCheckResult(bool ok, string report, IReadOnlyList<GradCheckEntry> worst)
    {
        Passed = ok;
        Report = report;
        Worst = worst;
    }

    public bool Passed { get; }
    /// <summary>A readable account: the worst entries, with input, flat and multi-dimensional index, both values.</summary>
    public string Report { get; }
    public IReadOnlyList<GradCheckEntry> Worst { get; }
    public override string ToString() => Report;
}

public sealed class GradCheckException(string message) : Exception(message);

/// <summary>
/// Compares a function's analytic gradients (its recorded backward) with central finite differences, as
/// torch.autograd.gradcheck: for a random upstream u, d(u . f(x))/dx from Backward(u) against
/// (u . f(x + eps e_i) - u . f(x - eps e_i)) / 2 eps for every element i of every input that requires grad.
/// Inputs must be float64. An entry fails when |analytic - numerical| > atol + rtol |numerical|.
/// </summary>
public static class GradCheck
{
    /// <summary>Runs the check and returns the result; see <see cref="Assert"/> for the throwing form.</summary>
    public static GradCheckResult Run(Func<Tensor[], Tensor> fn, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var o = options ?? new GradCheckOptions();
        foreach (var x in inputs)
            if (x.RequiresGrad && x.DType != DType.Float64)
                throw new ArgumentException(
                    $"GradCheck: input {x.Shape} is {x.DType.Name()}; finite differences need float64 inputs (use .To(DType.Float64))");
        if (!inputs.Any(x => x.RequiresGrad))
            throw new ArgumentException("GradCheck: no input requires grad; set RequiresGrad on the inputs to check");

        // private leaf copies, so the caller's tensors and their .Grad stay untouched
        var leaves = inputs.Select(x => { var c = x.CloneData(); c.RequiresGrad = x.RequiresGrad; return c; }).ToArray();
        var gen = new Generator(o.Seed);
        var failures = new List<GradCheckEntry>();
        var all = new List<GradCheckEntry>();
        var notes = new StringBuilder();

        for (int p = 0; p < o.Projections; p++)
        {
            var output = fn(leaves);
            if (!output.DType.IsFloatingPoint())
                throw new ArgumentException($"GradCheck: the function returned a {output.DType.Name()} tensor, not a float one");
            var u = Tensor.Randn(output.Shape, output.DType, gen);
            var analytic = AnalyticGrads(fn, leaves, u);
            if (o.NondetTol >= 0)
            {
                var again = AnalyticGrads(fn, leaves, u);
                for (int i = 0; i < leaves.Length; i++)
                {
                    if (analytic[i] is null) continue;
                    for (long j = 0; j < analytic[i]!.Length; j++)
                        if (Math.Abs(analytic[i]![j] - again[i]![j]) > o.NondetTol)
                        {
                            notes.AppendLine(CultureInfo.InvariantCulture,
                                $"backward is not deterministic: two passes differ at input {i} index {j} ({analytic[i]![j]:G6} vs {again[i]![j]:G6}) by more than nondetTol {o.NondetTol:G3}");
                            failures.Add(new GradCheckEntry(i, j, analytic[i]![j], again[i]![j], double.PositiveInfinity));
                            break;
                        }
                }
            }
            var uData = u.ToDoubleArray();
            using (Autograd.NoGrad())
            {
                for (int i = 0; i < leaves.Length; i++)
                {
                    if (!leaves[i].RequiresGrad) continue;
                    var data = leaves[i].AsSpan<double>();
                    for (int j = 0; j < data.Length; j++)
                    {
                        double orig = data[j];
                        leaves[i].AsSpan<double>()[j] = orig + o.Eps;
                        double fPlus = Dot(uData, fn(leaves));
                        leaves[i].AsSpan<double>()[j] = orig - o.Eps;
                        double fMinus = Dot(uData, fn(leaves));
                        leaves[i].AsSpan<double>()[j] = orig;
                        double numerical = (fPlus - fMinus) / (2 * o.Eps);
                        double a = analytic[i]![j];
                        double excess = Math.Abs(a - numerical) - (o.Atol + o.Rtol * Math.Abs(numerical));
                        var entry = new GradCheckEntry(i, j, a, numerical, excess);
                        all.Add(entry);
                        if (excess > 0 || double.IsNaN(a) != double.IsNaN(numerical)) failures.Add(entry);
                    }
                }
            }
        }

        bool ok = failures.Count == 0;
        var worst = (ok ? all : failures).OrderByDescending(e => e.Excess).Take(o.ReportEntries).ToList();
        var report = new StringBuilder();
        report.AppendLine(ok
            ? FormattableString.Invariant($"GradCheck passed: {all.Count} gradient entries within atol {o.Atol:G3} + rtol {o.Rtol:G3} |numerical| (eps {o.Eps:G3})")
            : FormattableString.Invariant($"GradCheck failed: {failures.Count} of {all.Count} gradient entries differ by more than atol {o.Atol:G3} + rtol {o.Rtol:G3} |numerical| (eps {o.Eps:G3})"));
        report.Append(notes);
        if (worst.Count > 0)
        {
            report.AppendLine(ok ? "closest to the tolerance:" : "worst entries:");
            foreach (var e in worst)
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"  input {e.Input} {inputs[e.Input].Shape} at {FormatIndex(inputs[e.Input].Shape, e.Index)}: analytic {e.Analytic:G8}, numerical {e.Numerical:G8}, difference {e.Analytic - e.Numerical:G3}");
        }
        return new GradCheckResult(ok, report.ToString().TrimEnd(), worst);
    }

    /// <summary>Runs the check and throws a <see cref="GradCheckException"/> with the report when it fails.</summary>
    public static void Assert(Func<Tensor[], Tensor> fn, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var r = Run(fn, inputs, options);
        if (!r.Passed) throw new GradCheckException(r.Report);
    }

    private static double[]?[] AnalyticGrads(Func<Tensor[], Tensor> fn, Tensor[] leaves, Tensor u)
    {
        foreach (var l in leaves) l.Grad = null;
        var output = fn(leaves);
        var result = new double[]?[leaves.Length];
        if (output.RequiresGrad) output.Backward(u);
        for (int i = 0; i < leaves.Length; i++)
        {
            if (!leaves[i].RequiresGrad) continue;
            // an input the output does not depend on has a zero gradient
            result[i] = leaves[i].Grad?.ToDoubleArray() ?? new double[leaves[i].Numel];
            leaves[i].Grad = null;
        }
        return result;
    }

    private static double Dot(double[] u, Tensor f)
    {
        var v = f.ToDoubleArray();
        if (v.Length != u.Length)
            throw new InvalidOperationException($"GradCheck: the function's output changed size between calls ({u.Length} -> {v.Length})");
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += u[i] * v[i];
        return s;
    }

    public static string FormatIndex(Shape shape, long flat)
    {
        var idx = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            idx[d] = (int)(flat % Math.Max(shape[d], 1));
            flat /= Math.Max(shape[d], 1);
        }
        return "[" + string.Join(", ", idx) + "]";
    }
}
