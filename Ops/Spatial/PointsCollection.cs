namespace Framework;

/// <summary>
/// The points-collection op (../shared/spec/points-collection.md): chains the sampling points of two stacked
/// deformable convolutions, with its own fused kernels (the composition of grid_sample calls is its test reference).
/// </summary>
public static partial class F
{
    /// <summary>
    /// For target offsets t (B, 2N, H, W) (channel 2n = y, 2n+1 = x of point n) and deformable offsets
    /// d (B, 2M, h, w) (channel 2m = u, the y offset of point m, 2m+1 = v, its x offset), returns the accumulated
    /// points p (B, 2NM, H, W): with Y = (i + y) h/H, X = (j + x) w/W and S the bilinear read of d at (Y, X)
    /// (zero outside the h x w field), p[2(nM+m)] = S(u^m) H/h + y and p[2(nM+m)+1] = S(v^m) W/w + x.
    /// Differentiable w.r.t. both inputs; at integer Y or X the derivative follows the floor rule (rows
    /// floor(Y) and floor(Y) + 1), as torch's grid_sample does.
    /// </summary>
    public static Tensor PointsCollection(Tensor targetOffsets, Tensor deformableOffsets)
    {
        const string op = "points_collection";
        Tensor t = targetOffsets, d = deformableOffsets;
        Check.Float(op, t, "targetOffsets");
        Check.Float(op, d, "deformableOffsets");
        Check.SameDTypeAndDevice(op, t, d);
        Check.Rank(op, t, 4, "targetOffsets", "(B, 2N, H, W)");
        Check.Rank(op, d, 4, "deformableOffsets", "(B, 2M, h, w)");
        if (t.Shape[1] % 2 != 0)
            throw new ArgumentException($"{op}: targetOffsets (B, 2N, H, W) needs an even channel count (y, x per point), got {t.Shape}");
        if (d.Shape[1] % 2 != 0)
            throw new ArgumentException($"{op}: deformableOffsets (B, 2M, h, w) needs an even channel count (u, v per point), got {d.Shape}");
        if (t.Shape[0] != d.Shape[0])
            throw new ArgumentException($"{op}: targetOffsets {t.Shape} and deformableOffsets {d.Shape} must have the same batch size");
        if (t.Shape[2] == 0 || t.Shape[3] == 0 || d.Shape[2] == 0 || d.Shape[3] == 0)
            throw new ArgumentException($"{op}: empty maps: targetOffsets {t.Shape} and deformableOffsets {d.Shape} need non-empty spatial dims (the ratios h/H, w/W)");

        var a = new PointsCollectionArgs
        {
            B = t.Shape[0], N = t.Shape[1] / 2, M = d.Shape[1] / 2,
            H = t.Shape[2], W = t.Shape[3], Hd = d.Shape[2], Wd = d.Shape[3],
        };
        var p = Tensor.Uninitialized(new Shape(a.B, 2 * a.N * a.M, a.H, a.W), t.DType, t.Device);
        var channelLast = p.Numel > 0 ? PointsCollectionCpu.Forward(t, d, p, a) : null;
        return Autograd.Record(op, p, [t, d], g =>
        {
            var b = a;
            b.NeedTargetGrad = t.RequiresGrad ? 1 : 0;
            b.NeedDeformGrad = d.RequiresGrad ? 1 : 0;
            // the CPU kernels write every element of both gradients (the GPU one adds into gd atomically)
            bool written = p.Numel > 0 && t.Device.IsCpu;
            var gt = t.RequiresGrad ? (written ? Tensor.Uninitialized(t.Shape, t.DType) : Tensor.Zeros(t.Shape, t.DType, t.Device)) : null;
            var gd = d.RequiresGrad ? (written ? Tensor.Uninitialized(d.Shape, d.DType) : Tensor.Zeros(d.Shape, d.DType, d.Device)) : null;
            if (p.Numel > 0) PointsCollectionCpu.Backward(t, d, g, gt, gd, b, channelLast);
            return [gt, gd];
        });
    }
}
