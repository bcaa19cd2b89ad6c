using CsCheck;
using Xunit;

namespace Framework.Tests;

/// <summary>
/// The CPU convolution kernels on sizes the catalog's tiny samples never reach (the direct unit-stride path
/// and the batch-parallel paths start at a few hundred thousand multiply-adds), against a naive reference.
/// </summary>
public class ConvKernelTests
{
    private sealed record Case(int N, int Groups, int Cg, int Og, int K, int P, int D, int S, int H, int W, bool F32);

    private static readonly Gen<Case> Cases =
        from n in Gen.Int[2, 3]
        from groups in Gen.Int[1, 2]
        from cg in Gen.Int[3, 9]
        from og in Gen.Int[5, 30]
        from k in Gen.Int[1, 4]
        from p in Gen.Int[0, 3]
        from d in Gen.Int[1, 2]
        from s in Gen.Frequency((4, Gen.Const(1)), (1, Gen.Const(2)))
        from h in Gen.Int[d * (k - 1) + 1, 16]
        from w in Gen.Int[d * (k - 1) + 1, 20]
        from f32 in Gen.Bool
        select new Case(n, groups, cg, og, k, p, d, s, h, w, f32);

    /// <summary>y, dx, dw of conv2d by the definition, in double.</summary>
    private static (double[] Y, double[] Dx, double[] Dw) Reference(Case c, double[] x, double[] w, double[] gy, int oh, int ow)
    {
        int C = c.Groups * c.Cg, O = c.Groups * c.Og;
        var y = new double[c.N * O * oh * ow];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        for (int n = 0; n < c.N; n++)
            for (int o = 0; o < O; o++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        int yi = ((n * O + o) * oh + i) * ow + j, g = o / c.Og;
                        for (int ci = 0; ci < c.Cg; ci++)
                            for (int ki = 0; ki < c.K; ki++)
                                for (int kj = 0; kj < c.K; kj++)
                                {
                                    int ih = i * c.S - c.P + ki * c.D, iw = j * c.S - c.P + kj * c.D;
                                    if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                                    int xi = ((n * C + g * c.Cg + ci) * c.H + ih) * c.W + iw, wi = ((o * c.Cg + ci) * c.K + ki) * c.K + kj;
                                    y[yi] += x[xi] * w[wi];
                                    dx[xi] += gy[yi] * w[wi];
                                    dw[wi] += gy[yi] * x[xi];
                                }
                    }
        return (y, dx, dw);
    }

    [Fact]
    public void Cpu_convolution_kernels_match_the_definition_on_larger_inputs()
    {
        Cases.Sample(c =>
        {
            var dtype = c.F32 ? DType.Float32 : DType.Float64;
            var gen = new Generator((ulong)(c.H * 131 + c.W * 17 + c.Og));
            var x = Tensor.Randn(new Shape(c.N, c.Groups * c.Cg, c.H, c.W), DType.Float64, gen);
            var w = Tensor.Randn(new Shape(c.Groups * c.Og, c.Cg, c.K, c.K), DType.Float64, gen);
            var xt = x.ConvertTo(dtype).RequiresGrad_();
            var wt = w.ConvertTo(dtype).RequiresGrad_();
            var y = F.Conv2d(xt, wt, null, c.S, c.P, c.D, c.Groups);
            var gy = Tensor.Randn(y.Shape, DType.Float64, gen);
            y.Backward(gy.ConvertTo(dtype));
            var (ey, edx, edw) = Reference(c, x.ToDoubleArray(), w.ToDoubleArray(), gy.ToDoubleArray(), y.Shape[2], y.Shape[3]);
            double tol = c.F32 ? 2e-4 : 1e-10;
            Close($"{c} output", ey, y.ToDoubleArray(), tol);
            Close($"{c} input gradient", edx, xt.Grad!.ToDoubleArray(), tol);
            Close($"{c} weight gradient", edw, wt.Grad!.ToDoubleArray(), tol);
        }, iter: 30, threads: 1);
    }

    private static void Close(string what, double[] e, double[] a, double tol)
    {
        Assert.Equal(e.Length, a.Length);
        double scale = Math.Max(1, e.Max(Math.Abs));
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * scale, $"{what} at {i}: expected {e[i]:R}, got {a[i]:R}");
    }
}
