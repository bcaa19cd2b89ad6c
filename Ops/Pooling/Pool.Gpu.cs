using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>
/// ILGPU kernels of the poolings: one thread per output element forward; backward one thread per input element
/// that sums the outputs whose window holds it (deterministic, no atomics).
/// </summary>
internal static class PoolGpu
{
    public static void MaxForward<T>(Tensor x, Tensor y, Tensor idx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>, PoolGeometry>(Gpu.Acc(x), MaxForwardKernel<T>)(
            Gpu.Int(y.Numel), x.View<T>(), y.View<T>(), idx.View<long>(), g);

    public static void MaxBackward<T>(Tensor gy, Tensor idx, Tensor gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<long>, ArrayView<T>, PoolGeometry>(Gpu.Acc(gy), MaxBackwardKernel<T>)(
            Gpu.Int(gx.Numel), gy.View<T>(), idx.View<long>(), gx.View<T>(), g);

    public static void AvgForward<T>(Tensor x, Tensor y, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, PoolGeometry>(Gpu.Acc(x), AvgForwardKernel<T>)(Gpu.Int(y.Numel), x.View<T>(), y.View<T>(), g);

    public static void AvgBackward<T>(Tensor gy, Tensor gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, PoolGeometry>(Gpu.Acc(gy), AvgBackwardKernel<T>)(Gpu.Int(gx.Numel), gy.View<T>(), gx.View<T>(), g);

    public static void AdaptiveAvgForward<T>(Tensor x, Tensor y, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, PoolGeometry>(Gpu.Acc(x), AdaptiveAvgForwardKernel<T>)(Gpu.Int(y.Numel), x.View<T>(), y.View<T>(), g);

    public static void AdaptiveAvgBackward<T>(Tensor gy, Tensor gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, PoolGeometry>(Gpu.Acc(gy), AdaptiveAvgBackwardKernel<T>)(Gpu.Int(gx.Numel), gy.View<T>(), gx.View<T>(), g);

    public static void AdaptiveMaxForward<T>(Tensor x, Tensor y, Tensor idx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>, PoolGeometry>(Gpu.Acc(x), AdaptiveMaxForwardKernel<T>)(
            Gpu.Int(y.Numel), x.View<T>(), y.View<T>(), idx.View<long>(), g);

    public static void AdaptiveMaxBackward<T>(Tensor gy, Tensor idx, Tensor gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<long>, ArrayView<T>, PoolGeometry>(Gpu.Acc(gy), AdaptiveMaxBackwardKernel<T>)(
            Gpu.Int(gx.Numel), gy.View<T>(), idx.View<long>(), gx.View<T>(), g);

    private static void MaxForwardKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<long> idx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.OutPlane, q = i % g.OutPlane;
        int oh = (int)(q / g.OW), ow = (int)(q % g.OW);
        int hs = oh * g.SH - g.PH, he = KernelMath.Min(hs + (g.KH - 1) * g.DH + 1, g.H);
        while (hs < 0) hs += g.DH;
        int ws = ow * g.SW - g.PW, we = KernelMath.Min(ws + (g.KW - 1) * g.DW + 1, g.W);
        while (ws < 0) ws += g.DW;
        long xo = p * g.InPlane;
        T best = T.NegativeInfinity;
        long bi = hs < he && ws < we ? (long)hs * g.W + ws : -1;
        for (int ih = hs; ih < he; ih += g.DH)
            for (int iw = ws; iw < we; iw += g.DW)
            {
                long r = (long)ih * g.W + iw;
                T v = x[xo + r];
                if (v > best || T.IsNaN(v)) { best = v; bi = r; }
            }
        y[i] = best;
        idx[i] = bi;
    }

    private static void MaxBackwardKernel<T>(Index1D i, ArrayView<T> gy, ArrayView<long> idx, ArrayView<T> gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.InPlane, r = i % g.InPlane;
        int ih = (int)(r / g.W), iw = (int)(r % g.W);
        T s = T.Zero;
        // output (oh, ow) holds input (ih, iw) at window offset kh, kw when oh*SH - PH + kh*DH == ih
        for (int kh = 0; kh < g.KH; kh++)
        {
            int th = ih + g.PH - kh * g.DH;
            if (th < 0 || th % g.SH != 0 || th / g.SH >= g.OH) continue;
            int oh = th / g.SH;
            for (int kw = 0; kw < g.KW; kw++)
            {
                int tw = iw + g.PW - kw * g.DW;
                if (tw < 0 || tw % g.SW != 0 || tw / g.SW >= g.OW) continue;
                long o = p * g.OutPlane + (long)oh * g.OW + tw / g.SW;
                if (idx[o] == r) s += gy[o];
            }
        }
        gx[i] = s;
    }

    /// <summary>avg_pool2d's divisor for output (oh, ow) (see AvgPoolKernels.Window), with the clipped window in hs..we.</summary>
    private static long AvgDivisor(PoolGeometry g, int oh, int ow)
    {
        int hs = oh * g.SH - g.PH, ws = ow * g.SW - g.PW;
        int he = KernelMath.Min(hs + g.KH, g.H + g.PH), we = KernelMath.Min(ws + g.KW, g.W + g.PW);
        long poolSize = (long)(he - hs) * (we - ws);
        hs = KernelMath.Max(hs, 0); ws = KernelMath.Max(ws, 0);
        he = KernelMath.Min(he, g.H); we = KernelMath.Min(we, g.W);
        if (g.Divisor != 0) return g.Divisor;
        return g.CountIncludePad != 0 ? poolSize : (long)(he - hs) * (we - ws);
    }

    private static void AvgForwardKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.OutPlane, q = i % g.OutPlane;
        int oh = (int)(q / g.OW), ow = (int)(q % g.OW);
        int hs = KernelMath.Max(oh * g.SH - g.PH, 0), ws = KernelMath.Max(ow * g.SW - g.PW, 0);
        int he = KernelMath.Min(oh * g.SH - g.PH + g.KH, g.H), we = KernelMath.Min(ow * g.SW - g.PW + g.KW, g.W);
        long xo = p * g.InPlane;
        T s = T.Zero;
        for (int ih = hs; ih < he; ih++)
            for (int iw = ws; iw < we; iw++) s += x[xo + (long)ih * g.W + iw];
        y[i] = hs >= he || ws >= we ? T.Zero : s / KernelMath.FromInt<T>(AvgDivisor(g, oh, ow));
    }

    private static void AvgBackwardKernel<T>(Index1D i, ArrayView<T> gy, ArrayView<T> gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.InPlane, r = i % g.InPlane;
        int ih = (int)(r / g.W), iw = (int)(r % g.W);
        T s = T.Zero;
        for (int kh = 0; kh < g.KH; kh++)
        {
            int th = ih + g.PH - kh;
            if (th < 0 || th % g.SH != 0 || th / g.SH >= g.OH) continue;
            int oh = th / g.SH;
            for (int kw = 0; kw < g.KW; kw++)
            {
                int tw = iw + g.PW - kw;
                if (tw < 0 || tw % g.SW != 0 || tw / g.SW >= g.OW) continue;
                int ow = tw / g.SW;
                s += gy[p * g.OutPlane + (long)oh * g.OW + ow] / KernelMath.FromInt<T>(AvgDivisor(g, oh, ow));
            }
        }
        gx[i] = s;
    }

    private static int Start(int o, int input, int output) => (int)((long)o * input / output);
    private static int End(int o, int input, int output) => (int)(((long)(o + 1) * input + output - 1) / output);

    private static void AdaptiveAvgForwardKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.OutPlane, q = i % g.OutPlane;
        int oh = (int)(q / g.OW), ow = (int)(q % g.OW);
        int hs = Start(oh, g.H, g.OH), he = End(oh, g.H, g.OH), ws = Start(ow, g.W, g.OW), we = End(ow, g.W, g.OW);
        long xo = p * g.InPlane;
        T s = T.Zero;
        for (int ih = hs; ih < he; ih++)
            for (int iw = ws; iw < we; iw++) s += x[xo + (long)ih * g.W + iw];
        y[i] = s / KernelMath.FromInt<T>((long)(he - hs) * (we - ws));
    }

    private static void AdaptiveAvgBackwardKernel<T>(Index1D i, ArrayView<T> gy, ArrayView<T> gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.InPlane, r = i % g.InPlane;
        int ih = (int)(r / g.W), iw = (int)(r % g.W);
        T s = T.Zero;
        // the windows holding ih lie within [floor(ih OH / H), ceil((ih + 1) OH / H)); membership is checked exactly
        int oh0 = Start(ih, g.OH, g.H), oh1 = KernelMath.Min(End(ih, g.OH, g.H), g.OH);
        int ow0 = Start(iw, g.OW, g.W), ow1 = KernelMath.Min(End(iw, g.OW, g.W), g.OW);
        for (int oh = oh0; oh < oh1; oh++)
        {
            int hs = Start(oh, g.H, g.OH), he = End(oh, g.H, g.OH);
            if (ih < hs || ih >= he) continue;
            for (int ow = ow0; ow < ow1; ow++)
            {
                int ws = Start(ow, g.W, g.OW), we = End(ow, g.W, g.OW);
                if (iw < ws || iw >= we) continue;
                s += gy[p * g.OutPlane + (long)oh * g.OW + ow] / KernelMath.FromInt<T>((long)(he - hs) * (we - ws));
            }
        }
        gx[i] = s;
    }

    private static void AdaptiveMaxForwardKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<long> idx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.OutPlane, q = i % g.OutPlane;
        int oh = (int)(q / g.OW), ow = (int)(q % g.OW);
        int hs = Start(oh, g.H, g.OH), he = End(oh, g.H, g.OH), ws = Start(ow, g.W, g.OW), we = End(ow, g.W, g.OW);
        long xo = p * g.InPlane;
        T best = T.NegativeInfinity;
        long bi = (long)hs * g.W + ws;
        for (int ih = hs; ih < he; ih++)
            for (int iw = ws; iw < we; iw++)
            {
                long r = (long)ih * g.W + iw;
                T v = x[xo + r];
                if (v > best || T.IsNaN(v)) { best = v; bi = r; }
            }
        y[i] = best;
        idx[i] = bi;
    }

    private static void AdaptiveMaxBackwardKernel<T>(Index1D i, ArrayView<T> gy, ArrayView<long> idx, ArrayView<T> gx, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.InPlane, r = i % g.InPlane;
        int ih = (int)(r / g.W), iw = (int)(r % g.W);
        T s = T.Zero;
        int oh0 = Start(ih, g.OH, g.H), oh1 = KernelMath.Min(End(ih, g.OH, g.H), g.OH);
        int ow0 = Start(iw, g.OW, g.W), ow1 = KernelMath.Min(End(iw, g.OW, g.W), g.OW);
        for (int oh = oh0; oh < oh1; oh++)
            for (int ow = ow0; ow < ow1; ow++)
            {
                long o = p * g.OutPlane + (long)oh * g.OW + ow;
                if (idx[o] == r) s += gy[o];
            }
        gx[i] = s;
    }
}
