using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// 2-d average pooling over the last two dims of a (N, C, H, W) or (C, H, W) input, as torch.nn.functional.avg_pool2d.
    /// The divisor is the window's size within the padded input (countIncludePad, the default), or the number of
    /// real input elements in it, or <paramref name="divisorOverride"/> when given.
    /// </summary>
    public static Tensor AvgPool2d(Tensor input, Pair kernelSize, Pair? stride = null, Pair padding = default,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    {
        var g = PoolGeometry.Create("avg_pool2d", input, kernelSize, stride, padding, 1, ceilMode);
        if (divisorOverride == 0) throw new ArgumentException("avg_pool2d: divisor must be not zero, got divisorOverride 0");
        g.CountIncludePad = countIncludePad ? 1 : 0;
        g.Divisor = divisorOverride ?? 0;
        var y = Tensor.Empty(g.OutputShape(input.Shape), input.DType, input.Device);
        if (input.DType == DType.Float32) AvgPoolKernels.Forward<float>(input, y, g);
        else AvgPoolKernels.Forward<double>(input, y, g);
        var inShape = input.Shape;
        return Autograd.Record("avg_pool2d", y, [input], gy =>
        {
            var gx = Tensor.Zeros(inShape, gy.DType, gy.Device);
            if (gy.DType == DType.Float32) AvgPoolKernels.Backward<float>(gy, gx, g);
            else AvgPoolKernels.Backward<double>(gy, gx, g);
            return [gx];
        });
    }
}

/// <summary>Average pooling on the CPU, parallel over planes; the window and divisor rules of PyTorch's avg_pool2d kernel.</summary>
internal static class AvgPoolKernels
{
    /// <summary>
    /// Window [hs, he) x [ws, we) of output (oh, ow), clipped to the input, and its divisor:
    /// hs = oh*stride - pad, he = min(hs + k, H + pad); pool size counted before clipping to [0, H).
    /// </summary>
    public static int Window(in PoolGeometry g, int oh, int ow, out int hs, out int he, out int ws, out int we)
    {
        hs = oh * g.SH - g.PH; ws = ow * g.SW - g.PW;
        he = Math.Min(hs + g.KH, g.H + g.PH); we = Math.Min(ws + g.KW, g.W + g.PW);
        int poolSize = (he - hs) * (we - ws);
        hs = Math.Max(hs, 0); ws = Math.Max(ws, 0);
        he = Math.Min(he, g.H); we = Math.Min(we, g.W);
        if (g.Divisor != 0) return g.Divisor;
        return g.CountIncludePad != 0 ? poolSize : (he - hs) * (we - ws);
    }

    public static void Forward<T>(Tensor x, Tensor y, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        if (x.Device.IsIlgpu) { PoolGpu.AvgForward<T>(x, y, g); return; }
        T[] xs = x.Data<T>(), ys = y.Data<T>();
        Par.For(g.Planes, g.OutPlane * g.KH * g.KW, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * g.InPlane, yo = p * g.OutPlane;
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int div = Window(g, oh, ow, out int hs, out int he, out int ws, out int we);
                        T s = T.Zero;
                        for (int ih = hs; ih < he; ih++)
                        {
                            long r = xo + (long)ih * g.W;
                            for (int iw = ws; iw < we; iw++) s += xs[r + iw];
                        }
                        // an empty window (only padding) gives 0, as in PyTorch
                        ys[yo + (long)oh * g.OW + ow] = hs >= he || ws >= we ? T.Zero : s / T.CreateTruncating(div);
                    }
            }
        });
    }

    public static void Backward<T>(Tensor gy, Tensor gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gy.Numel == 0 || gx.Numel == 0) return;
        if (gy.Device.IsIlgpu) { PoolGpu.AvgBackward<T>(gy, gx, g); return; }
        T[] gs = gy.Data<T>(), gxs = gx.Data<T>();
        Par.For(g.Planes, g.OutPlane * g.KH * g.KW, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * g.InPlane, yo = p * g.OutPlane;
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int div = Window(g, oh, ow, out int hs, out int he, out int ws, out int we);
                        T share = gs[yo + (long)oh * g.OW + ow] / T.CreateTruncating(div);
                        for (int ih = hs; ih < he; ih++)
                        {
                            long r = xo + (long)ih * g.W;
                            for (int iw = ws; iw < we; iw++) gxs[r + iw] += share;
                        }
                    }
            }
        });
    }
}
