using Xunit;

namespace Framework.Tests;

/// <summary>
/// Properties of the spatial ops the generated catalog checks cannot state: exact values at the kinks (the floor
/// rule at integer sample points, borders, far-outside points, nearest's ties), identities and soft-argmax limits.
/// Expected values are computed by hand in the comments (and agree with PyTorch 1.13).
/// </summary>
public class SpatialTests
{
    private static Tensor Make(double[] values, params int[] shape) => Tensor.FromArray(values, new Shape(shape));

    /// <summary>v[r, c] = 3 r + c^2 on a 3 x 3 image: 0 1 4 / 3 4 7 / 6 7 10 (no symmetry, so every pixel is told apart).</summary>
    private static Tensor Image3x3() => Make([0, 1, 4, 3, 4, 7, 6, 7, 10], 1, 1, 3, 3);

    private static (double[] Out, double[] GridGrad, double[] InputGrad) SampleWithGrads(Tensor input, double[] grid, int[] gridShape, string mode, string padding, bool alignCorners)
    {
        var x = input.CloneData().RequiresGrad_();
        var g = Make(grid, gridShape).RequiresGrad_();
        var y = F.GridSample(x, g, mode, padding, alignCorners);
        y.Backward(Tensor.OnesLike(y));
        return (y.ToDoubleArray(), g.Grad!.ToDoubleArray(), x.Grad!.ToDoubleArray());
    }

    [Theory]
    [InlineData("zeros")]
    [InlineData("border")]
    [InlineData("reflection")]
    public void Bilinear_grid_gradient_at_integer_points_follows_the_floor_rule(string padding)
    {
        // align_corners: pixel = grid + 1 on 3 x 3, d pixel / d grid = (3 - 1) / 2 = 1
        double[] grid = [0, 0, 1, 1, -1, -1, 0.5, 0];
        var (output, gridGrad, _) = SampleWithGrads(Image3x3(), grid, [1, 1, 4, 2], "bilinear", padding, true);
        // (1, 1) -> 4; (2, 2) -> 10; (0, 0) -> 0; (x 1.5, y 1) -> (4 + 7) / 2
        Assert.Equal([4, 10, 0, 5.5], output);
        bool zeros = padding == "zeros";
        double[] expected =
        [
            7 - 4, 7 - 4,                            // centre: columns 1 and 2, rows 1 and 2 (floor rule), not 1 and 0
            zeros ? 0 - 10 : 0, zeros ? 0 - 10 : 0,  // last pixel: zeros reads 0 past it; border/reflection clip there (gradient 0)
            zeros ? 1 - 0 : 0, zeros ? 3 - 0 : 0,    // first pixel: v[0,1] - v[0,0], v[1,0] - v[0,0]; clipped otherwise
            7 - 4, 0.5 * (7 - 4) + 0.5 * (10 - 7),   // x = 1.5 between columns 1 and 2; integer y = 1 mixes rows 1 and 2
        ];
        Assert.Equal(expected, gridGrad);
    }

    [Fact]
    public void Grid_gradient_without_align_corners_at_exact_pixel_centres()
    {
        // 4 x 4 image v = k^2 / 10; pixel = (grid + 1) 2 - 0.5, d pixel / d grid = 4 / 2 = 2
        var input = Make(Enumerable.Range(0, 16).Select(k => k * k / 10.0).ToArray(), 1, 1, 4, 4);
        var (output, gridGrad, _) = SampleWithGrads(input, [-0.25, -0.25, 0.75, 0.25], [1, 1, 2, 2], "bilinear", "zeros", false);
        Assert.Equal(2.5, output[0], 12);                         // pixel (1, 1) = 25 / 10
        Assert.Equal(12.1, output[1], 12);                        // pixel (y 2, x 3) = 121 / 10
        Assert.Equal((3.6 - 2.5) * 2, gridGrad[0], 12);           // columns 1, 2 of row 1
        Assert.Equal((8.1 - 2.5) * 2, gridGrad[1], 12);           // rows 1, 2 of column 1
        Assert.Equal((0 - 12.1) * 2, gridGrad[2], 12);            // column 4 is outside: reads 0
        Assert.Equal((22.5 - 12.1) * 2, gridGrad[3], 12);         // rows 2, 3 of column 3
    }

    [Fact]
    public void Trilinear_grid_gradient_at_corners_follows_the_floor_rule()
    {
        // 2 x 2 x 2 volume v = k^2 (k = 4 z + 2 y + x); align_corners: d pixel / d grid = 1 / 2
        var input = Make(Enumerable.Range(0, 8).Select(k => (double)k * k).ToArray(), 1, 1, 2, 2, 2);
        var (output, gridGrad, _) = SampleWithGrads(input, [-1, -1, -1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 3, 3], "bilinear", "zeros", true);
        Assert.Equal([0, 49, 17.5], output);                      // corner 0, corner 7, mean of all eight
        Assert.Equal([0.5 * 1, 0.5 * 4, 0.5 * 16, -24.5, -24.5, -24.5, 0.5 * 7, 0.5 * 14, 0.5 * 28], gridGrad);
    }

    [Theory]
    [InlineData(true, "zeros", 0, 0, 0, 0, 0, 0)]
    [InlineData(true, "border", 4, 0, 4, 0, 0, 0)]
    [InlineData(true, "reflection", 1, 1, 0.5, 3, 3, 1)]
    [InlineData(false, "zeros", 0, 0, 0, 0, 0, 0)]
    [InlineData(false, "border", 4, 0, 4, 0, 0, 0)]
    [InlineData(false, "reflection", 1, 1, 0.25, 4.5, 4.5, 1.5)]
    public void Points_far_outside_follow_the_padding(bool alignCorners, string padding, double o0, double o1, double o2, double g0, double g1, double g2)
    {
        // row [0, 1, 4] at x = 1000, -1000, 3.5. Reflection, align_corners: pixel 1001 folds (period 4) onto 1, -999 onto 1,
        // 4.5 onto 0.5; without: pixel 2501.5 and -1501.5 fold (period 6 about -0.5) onto 1, 6.25 onto 0.25
        var input = Make([0, 1, 4], 1, 1, 1, 3);
        var (output, gridGrad, _) = SampleWithGrads(input, [1000, 0, -1000, 0, 3.5, 0], [1, 1, 3, 2], "bilinear", padding, alignCorners);
        Assert.Equal([o0, o1, o2], output);
        Assert.Equal([g0, g1, g2], gridGrad.Where((_, i) => i % 2 == 0).ToArray());
        Assert.All(gridGrad.Where((_, i) => i % 2 == 1), v => Assert.Equal(0, v));   // one row: y never moves the value
    }

    [Fact]
    public void Nearest_rounds_ties_to_even_and_has_zero_grid_gradient()
    {
        // align_corners on 3 x 3: x = -0.5, 0.5, 1.5 are pixels 0.5, 1.5, 2.5 of row 1 -> columns 0, 2, 2
        var (output, gridGrad, inputGrad) = SampleWithGrads(Image3x3(), [-0.5, 0, 0.5, 0, 1.5, 0], [1, 1, 3, 2], "nearest", "border", true);
        Assert.Equal([3, 7, 7], output);
        Assert.All(gridGrad, v => Assert.Equal(0, v));
        Assert.Equal([0, 0, 0, 1, 0, 2, 0, 0, 0], inputGrad);
        var volume = Tensor.Randn(new Shape(1, 2, 2, 3, 3), DType.Float64);
        var (_, gridGrad3, _) = SampleWithGrads(volume, [0.1, -0.7, 0.4, 2, 0, 0], [1, 1, 1, 2, 3], "nearest", "zeros", false);
        Assert.All(gridGrad3, v => Assert.Equal(0, v));
    }

    [Theory]
    [InlineData("bilinear", true)]
    [InlineData("bilinear", false)]
    [InlineData("bicubic", true)]
    [InlineData("bicubic", false)]
    [InlineData("nearest", false)]
    public void Identity_theta_reproduces_the_input(string mode, bool alignCorners)
    {
        var x = Tensor.Randn(new Shape(2, 3, 5, 7), DType.Float64);
        var theta = F.Unsqueeze(Tensor.Eye(2, 3, DType.Float64), 0).Expand(2, 2, 3).Clone();
        var y = F.GridSample(x, F.AffineGrid(theta, [2, 3, 5, 7], alignCorners), mode, "zeros", alignCorners);
        GoldenTests.AssertClose($"{mode} align_corners={alignCorners}", x, y, 1e-12);
    }

    [Fact]
    public void Affine_grid_of_the_identity_is_on_the_pixel_centres()
    {
        var theta = F.Unsqueeze(Tensor.Eye(2, 3, DType.Float64), 0);
        var withoutCorners = F.AffineGrid(theta, [1, 1, 1, 4], false).ToDoubleArray();
        Assert.Equal([-0.75, 0, -0.25, 0, 0.25, 0, 0.75, 0], withoutCorners);   // (2k + 1) / 4 - 1; y of a single row is 0
        var withCorners = F.AffineGrid(theta, [1, 1, 3, 1], true).ToDoubleArray();
        Assert.Equal([0, -1, 0, 0, 0, 1], withCorners);                          // x of a single column is 0; y = -1, 0, 1
    }

    [Fact]
    public void Softargmax_of_a_one_hot_heatmap_at_large_beta_is_its_position()
    {
        var hm = Tensor.Zeros(new Shape(1, 1, 5, 7), DType.Float64);
        hm.AsSpan<double>()[3 * 7 + 5] = 1;                              // row 3, column 5
        Assert.Equal([5.0, 3.0], F.SoftArgmax2d(hm, 1000).ToDoubleArray());
        var vol = Tensor.Zeros(new Shape(2, 3, 4, 5), DType.Float64);
        vol.AsSpan<double>()[60 + (2 * 4 + 1) * 5 + 4] = 10;             // second volume: z 2, y 1, x 4
        var c = F.SoftArgmax3d(vol, 1e4).ToDoubleArray();
        Assert.Equal([4.0, 1.0, 2.0], c[3..]);
    }

    [Fact]
    public void Softargmax_is_stable_for_large_beta_and_centred_for_flat_maps()
    {
        var x = Tensor.Randn(new Shape(4, 6, 6), DType.Float64) * 10;
        var coords = F.SoftArgmax2d(x, 1e6).ToDoubleArray();
        Assert.All(coords, v => Assert.True(double.IsFinite(v)));
        var flat = F.SoftArgmax2d(Tensor.Zeros(new Shape(1, 5, 8), DType.Float32), 3).ToDoubleArray();
        Assert.Equal(3.5, flat[0], 5);   // (W - 1) / 2
        Assert.Equal(2.0, flat[1], 5);   // (H - 1) / 2
    }

    [Fact]
    public void Softargmax_heatmap_sums_to_one_and_is_the_softmax_of_beta_times_the_input()
    {
        var x = Tensor.Randn(new Shape(2, 3, 4, 5), DType.Float64);
        F.SoftArgmax2d(x, 2.5, out var heatmap);
        Assert.Equal(x.Shape, heatmap.Shape);
        var sums = F.Sum(F.Reshape(heatmap, 6, 20), 1).ToDoubleArray();
        Assert.All(sums, s => Assert.Equal(1.0, s, 12));
        var reference = F.Reshape(F.Softmax(F.Reshape(x * 2.5, 6, 20), 1), 2, 3, 4, 5);
        GoldenTests.AssertClose("heatmap", reference, heatmap, 1e-12);
    }
}
