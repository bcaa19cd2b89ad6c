using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// Average pooling to a fixed output size (torch.nn.functional.adaptive_avg_pool2d): output (oh, ow) averages
    /// rows [floor(oh H / OH), ceil((oh + 1) H / OH)) and the columns likewise.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, Pair outputSize)
    {
        var g = PoolGeometry.Adaptive("adaptive_avg_pool2d", input, outputSize);
        var y = Tensor.Empty(g.OutputShape(input.Shape), input.DType, input.Device);
        if (input.DType == DType.Float32) AdaptivePoolKernels.AvgForward<float>(input, y, g);
        else AdaptivePoolKernels.AvgForward<double>(input, y, g);
        var inShape = input.Shape;
        return Autograd.Record("adaptive_avg_pool2d", y, [input], gy =>
        {
            var gx = Tensor.Zeros(inShape, gy.DType, gy.Device);
            if (gy.DType == DType.Float32) AdaptivePoolKernels.AvgBackward<float>(gy, gx, g);
            else AdaptivePoolKernels.AvgBackward<double>(gy, gx, g);
            return [gx];
        });
    }

    /// <summary>Max pooling to a fixed output size (adaptive_max_pool2d), windows as <see cref="AdaptiveAvgPool2d"/>.</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, Pair outputSize) => AdaptiveMaxPool2dWithIndices(input, outputSize).Output;

    /// <summary>adaptive_max_pool2d with return_indices=True: the int64 flat index (h * W + w) of each maximum in its plane.</summary>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, Pair outputSize)
    {
        var g = PoolGeometry.Adaptive("adaptive_max_pool2d", input, outputSize);
        var outShape = g.OutputShape(input.Shape);
        var y = Tensor.Empty(outShape, input.DType, input.Device);
        var idx = Tensor.Empty(outShape, DType.Int64, input.Device);
        if (input.DType == DType.Float32) AdaptivePoolKernels.MaxForward<float>(input, y, idx, g);
        else AdaptivePoolKernels.MaxForward<double>(input, y, idx, g);
        var output = Autograd.Record("adaptive_max_pool2d", y, [input], gy => [MaxPoolKernels.Backward(gy, idx, input.Shape, g, indicesFromWindows: false)]);
        return (output, idx);
    }
}

/// <summary>Adaptive pooling on the CPU, parallel over planes.</summary>
internal static class AdaptivePoolKernels
{
    public static void AvgForward<T>(Tensor x, Tensor y, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        if (x.Device.IsIlgpu) { PoolGpu.AdaptiveAvgForward<T>(x, y, g); return; }
        T[] xs = x.Data<T>(), ys = y.Data<T>();
        Par.For(g.Planes, g.InPlane + g.OutPlane, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * g.InPlane, yo = p * g.OutPlane;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    int hs = PoolGeometry.AdaptiveStart(oh, g.H, g.OH), he = PoolGeometry.AdaptiveEnd(oh, g.H, g.OH);
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int ws = PoolGeometry.AdaptiveStart(ow, g.W, g.OW), we = PoolGeometry.AdaptiveEnd(ow, g.W, g.OW);
                        T s = T.Zero;
                        for (int ih = hs; ih < he; ih++)
                            for (int iw = ws; iw < we; iw++) s += xs[xo + (long)ih * g.W + iw];
                        ys[yo + (long)oh * g.OW + ow] = s / T.CreateTruncating((he - hs) * (we - ws));
                    }
                }
            }
        });
    }

    public static void AvgBackward<T>(Tensor gy, Tensor gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gy.Numel == 0 || gx.Numel == 0) return;
        if (gy.Device.IsIlgpu) { PoolGpu.AdaptiveAvgBackward<T>(gy, gx, g); return; }
        T[] gs = gy.Data<T>(), gxs = gx.Data<T>();
        Par.For(g.Planes, g.InPlane + g.OutPlane, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * g.InPlane, yo = p * g.OutPlane;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    int hs = PoolGeometry.AdaptiveStart(oh, g.H, g.OH), he = PoolGeometry.AdaptiveEnd(oh, g.H, g.OH);
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int ws = PoolGeometry.AdaptiveStart(ow, g.W, g.OW), we = PoolGeometry.AdaptiveEnd(ow, g.W, g.OW);
                        T share = gs[yo + (long)oh * g.OW + ow] / T.CreateTruncating((he - hs) * (we - ws));
                        for (int ih = hs; ih < he; ih++)
                            for (int iw = ws; iw < we; iw++) gxs[xo + (long)ih * g.W + iw] += share;
                    }
                }
            }
        });
    }

    public static void MaxForward<T>(Tensor x, Tensor y, Tensor idx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        if (x.Device.IsIlgpu) { PoolGpu.AdaptiveMaxForward<T>(x, y, idx, g); return; }
        T[] xs = x.Data<T>(), ys = y.Data<T>();
        long[] ids = idx.Data<long>();
        Par.For(g.Planes, g.InPlane + g.OutPlane, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * g.InPlane, yo = p * g.OutPlane;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    int hs = PoolGeometry.AdaptiveStart(oh, g.H, g.OH), he = PoolGeometry.AdaptiveEnd(oh, g.H, g.OH);
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int ws = PoolGeometry.AdaptiveStart(ow, g.W, g.OW), we = PoolGeometry.AdaptiveEnd(ow, g.W, g.OW);
                        T best = T.NegativeInfinity;
                        long bi = (long)hs * g.W + ws;
                        for (int ih = hs; ih < he; ih++)
                            for (int iw = ws; iw < we; iw++)
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
}
