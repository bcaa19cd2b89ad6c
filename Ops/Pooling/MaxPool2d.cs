using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// 2-d max pooling over the last two dims of a (N, C, H, W) or (C, H, W) input, as torch.nn.functional.max_pool2d:
    /// stride defaults to the kernel size, padding counts as -inf, dilation spaces the window, ceilMode rounds the
    /// output size up (the last window must still start inside the input or its left padding).
    /// </summary>
    public static Tensor MaxPool2d(Tensor input, Pair kernelSize, Pair? stride = null, Pair padding = default,
        Pair? dilation = null, bool ceilMode = false) =>
        MaxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode).Output;

    /// <summary>
    /// max_pool2d with return_indices=True: also the int64 flat index (h * W + w) of each maximum within its
    /// input plane. Ties keep the first maximum in row-major window order; a NaN wins over numbers (PyTorch's rule).
    /// A window that holds only padding (possible with dilation) gives -inf and index -1 (PyTorch returns an index
    /// outside the plane there) and passes no gradient.
    /// </summary>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, Pair kernelSize, Pair? stride = null,
        Pair padding = default, Pair? dilation = null, bool ceilMode = false)
    {
        var g = PoolGeometry.Create("max_pool2d", input, kernelSize, stride, padding, dilation ?? 1, ceilMode);
        var outShape = g.OutputShape(input.Shape);
        var y = Tensor.Empty(outShape, input.DType, input.Device);
        var idx = Tensor.Empty(outShape, DType.Int64, input.Device);
        if (input.DType == DType.Float32) MaxPoolKernels.Forward<float>(input, y, idx, g);
        else MaxPoolKernels.Forward<double>(input, y, idx, g);
        var output = Autograd.Record("max_pool2d", y, [input], gy => [MaxPoolKernels.Backward(gy, idx, input.Shape, g, indicesFromWindows: true)]);
        return (output, idx);
    }
}

/// <summary>
/// Max pooling (fixed and adaptive windows) on the CPU, parallel over planes. Backward scatters each output's
/// gradient to the input element its index names: within one plane, serially, so no two threads touch one element.
/// </summary>
internal static class MaxPoolKernels
{
    public static void Forward<T>(Tensor x, Tensor y, Tensor idx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        if (x.Device.IsIlgpu) { PoolGpu.MaxForward<T>(x, y, idx, g); return; }
        T[] xs = x.Data<T>(), ys = y.Data<T>();
        long[] ids = idx.Data<long>();
        Par.For(g.Planes, g.OutPlane * g.KH * g.KW, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * g.InPlane, yo = p * g.OutPlane;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    // PyTorch's window: start at oh*stride - pad, step dilation, skip the padded positions
                    int hs = oh * g.SH - g.PH, he = Math.Min(hs + (g.KH - 1) * g.DH + 1, g.H);
                    while (hs < 0) hs += g.DH;
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int ws = ow * g.SW - g.PW, we = Math.Min(ws + (g.KW - 1) * g.DW + 1, g.W);
                        while (ws < 0) ws += g.DW;
                        T best = T.NegativeInfinity;
                        // an empty window (all padding, possible with dilation) gets index -1 and -inf
                        long bi = hs < he && ws < we ? (long)hs * g.W + ws : -1;
                        for (int ih = hs; ih < he; ih += g.DH)
                            for (int iw = ws; iw < we; iw += g.DW)
                            {
                                long q = (long)ih * g.W + iw;
                                T v = xs[xo + q];
                                if (v > best || T.IsNaN(v)) { best = v; bi = q; }
                            }
                        ys[yo + (long)oh * g.OW + ow] = best;
                        ids[yo + (long)oh * g.OW + ow] = bi;
                    }
                }
            }
        });
    }

    /// <summary>
    /// The adjoint: gx (zeros of <paramref name="inShape"/>) plus each output gradient at its index. The GPU
    /// gathers instead (each input element sums the outputs that chose it), through the fixed or adaptive windows.
    /// </summary>
    public static Tensor Backward(Tensor gy, Tensor idx, Shape inShape, PoolGeometry g, bool indicesFromWindows)
    {
        var gx = Tensor.Zeros(inShape, gy.DType, gy.Device);
        if (gy.Numel == 0 || gx.Numel == 0) return gx;
        if (gy.DType == DType.Float32) Scatter<float>(gy, idx, gx, g, indicesFromWindows);
        else Scatter<double>(gy, idx, gx, g, indicesFromWindows);
        return gx;
    }

    private static void Scatter<T>(Tensor gy, Tensor idx, Tensor gx, PoolGeometry g, bool fixedWindows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gy.Device.IsIlgpu)
        {
            if (fixedWindows) PoolGpu.MaxBackward<T>(gy, idx, gx, g);
            else PoolGpu.AdaptiveMaxBackward<T>(gy, idx, gx, g);
            return;
        }
        T[] gs = gy.Data<T>(), gxs = gx.Data<T>();
        long[] ids = idx.Data<long>();
        long inPlane = g.InPlane, outPlane = g.OutPlane;
        Par.For(g.Planes, outPlane, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * inPlane, yo = p * outPlane;
                for (long q = 0; q < outPlane; q++)
                {
                    long i = ids[yo + q];
                    // an all-padding window (possible with dilation) has no input element to credit
                    if ((ulong)i < (ulong)inPlane) gxs[xo + i] += gs[yo + q];
                }
            }
        });
    }
}
