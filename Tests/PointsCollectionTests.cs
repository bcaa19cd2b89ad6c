using Xunit;

namespace Framework.Tests;

/// <summary>
/// points_collection against its spec: the worked case of the floor rule, and the fused op against its test
/// reference, the composition of grid_sample calls (align_corners=True, zeros) that PyTorch's benchmark uses.
/// </summary>
public class PointsCollectionTests
{
    /// <summary>The reference of ../shared/bench/torch_reference.py (pc), op for op; needs h, w > 1.</summary>
    public static Tensor Composed(Tensor t, Tensor d)
    {
        int b = t.Shape[0], n = t.Shape[1] / 2, bigH = t.Shape[2], bigW = t.Shape[3];
        int m = d.Shape[1] / 2, h = d.Shape[2], w = d.Shape[3];
        double rh = (double)h / bigH, rw = (double)w / bigW;
        var ii = F.Reshape(Tensor.Arange(0, bigH, 1, DType.Float64), 1, 1, bigH, 1);
        var jj = F.Reshape(Tensor.Arange(0, bigW, 1, DType.Float64), 1, 1, 1, bigW);
        var y = F.Slice(t, 1, 0, null, 2);
        var x = F.Slice(t, 1, 1, null, 2);
        var gridX = (jj + x) * rw * (2.0 / (w - 1)) - 1;
        var gridY = (ii + y) * rh * (2.0 / (h - 1)) - 1;
        var grid = F.Reshape(F.Stack([gridX, gridY], 4), b, n * bigH, bigW, 2);
        var s = F.Permute(F.Reshape(F.GridSample(d, grid, "bilinear", "zeros", true), b, m, 2, n, bigH, bigW), 0, 3, 1, 2, 4, 5);
        var scale = F.Reshape(Tensor.FromArray(new[] { 1 / rh, 1 / rw }), 1, 1, 1, 2, 1, 1);
        var yx = F.Reshape(F.Stack([y, x], 2), b, n, 1, 2, bigH, bigW);
        return F.Reshape(s * scale + yx, b, 2 * n * m, bigH, bigW);
    }

    /// <summary>
    /// Spec, "Where the tent kernel has a kink": h = H = w = W = 3, t = 0, d = 1, g = 1. Every point sits on a
    /// pixel, S = 1 there, and dS/dY mixes rows floor(Y) and floor(Y) + 1: 1 - 1 = 0 inside, 0 - 1 = -1 on the
    /// last row (row 3 reads as zero). So dL/dy = g0 (1 + dS(u)/dY) + g1 dS(v)/dY = 1 inside (the centre: 1, where
    /// the tempting "+1 if P >= Y, -1 if P &lt; Y" form gives 3) and -1 on the last row; x likewise by columns.
    /// </summary>
    public static void AssertWorkedCase(Device device)
    {
        var t = Tensor.Zeros(new Shape(1, 2, 3, 3), DType.Float64).ToDevice(device).RequiresGrad_();
        var d = Tensor.Ones(new Shape(1, 2, 3, 3), DType.Float64, device).RequiresGrad_();
        var p = F.PointsCollection(t, d);
        p.Backward(Tensor.OnesLike(p));
        Assert.All(p.ToDoubleArray(), v => Assert.Equal(1, v));
        var gt = t.Grad!.ToDoubleArray();
        Assert.Equal(1, gt[4]);   // dL/dy at the centre (i, j) = (1, 1)
        double[] expectedY = [1, 1, 1, 1, 1, 1, -1, -1, -1], expectedX = [1, 1, -1, 1, 1, -1, 1, 1, -1];
        Assert.Equal(expectedY, gt[..9]);
        Assert.Equal(expectedX, gt[9..]);
        Assert.All(d.Grad!.ToDoubleArray(), v => Assert.Equal(1, v));   // each pixel is read once, with weight 1
    }

    [Fact]
    public void Worked_case_of_the_floor_rule_gives_one_at_the_centre_not_three() => AssertWorkedCase(Device.Cpu);

    /// <summary>
    /// Random target offsets, part of them landing exactly on pixels (integer Y or X), in configurations where
    /// the composed reference's normalise / unnormalise round trip is exact (h - 1, w - 1 powers of two), so
    /// both sides see the same integer coordinates and the floor rule is compared too.
    /// </summary>
    [Theory]
    [InlineData(2, 2, 3, 5, 3, 5, 3, 1, true)]    // r = 1: integer offsets land on pixels, some outside
    [InlineData(1, 3, 2, 6, 6, 3, 3, 2, true)]    // r = 1/2: y = 2k - i lands on pixel k
    [InlineData(2, 1, 2, 1, 1, 3, 5, 1, true)]    // r_h = 3, r_w = 5: integer offsets land on pixels 3k and 5k
    [InlineData(1, 2, 2, 2, 3, 5, 5, 0, false)]   // r_h = 5/2, r_w = 5/3: non-integer points only
    public void Fused_matches_the_composition_of_grid_sample(int b, int n, int m, int bigH, int bigW, int h, int w, int integerStep, bool someInteger)
    {
        var rng = new Random(1000 * b + 100 * n + 10 * bigH + h);
        var tv = new double[b * 2 * n * bigH * bigW];
        for (int e = 0; e < tv.Length; e++)
        {
            int j = e % bigW, i = e / bigW % bigH;
            bool isY = e / (bigW * bigH) % 2 == 0;
            if (someInteger && integerStep > 0 && rng.Next(2) == 0)
            {
                int k = rng.Next(-2, (isY ? h : w) + 2);      // the pixel the point lands on (some outside)
                int pos = isY ? i : j;
                tv[e] = integerStep == 1 ? k - pos : 2 * k - pos;
            }
            else tv[e] = rng.NextDouble() * 8 - 4;
        }
        var t = Tensor.FromArray(tv, new Shape(b, 2 * n, bigH, bigW));
        var d = Tensor.Randn(new Shape(b, 2 * m, h, w), DType.Float64, new Generator(5));
        var upstream = Tensor.Randn(new Shape(b, 2 * n * m, bigH, bigW), DType.Float64, new Generator(6));

        var (fused, fusedT, fusedD) = Run(F.PointsCollection, t, d, upstream);
        var (composed, composedT, composedD) = Run(Composed, t, d, upstream);
        GoldenTests.AssertClose("output", composed, fused, 1e-12);
        GoldenTests.AssertClose("gradient of the target offsets", composedT, fusedT, 1e-12);
        GoldenTests.AssertClose("gradient of the deformable offsets", composedD, fusedD, 1e-12);
    }

    private static (Tensor Out, Tensor GradT, Tensor GradD) Run(Func<Tensor, Tensor, Tensor> fn, Tensor t, Tensor d, Tensor upstream)
    {
        var tl = t.CloneData().RequiresGrad_();
        var dl = d.CloneData().RequiresGrad_();
        var p = fn(tl, dl);
        p.Backward(upstream);
        return (p.Detach(), tl.Grad!, dl.Grad!);
    }
}

/// <summary>The ILGPU kernels at the kinks, which the generated backend test (smooth grids) does not reach.</summary>
[Collection("Ilgpu")]
public class SpatialIlgpuTests
{
    [Fact]
    public void Points_collection_worked_case_on_the_ilgpu_cpu_accelerator() => PointsCollectionTests.AssertWorkedCase(Device.IlgpuCpu);

    [Theory]
    [InlineData(2, "bilinear")]
    [InlineData(2, "bicubic")]
    [InlineData(3, "bilinear")]
    public void Grid_gradients_at_exact_points_agree_with_the_cpu(int dims, string mode)
    {
        var rng = new Random(dims * 7 + mode.Length);
        int[] inShape = dims == 2 ? [1, 2, 3, 4] : [1, 2, 2, 3, 3];
        int[] gridShape = dims == 2 ? [1, 3, 3, 2] : [1, 2, 2, 2, 3];
        var input = Tensor.Randn(new Shape(inShape), DType.Float64, new Generator(9));
        var gridValues = Enumerable.Range(0, gridShape.Aggregate(1, (p, s) => p * s)).Select(_ => -1 + rng.Next(-6, 15) / 4.0).ToArray();
        foreach (var padding in new[] { "zeros", "border", "reflection" })
            foreach (var ac in new[] { false, true })
            {
                var (cpuOut, cpuIn, cpuGrid) = Run(input, gridValues, gridShape, mode, padding, ac, Device.Cpu);
                var (gpuOut, gpuIn, gpuGrid) = Run(input, gridValues, gridShape, mode, padding, ac, Device.IlgpuCpu);
                string what = $"{mode} {padding} align_corners={ac}";
                GoldenTests.AssertClose(what + " output", cpuOut, gpuOut, 1e-12);
                GoldenTests.AssertClose(what + " input gradient", cpuIn, gpuIn, 1e-12);
                GoldenTests.AssertClose(what + " grid gradient", cpuGrid, gpuGrid, 1e-12);
            }
    }

    private static (Tensor, Tensor, Tensor) Run(Tensor input, double[] grid, int[] gridShape, string mode, string padding, bool ac, Device device)
    {
        var x = input.CloneData().ToDevice(device).RequiresGrad_();
        var g = Tensor.FromArray(grid, new Shape(gridShape)).ToDevice(device).RequiresGrad_();
        var y = F.GridSample(x, g, mode, padding, ac);
        y.Backward(Tensor.OnesLike(y));
        return (y.ToDevice(Device.Cpu), x.Grad!.ToDevice(Device.Cpu), g.Grad!.ToDevice(Device.Cpu));
    }
}
