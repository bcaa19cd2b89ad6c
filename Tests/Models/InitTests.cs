using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

public class InitTests
{
    private static (double Mean, double Std, double Min, double Max) Stats(Tensor t)
    {
        var v = t.ToDoubleArray();
        double mean = v.Average(), std = Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Sum() / (v.Length - 1));
        return (mean, std, v.Min(), v.Max());
    }

    [Fact]
    public void Gains_and_fans_are_pytorchs()
    {
        Assert.Equal(1.0, Init.CalculateGain("conv2d"));
        Assert.Equal(5.0 / 3, Init.CalculateGain("tanh"));
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain("relu"));
        Assert.Equal(Math.Sqrt(2 / (1 + 0.01 * 0.01)), Init.CalculateGain("leaky_relu"));
        Assert.Equal(Math.Sqrt(2 / 6.0), Init.CalculateGain("leaky_relu", Math.Sqrt(5)), 15);
        Assert.Equal((3L * 5 * 5, 8L * 5 * 5), Init.CalculateFanInAndFanOut(Tensor.Zeros(8, 3, 5, 5)));
        Assert.Throws<ArgumentException>(() => Init.CalculateFanInAndFanOut(Tensor.Zeros(4)));
        Assert.Throws<ArgumentException>(() => Init.CalculateGain("swish"));
    }

    [Fact]
    public void Linear_defaults_are_uniform_within_one_over_sqrt_fan_in()
    {
        using var _ = GeneratorScope.Begin(1);
        var l = new Linear(100, 200);
        double bound = 1 / Math.Sqrt(100);
        var w = Stats(l.Weight);
        Assert.InRange(w.Min, -bound, -bound * 0.98);
        Assert.InRange(w.Max, bound * 0.98, bound);
        Assert.Equal(bound / Math.Sqrt(3), w.Std, 2e-3);   // U(-b, b) has std b / sqrt(3)
        var b = Stats(l.Bias!);
        Assert.InRange(b.Min, -bound, bound);
        Assert.InRange(b.Max, -bound, bound);
    }

    [Fact]
    public void Kaiming_and_xavier_have_their_formula_spread()
    {
        using var _ = GeneratorScope.Begin(2);
        var t = Tensor.Empty(new Shape(256, 128));
        Assert.Equal(Math.Sqrt(2) / Math.Sqrt(128), Stats(Init.KaimingNormal(t, nonlinearity: "relu")).Std, 1e-3);
        Assert.Equal(Math.Sqrt(2) / Math.Sqrt(256), Stats(Init.KaimingNormal(t, mode: "fan_out", nonlinearity: "relu")).Std, 1e-3);
        var ku = Stats(Init.KaimingUniform(t, nonlinearity: "relu"));
        Assert.InRange(ku.Max, 0, Math.Sqrt(3) * Math.Sqrt(2) / Math.Sqrt(128));
        Assert.Equal(Math.Sqrt(2.0 / (128 + 256)), Stats(Init.XavierNormal(t)).Std, 1e-3);
        var xu = Stats(Init.XavierUniform(t, gain: 2));
        Assert.InRange(xu.Max, 0, 2 * Math.Sqrt(6.0 / (128 + 256)));
        Assert.Equal(2 * Math.Sqrt(6.0 / (128 + 256)) / Math.Sqrt(3), xu.Std, 2e-3);
        Assert.Contains("fan_in, fan_out", Assert.Throws<ArgumentException>(() => Init.KaimingUniform(t, mode: "fan_avg")).Message);
    }

    [Fact]
    public void Constant_normal_uniform_and_trunc_normal_fill_as_told()
    {
        var t = Tensor.Empty(new Shape(50, 40), DType.Float64);
        Assert.All(Init.Constant(t, 0.5).ToDoubleArray(), v => Assert.Equal(0.5, v));
        Assert.All(Init.Zeros(t).ToDoubleArray(), v => Assert.Equal(0, v));
        Assert.All(Init.Ones(t).ToDoubleArray(), v => Assert.Equal(1, v));
        var g = new Generator(4);
        var n = Stats(Init.Normal(t, 3, 0.5, g));
        Assert.Equal(3, n.Mean, 0.05);
        Assert.Equal(0.5, n.Std, 0.03);
        var u = Stats(Init.Uniform(t, -1, 2, g));
        Assert.True(u.Min >= -1 && u.Max < 2);
        var tn = Stats(Init.TruncNormal(t, 0, 1, -0.5, 0.5, g));
        Assert.True(tn.Min >= -0.5 && tn.Max <= 0.5);
        Assert.Throws<ArgumentException>(() => Init.Uniform(Tensor.Zeros(new Shape(2), DType.Int64)));
    }

    [Theory]
    [InlineData(6, 4)]
    [InlineData(3, 8)]
    [InlineData(5, 5)]
    public void Orthogonal_gives_orthonormal_rows_or_columns(int rows, int cols)
    {
        var q = Init.Orthogonal(Tensor.Empty(new Shape(rows, cols), DType.Float64), gain: 1, generator: new Generator(7)).ToArray<double>();
        // Q^T Q = I for tall matrices, Q Q^T = I for wide ones
        bool tall = rows >= cols;
        int n = tall ? cols : rows;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double dot = 0;
                for (int k = 0; k < (tall ? rows : cols); k++)
                    dot += tall ? q[k * cols + a] * q[k * cols + b] : q[a * cols + k] * q[b * cols + k];
                Assert.Equal(a == b ? 1 : 0, dot, 12);
            }
    }

    [Fact]
    public void A_generator_scope_makes_construction_reproducible()
    {
        Linear a, b, c;
        using (GeneratorScope.Begin(11)) a = new Linear(5, 5);
        using (GeneratorScope.Begin(11)) b = new Linear(5, 5);
        using (GeneratorScope.Begin(12)) c = new Linear(5, 5);
        Assert.Equal(a.Weight.ToArray<float>(), b.Weight.ToArray<float>());
        Assert.NotEqual(a.Weight.ToArray<float>(), c.Weight.ToArray<float>());
        Assert.Same(Generator.Default, GeneratorScope.Current);
    }
}
