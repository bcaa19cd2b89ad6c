using CsCheck;
using Framework.Testing;
using Xunit;

namespace Framework.Tests;

/// <summary>GradCheck must catch a wrong backward, and GradCheck.Sample must shrink the case it fails on.</summary>
public class GradCheckTests
{
    /// <summary>x^3 whose backward forgets the factor 3 wherever x &gt; 1: right on most inputs, wrong on some.</summary>
    private static Tensor SubtlyWrongCube(Tensor x)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = x * x * x;
        return Autograd.Record("wrong_cube", y, [x], g =>
        {
            var d = F.Where(F.Gt(x, 1.0), x * x, x * x * 3.0);
            return [g * d];
        });
    }

    [Fact]
    public void GradCheck_reports_the_entry_where_the_backward_is_wrong()
    {
        var x = Tensor.FromArray(new[] { 0.5, 2.0, -1.0 }).RequiresGrad_();
        var r = GradCheck.Run(xs => SubtlyWrongCube(xs[0]), [x]);
        Assert.False(r.Passed);
        Assert.Single(r.Worst);
        Assert.Equal(1, r.Worst[0].Index);
        Assert.Contains("[1]", r.Report);
    }

    [Fact]
    public void GradCheck_passes_a_correct_backward()
    {
        var x = Tensor.FromArray(new[] { 0.5, 2.0, -1.0 }).RequiresGrad_();
        Assert.True(GradCheck.Run(xs => xs[0] * xs[0] * xs[0], [x]).Passed);
    }

    [Fact]
    public void GradCheck_Sample_shrinks_to_a_small_counterexample()
    {
        var gen = Gens.Shape(1, 2, 1, 5).SelectMany(s => Gens.Tensor(s, -3, 3));
        var ex = Assert.ThrowsAny<Exception>(() => GradCheck.Sample(gen, SubtlyWrongCube, iter: 200));
        Assert.Contains("GradCheck failed", ex.ToString());
    }

    [Fact]
    public void GradCheck_refuses_float32_inputs()
    {
        var x = Tensor.Ones(2).RequiresGrad_();
        var ex = Assert.Throws<ArgumentException>(() => GradCheck.Run(xs => xs[0] * 2.0, [x]));
        Assert.Contains("float64", ex.Message);
    }
}
