using Framework;

namespace Framework.Benchmarks;

/// <summary>
/// Rows of the spatial ops, the workloads of ../shared/bench/torch_reference.py (orders 40, 41, 42: after the
/// convolution rows, before the STN training step and deform_conv2d).
/// </summary>
public static class SpatialRows
{
    /// <summary>
    /// Runs a row's action until the JIT has tiered up what it calls (at least 40 calls and half a second): the
    /// harness's two warm-up calls leave the framework's non-kernel code (autograd, sum, allocation) at tier 0,
    /// while PyTorch's numbers are steady state. The timing itself is the harness's, unchanged.
    /// </summary>
    private static Action WarmedUp(Action action)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 40 || clock.Elapsed.TotalSeconds < 0.5; i++) action();
        return action;
    }

    public static IEnumerable<BenchRow> Rows()
    {
        yield return new BenchRow(40, "affine_grid+grid_sample 64x1x28x28 fwd+bwd", () =>
        {
            var img = Tensor.Randn(64, 1, 28, 28).RequiresGrad_();
            var theta = (F.Unsqueeze(Tensor.Eye(2, 3), 0).Expand(64, 2, 3) + 0.1 * Tensor.Randn(64, 2, 3)).Detach().RequiresGrad_();
            return WarmedUp(() =>
            {
                var g = F.AffineGrid(theta, [64, 1, 28, 28], alignCorners: false);
                F.Sum(F.GridSample(img, g, "bilinear", "zeros", alignCorners: false)).Backward();
            });
        });
        // PyTorch's row composes softmax and the coordinate sums by hand; ours is the fused op on the same maps
        yield return new BenchRow(41, "softargmax 32x16x64x64 fwd+bwd", () =>
        {
            var hm = Tensor.Randn(32, 16, 64, 64).RequiresGrad_();
            return WarmedUp(() => F.Sum(F.SoftArgmax2d(hm)).Backward());
        });
        // PyTorch's row composes grid_sample calls (the "(composed)" of the name); ours runs the fused op
        yield return new BenchRow(42, "points_collection b4 N9 M9 64^2<-32^2 fwd+bwd (composed)", () =>
        {
            var t = Tensor.Randn(4, 18, 64, 64).RequiresGrad_();
            var d = Tensor.Randn(4, 18, 32, 32).RequiresGrad_();
            return WarmedUp(() => F.Sum(F.PointsCollection(t, d)).Backward());
        });
    }
}
