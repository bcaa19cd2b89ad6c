namespace Framework;

/// <summary>
/// Soft-argmax (integral regression, Sun et al. ECCV 2018): the expected pixel coordinate under
/// softmax(beta * heatmap) over all spatial positions, a differentiable stand-in for argmax.
/// </summary>
public static partial class F
{
    /// <summary>
    /// For heatmaps (..., H, W): softmax of beta * heatmap over the H x W positions of each map, then the
    /// expected position, returned as (..., 2) holding (x, y) in pixel-index units (x indexes W). Stable for
    /// any finite beta (the maximum is subtracted first); beta -> infinity tends to the argmax position.
    /// </summary>
    public static Tensor SoftArgmax2d(Tensor heatmaps, double beta = 1) => SoftArgmax("softargmax2d", heatmaps, beta, 2, null);

    /// <summary><see cref="SoftArgmax2d(Tensor, double)"/>, also giving the normalised heatmap (each map sums to 1; differentiable).</summary>
    public static Tensor SoftArgmax2d(Tensor heatmaps, double beta, out Tensor heatmap)
    {
        var box = new Tensor[1];
        var coords = SoftArgmax("softargmax2d", heatmaps, beta, 2, box);
        heatmap = box[0];
        return coords;
    }

    /// <summary>For heatmaps (..., D, H, W): the expected position as (..., 3) holding (x, y, z) (x indexes W, z indexes D).</summary>
    public static Tensor SoftArgmax3d(Tensor heatmaps, double beta = 1) => SoftArgmax("softargmax3d", heatmaps, beta, 3, null);

    /// <summary><see cref="SoftArgmax3d(Tensor, double)"/>, also giving the normalised heatmap (each volume sums to 1; differentiable).</summary>
    public static Tensor SoftArgmax3d(Tensor heatmaps, double beta, out Tensor heatmap)
    {
        var box = new Tensor[1];
        var coords = SoftArgmax("softargmax3d", heatmaps, beta, 3, box);
        heatmap = box[0];
        return coords;
    }

    private static Tensor SoftArgmax(string op, Tensor x, double beta, int dims, Tensor[]? heatmapBox)
    {
        Check.Float(op, x, "heatmaps");
        Check.Finite(op, beta, "beta");
        string layout = dims == 2 ? "(..., H, W)" : "(..., D, H, W)";
        if (x.Rank < dims)
            throw new ArgumentException($"{op}: expected heatmaps of shape {layout}, got {x.Shape}");
        var spatial = x.Shape.ToArray()[^dims..];
        if (spatial.Any(s => s == 0))
            throw new ArgumentException($"{op}: expected non-empty spatial dims in heatmaps {layout}, got {x.Shape}");
        var a = new SoftArgmaxArgs
        {
            Rows = checked((int)(x.Numel / spatial.Aggregate(1L, (p, s) => p * s))),
            D = dims == 3 ? spatial[0] : 1, H = spatial[^2], W = spatial[^1], Dims = dims,
            WantHeatmap = heatmapBox is null ? 0 : 1,
        };
        var outShape = x.Shape.ToArray()[..^dims].Append(dims).ToArray();
        var coords = Tensor.Empty(outShape, x.DType, x.Device);
        var stats = Tensor.Empty(new Shape(a.Rows, 2), x.DType, x.Device);   // per map: max(beta x), 1 / sum exp
        var p = heatmapBox is null ? null : Tensor.Empty(x.Shape, x.DType, x.Device);
        SoftArgmaxCpu.Forward(x, p, stats, coords, beta, a);
        var result = Autograd.Record(op, coords, [x], g =>
        {
            var gx = Tensor.Uninitialized(x.Shape, x.DType, x.Device);   // every element is written
            SoftArgmaxCpu.Backward(x, stats, coords, g, gx, beta, a);
            return [gx];
        });
        if (heatmapBox is not null)
        {
            // a second node on the same input: the heatmap's gradient is softmax's, times beta
            var heatmap = p!;
            heatmapBox[0] = Autograd.Record(op + "_heatmap", heatmap, [x], g =>
            {
                var gx = Tensor.Empty(x.Shape, x.DType, x.Device);
                int s = a.D * a.H * a.W;
                if (x.Numel > 0)
                {
                    if (x.DType == DType.Float32) SoftmaxKernels.Backward<float>(heatmap.ViewAs(new Shape(a.Rows, s)), g.ViewAs(new Shape(a.Rows, s)), gx.ViewAs(new Shape(a.Rows, s)), 1, log: false);
                    else SoftmaxKernels.Backward<double>(heatmap.ViewAs(new Shape(a.Rows, s)), g.ViewAs(new Shape(a.Rows, s)), gx.ViewAs(new Shape(a.Rows, s)), 1, log: false);
                }
                return [beta == 1 ? gx : F.Mul(gx, beta)];
            });
        }
        return result;
    }
}
