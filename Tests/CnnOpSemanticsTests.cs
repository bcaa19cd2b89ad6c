using Xunit;

namespace Framework.Tests;

/// <summary>
/// Semantics of the CNN ops that the generated catalog checks cannot see: forward values against PyTorch's
/// documented rules or a composite reference, running statistics, index conventions, dropout's mask.
/// </summary>
public class CnnOpSemanticsTests
{
    private static Tensor Arange(int n, params int[] shape) => Tensor.Arange(0, n, 1, DType.Float64).ViewAs(new Shape(shape));
    private static double[] Values(Tensor t) => t.ToDoubleArray();

    private static void Close(Tensor expected, Tensor actual, double tol = 1e-12) => GoldenTests.AssertClose("value", expected, actual, tol);

    [Fact]
    public void Max_pool_indices_are_flat_positions_in_the_unpadded_plane()
    {
        var x = Arange(16, 1, 1, 4, 4);
        var (y, idx) = F.MaxPool2dWithIndices(x, 2);
        Assert.Equal([5.0, 7, 13, 15], Values(y));
        Assert.Equal([5L, 7, 13, 15], idx.ToArray<long>());
        // padding 1, stride 2, kernel 3 on (3, 3): windows clipped to the input
        var (y2, idx2) = F.MaxPool2dWithIndices(Arange(9, 1, 3, 3), 3, 2, 1);
        Assert.Equal(new Shape(1, 2, 2), y2.Shape);
        Assert.Equal([4L, 5, 7, 8], idx2.ToArray<long>());
    }

    [Fact]
    public void Max_pool_lets_nan_win_and_keeps_the_first_of_ties()
    {
        var x = Tensor.FromArray(new[] { 1.0, 1.0, double.NaN, 0.0 }, 1, 1, 2, 2);
        var (y, idx) = F.MaxPool2dWithIndices(x, 2);
        Assert.True(double.IsNaN(y.Item()));
        Assert.Equal(2L, idx.Item<long>());
        var (_, tie) = F.MaxPool2dWithIndices(Tensor.FromArray(new[] { 3.0, 3.0, 1.0, 3.0 }, 1, 1, 2, 2), 2);
        Assert.Equal(0L, tie.Item<long>());
    }

    [Fact]
    public void A_window_of_padding_only_gives_minus_infinity_index_minus_one_and_no_gradient()
    {
        // width 1, kernel 2, padding 1, dilation 2: the window reads positions -1 and 1, both padding
        var x = Tensor.Ones(new Shape(1, 1, 1), DType.Float64);
        x.RequiresGrad = true;
        var (y, idx) = F.MaxPool2dWithIndices(x, (1, 2), (1, 3), (0, 1), (1, 2));
        Assert.Equal(double.NegativeInfinity, y.Item());
        Assert.Equal(-1L, idx.Item<long>());
        y.Backward(Tensor.Ones(y.Shape, DType.Float64));
        Assert.Equal(0.0, x.Grad!.Item());
    }

    [Fact]
    public void Ceil_mode_drops_a_last_window_that_would_start_in_the_right_padding()
    {
        // size 6, kernel 3, stride 2, pad 1: floor mode 3 windows, ceil mode 4 (the last starts at 5, inside the input)
        Assert.Equal(3, F.MaxPool2d(Tensor.Zeros(new Shape(1, 1, 6), DType.Float64), (1, 3), (1, 2), (0, 1)).Shape[2]);
        Assert.Equal(4, F.MaxPool2d(Tensor.Zeros(new Shape(1, 1, 6), DType.Float64), (1, 3), (1, 2), (0, 1), ceilMode: true).Shape[2]);
        // size 5, kernel 2, stride 2, pad 1: ceil would give 4, but the 4th window starts at 5 = in + pad - 1, in the right padding
        Assert.Equal(3, F.MaxPool2d(Tensor.Zeros(new Shape(1, 1, 5), DType.Float64), (1, 2), (1, 2), (0, 1), ceilMode: true).Shape[2]);
    }

    [Fact]
    public void Batch_norm_training_updates_running_statistics_with_the_unbiased_variance()
    {
        var x = Tensor.Randn(new Shape(4, 3, 5), DType.Float64, new Generator(3));
        var rm = Tensor.FromArray(new[] { 0.5, -1.0, 2.0 });
        var rv = Tensor.FromArray(new[] { 1.0, 2.0, 0.5 });
        var mean = F.Mean(x, [0, 2]);
        var varUnbiased = F.Var(x, [0, 2], unbiased: true);
        var expectedMean = F.Add(F.Mul(rm, 0.7), F.Mul(mean, 0.3));
        var expectedVar = F.Add(F.Mul(rv, 0.7), F.Mul(varUnbiased, 0.3));
        var y = F.BatchNorm(x, rm, rv, training: true, momentum: 0.3);
        Close(expectedMean, rm);
        Close(expectedVar, rv);
        // the output uses the batch statistics with the biased variance
        var reference = F.Div(F.Sub(x, F.Reshape(mean, 1, 3, 1)), F.Sqrt(F.Add(F.Reshape(F.Var(x, [0, 2], unbiased: false), 1, 3, 1), 1e-5)));
        Close(reference, y);
    }

    [Fact]
    public void Batch_norm_eval_uses_the_running_statistics_and_leaves_them_alone()
    {
        var x = Tensor.Randn(new Shape(2, 3, 2, 2), DType.Float64, new Generator(4));
        var rm = Tensor.FromArray(new[] { 0.5, -1.0, 2.0 });
        var rv = Tensor.FromArray(new[] { 1.0, 2.0, 0.5 });
        var w = Tensor.FromArray(new[] { 2.0, 0.5, -1.0 });
        var b = Tensor.FromArray(new[] { 0.1, 0.2, 0.3 });
        var y = F.BatchNorm(x, rm, rv, w, b, training: false);
        var shape = new[] { 1, 3, 1, 1 };
        var reference = F.Add(F.Mul(F.Div(F.Sub(x, F.Reshape(rm, shape)), F.Sqrt(F.Add(F.Reshape(rv, shape), 1e-5))), F.Reshape(w, shape)), F.Reshape(b, shape));
        Close(reference, y);
        Assert.Equal([0.5, -1.0, 2.0], Values(rm));
        Assert.Equal([1.0, 2.0, 0.5], Values(rv));
    }

    [Fact]
    public void Layer_norm_and_group_norm_match_their_composite_formulas()
    {
        var x = Tensor.Randn(new Shape(2, 4, 3), DType.Float64, new Generator(5));
        var w = Tensor.Randn(new Shape(4, 3), DType.Float64, new Generator(6));
        var b = Tensor.Randn(new Shape(4, 3), DType.Float64, new Generator(7));
        var mu = F.Mean(x, [1, 2], keepDim: true);
        var sd = F.Sqrt(F.Add(F.Var(x, [1, 2], unbiased: false, keepDim: true), 1e-5));
        Close(F.Add(F.Mul(F.Div(F.Sub(x, mu), sd), w), b), F.LayerNorm(x, [4, 3], w, b));

        var gw = Tensor.Randn(new Shape(4), DType.Float64, new Generator(8));
        var gb = Tensor.Randn(new Shape(4), DType.Float64, new Generator(9));
        var grouped = F.Reshape(x, 2, 2, 6);  // 2 groups of 2 channels x 3
        var gmu = F.Mean(grouped, [2], keepDim: true);
        var gsd = F.Sqrt(F.Add(F.Var(grouped, [2], unbiased: false, keepDim: true), 1e-5));
        var normalized = F.Reshape(F.Div(F.Sub(grouped, gmu), gsd), 2, 4, 3);
        var reference = F.Add(F.Mul(normalized, F.Reshape(gw, 1, 4, 1)), F.Reshape(gb, 1, 4, 1));
        Close(reference, F.GroupNorm(x, 2, gw, gb));
    }

    [Fact]
    public void Nearest_uses_the_given_scale_factor_unless_told_to_recompute()
    {
        var x = Arange(4, 1, 1, 1, 4);
        // PyTorch: scale_factor 1.7 gives 6 outputs read at floor(o / 1.7); recomputed, at floor(o * 4 / 6)
        Assert.Equal([0.0, 0, 1, 1, 2, 2], Values(F.Interpolate(x, scaleFactor: (1, 1.7))));
        Assert.Equal([0.0, 0, 1, 2, 2, 3], Values(F.Interpolate(x, scaleFactor: (1, 1.7), recomputeScaleFactor: true)));
        var five = Arange(5, 1, 1, 1, 5);
        Assert.Equal([0.0, 1, 3], Values(F.Interpolate(five, size: (1, 3))));
        Assert.Equal([0.0, 2, 4], Values(F.Interpolate(five, size: (1, 3), mode: "nearest-exact")));
    }

    [Fact]
    public void Bilinear_follows_the_pixel_area_rule_and_copies_when_the_size_is_unchanged()
    {
        var x = Arange(4, 1, 1, 1, 4);
        // align_corners false, 4 -> 2: sources 0.5 and 2.5
        Assert.Equal([0.5, 2.5], Values(F.Interpolate(x, size: (1, 2), mode: "bilinear")));
        // align_corners true, 4 -> 3: sources 0, 1.5, 3
        Assert.Equal([0.0, 1.5, 3.0], Values(F.Interpolate(x, size: (1, 3), mode: "bilinear", alignCorners: true)));
        // 4 -> 8, align_corners false: the first output clamps its source at 0
        var up = Values(F.Interpolate(x, size: (1, 8), mode: "bilinear"));
        Assert.Equal(0.0, up[0]);
        Assert.Equal(0.25, up[1], 12);
        Assert.Equal(3.0, up[7]);
        // a scale factor that keeps the size copies (PyTorch's out == in shortcut)
        Assert.Equal(Values(x), Values(F.Interpolate(x, scaleFactor: (1.0, 1.2), mode: "bilinear")));
    }

    [Fact]
    public void Area_mode_is_adaptive_average_pooling()
    {
        var x = Tensor.Randn(new Shape(1, 2, 5, 7), DType.Float64, new Generator(10));
        Close(F.AdaptiveAvgPool2d(x, (2, 3)), F.Interpolate(x, size: (2, 3), mode: "area"));
        Close(F.AdaptiveAvgPool2d(x, (2, 3)), F.Interpolate(x, scaleFactor: (0.5, 0.5), mode: "area"));
    }

    [Fact]
    public void Pixel_shuffle_moves_channel_blocks_into_space_and_unshuffle_undoes_it()
    {
        var x = Arange(2 * 8 * 2 * 3, 2, 8, 2, 3);
        var y = F.PixelShuffle(x, 2);
        Assert.Equal(new Shape(2, 2, 4, 6), y.Shape);
        var xv = Values(x);
        var yv = Values(y);
        // y[n, c, h r + i, w r + j] = x[n, c r^2 + i r + j, h, w]
        for (int n = 0; n < 2; n++) for (int c = 0; c < 2; c++) for (int h = 0; h < 2; h++) for (int w = 0; w < 3; w++)
            for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++)
                Assert.Equal(xv[((n * 8 + c * 4 + i * 2 + j) * 2 + h) * 3 + w], yv[((n * 2 + c) * 4 + h * 2 + i) * 6 + w * 2 + j]);
        Assert.Equal(xv, Values(F.PixelUnshuffle(y, 2)));
    }

    [Fact]
    public void Dropout_is_seeded_scaled_and_the_identity_in_eval()
    {
        var x = Tensor.Ones(new Shape(100, 100), DType.Float64);
        var a = Values(F.Dropout(x, 0.3, generator: new Generator(1)));
        var b = Values(F.Dropout(x, 0.3, generator: new Generator(1)));
        Assert.Equal(a, b);
        Assert.All(a, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7) < 1e-15));
        double kept = a.Count(v => v != 0) / 10000.0;
        Assert.InRange(kept, 0.67, 0.73);
        Assert.Same(x, F.Dropout(x, 0.3, training: false));
        Assert.All(Values(F.Dropout(x, 1.0)), v => Assert.Equal(0.0, v));

        var leaf = Tensor.Ones(new Shape(3), DType.Float64);
        leaf.RequiresGrad = true;
        F.Sum(F.Dropout(leaf, 1.0)).Backward();
        Assert.Equal([0.0, 0, 0], Values(leaf.Grad!));
    }

    [Fact]
    public void Dropout2d_zeroes_whole_channels()
    {
        var x = Tensor.Ones(new Shape(4, 8, 3, 3), DType.Float64);
        var y = Values(F.Dropout2d(x, 0.5, generator: new Generator(2)));
        int zeroed = 0;
        for (int plane = 0; plane < 32; plane++)
        {
            var v = y.Skip(plane * 9).Take(9).Distinct().ToArray();
            Assert.Single(v);
            Assert.True(v[0] == 0 || v[0] == 2);
            if (v[0] == 0) zeroed++;
        }
        Assert.InRange(zeroed, 4, 28);
    }
}
