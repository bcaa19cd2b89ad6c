using CsCheck;
using Xunit;

namespace Framework.Tests;

/// <summary>
/// The checks every op in the catalog gets: float64 gradcheck on generated inputs (shrunk on failure),
/// float32 agreement with float64, and refusal of its bad inputs with a message naming the op.
/// </summary>
public class CatalogTests
{
    public static TheoryData<string> Ops()
    {
        var d = new TheoryData<string>();
        foreach (var o in Catalog.All) d.Add(o.Name);
        return d;
    }

    public static TheoryData<string> DifferentiableOps()
    {
        var d = new TheoryData<string>();
        foreach (var o in Catalog.All.Where(o => o.Differentiable)) d.Add(o.Name);
        return d;
    }

    public static TheoryData<string> OpsWithBadInputs()
    {
        var d = new TheoryData<string>();
        foreach (var o in Catalog.All.Where(o => o.BadInputs.Count > 0)) d.Add(o.Name);
        return d;
    }

    [Theory, Trait("Category", "GradCheck")]
    [MemberData(nameof(DifferentiableOps))]
    public void Gradient_matches_finite_differences_in_float64(string op)
    {
        var info = Catalog.Find(op);
        info.Samples.Sample(s =>
        {
            Assert.Contains(s.Inputs, x => x.RequiresGrad);
            var r = GradCheck.Run(s.Fn, s.Inputs, info.GradCheck);
            if (!r.Passed) throw new GradCheckException($"{op} [{s.Label}]: {r.Report}");
        }, iter: info.Iterations, threads: 1, print: s => s.ToString());
    }

    [Theory, Trait("Category", "Precision")]
    [MemberData(nameof(Ops))]
    public void Float32_agrees_with_float64(string op)
    {
        var info = Catalog.Find(op);
        info.Samples.Sample(s =>
        {
            var (out64, grads64) = Evaluate(s, DType.Float64, info.Differentiable);
            var (out32, grads32) = Evaluate(s, DType.Float32, info.Differentiable);
            Close($"{op} [{s.Label}] output", out64, out32, info.Float32Tolerance);
            for (int i = 0; i < grads64.Length; i++)
                if (grads64[i] is not null)
                    Close($"{op} [{s.Label}] gradient of input {i}", grads64[i]!, grads32[i]!, info.Float32Tolerance);
        }, iter: Math.Max(3, info.Iterations / 2), threads: 1, print: s => s.ToString());
    }

    [Theory, Trait("Category", "BadInput")]
    [MemberData(nameof(OpsWithBadInputs))]
    public void Bad_inputs_are_refused_with_a_message_naming_the_op(string op)
    {
        var info = Catalog.Find(op);
        foreach (var bad in info.BadInputs)
        {
            var ex = Record.Exception(bad.Call);
            Assert.True(ex is not null, $"{op}: '{bad.Description}' did not throw");
            Assert.True(ex is ArgumentException or InvalidOperationException or NotSupportedException,
                $"{op}: '{bad.Description}' threw {ex!.GetType().Name} ({ex.Message}), expected an ArgumentException or InvalidOperationException");
            var name = info.ErrorName ?? info.Name;
            Assert.True(ex.Message.StartsWith(name + ":", StringComparison.Ordinal) || ex.Message.Contains(name + ":"),
                $"{op}: '{bad.Description}' message does not name the op: {ex.Message}");
            foreach (var m in bad.Mentions)
                Assert.True(ex.Message.Contains(m), $"{op}: '{bad.Description}' message does not mention '{m}': {ex.Message}");
        }
    }

    /// <summary>Runs a sample with its float inputs converted to dtype; returns the output and d(sum(out * u))/d inputs.</summary>
    private static (double[] Output, double[]?[] Grads) Evaluate(OpSample s, DType dtype, bool differentiable)
    {
        var inputs = s.Inputs.Select(x =>
        {
            if (!x.DType.IsFloatingPoint()) return x;
            var c = x.ConvertTo(dtype);
            c.RequiresGrad = x.RequiresGrad && differentiable;
            return c;
        }).ToArray();
        var output = s.Fn(inputs);
        var grads = new double[]?[inputs.Length];
        if (differentiable && output.RequiresGrad)
        {
            // a fixed upstream so both precisions project the Jacobian the same way
            var u = Tensor.Randn(output.Shape, DType.Float64, new Generator(7)).ConvertTo(output.DType);
            output.Backward(u);
            for (int i = 0; i < inputs.Length; i++)
                if (inputs[i].RequiresGrad) grads[i] = inputs[i].Grad?.ToDoubleArray() ?? new double[inputs[i].Numel];
        }
        return (output.ToDoubleArray(), grads);
    }

    private static void Close(string what, double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            Assert.True(Math.Abs(a - e) <= tol * (1 + Math.Abs(e)),
                $"{what} at flat index {i}: float64 {e:R}, float32 {a:R} (tolerance {tol:G2} (1 + |float64|))");
        }
    }
}
