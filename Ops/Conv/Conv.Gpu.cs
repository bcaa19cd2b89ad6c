using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>
/// ILGPU kernels of the convolution products, written directly (one thread per output element, no atomics):
/// each thread sums its own products, so the input and weight gradients gather rather than scatter.
/// Correctness first; a tiled implicit-GEMM kernel is future work.
/// </summary>
internal static class ConvGpu
{
    public static void Forward<T>(ConvGeometry g, Tensor x, Tensor w, Tensor? bias, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        var b = bias ?? Tensor.Zeros(new Shape(g.O), x.DType, x.Device);
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ConvGeometry>(Gpu.Acc(x), ForwardKernel<T>)(
            Gpu.Int(y.Numel), x.View<T>(), w.View<T>(), b.View<T>(), y.View<T>(), g);
        if (bias is null) b.Dispose();
    }

    public static void BackwardInput<T>(ConvGeometry g, Tensor dy, Tensor w, Tensor dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ConvGeometry>(Gpu.Acc(dy), InputGradKernel<T>)(
            Gpu.Int(dx.Numel), dy.View<T>(), w.View<T>(), dx.View<T>(), g);
    }

    public static void BackwardWeight<T>(ConvGeometry g, Tensor dy, Tensor x, Tensor dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dw.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ConvGeometry>(Gpu.Acc(dy), WeightGradKernel<T>)(
            Gpu.Int(dw.Numel), dy.View<T>(), x.View<T>(), dw.View<T>(), g);
    }

    public static void BackwardBias<T>(Tensor dy, Tensor db, int n, int o, int l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (db.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, int, int, int>(Gpu.Acc(dy), BiasGradKernel<T>)(
            o, dy.View<T>(), db.View<T>(), n, o, l);
    }

    /// <summary>Unfold: cols (N, C KH KW, L) from x; one thread per column entry.</summary>
    public static void Unfold<T>(ConvGeometry g, Tensor x, Tensor cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (cols.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ConvGeometry>(Gpu.Acc(x), UnfoldKernel<T>)(
            Gpu.Int(cols.Numel), x.View<T>(), cols.View<T>(), g);
    }

    /// <summary>Fold: x (N, C, H, W) = sum of the column entries that read each pixel; one thread per pixel.</summary>
    public static void Fold<T>(ConvGeometry g, Tensor cols, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ConvGeometry>(Gpu.Acc(x), FoldKernel<T>)(
            Gpu.Int(x.Numel), cols.View<T>(), x.View<T>(), g);
    }

    private static void ForwardKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> w, ArrayView<T> b, ArrayView<T> y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ow = (int)(i % g.OW), oh = (int)(i / g.OW % g.OH), o = (int)(i / ((long)g.OW * g.OH) % g.O), n = (int)(i / ((long)g.L * g.O));
        int cg = g.C / g.Groups, grp = o / (g.O / g.Groups);
        T s = b[o];
        for (int c = 0; c < cg; c++)
            for (int ki = 0; ki < g.KH; ki++)
            {
                int ih = oh * g.SH - g.PT + ki * g.DH;
                if (ih < 0 || ih >= g.H) continue;
                for (int kj = 0; kj < g.KW; kj++)
                {
                    int iw = ow * g.SW - g.PL + kj * g.DW;
                    if (iw < 0 || iw >= g.W) continue;
                    s += x[(((long)n * g.C + grp * cg + c) * g.H + ih) * g.W + iw] * w[(((long)o * cg + c) * g.KH + ki) * g.KW + kj];
                }
            }
        y[i] = s;
    }

    private static void InputGradKernel<T>(Index1D i, ArrayView<T> dy, ArrayView<T> w, ArrayView<T> dx, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int iw = (int)(i % g.W), ih = (int)(i / g.W % g.H), c = (int)(i / ((long)g.W * g.H) % g.C), n = (int)(i / ((long)g.W * g.H * g.C));
        int cg = g.C / g.Groups, og = g.O / g.Groups, grp = c / cg, cl = c % cg;
        T s = T.Zero;
        for (int ki = 0; ki < g.KH; ki++)
        {
            int th = ih + g.PT - ki * g.DH;
            if (th < 0 || th % g.SH != 0 || th / g.SH >= g.OH) continue;
            int oh = th / g.SH;
            for (int kj = 0; kj < g.KW; kj++)
            {
                int tw = iw + g.PL - kj * g.DW;
                if (tw < 0 || tw % g.SW != 0 || tw / g.SW >= g.OW) continue;
                int ow = tw / g.SW;
                for (int o = grp * og; o < (grp + 1) * og; o++)
                    s += dy[(((long)n * g.O + o) * g.OH + oh) * g.OW + ow] * w[(((long)o * cg + cl) * g.KH + ki) * g.KW + kj];
            }
        }
        dx[i] = s;
    }

    private static void WeightGradKernel<T>(Index1D i, ArrayView<T> dy, ArrayView<T> x, ArrayView<T> dw, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = g.C / g.Groups, og = g.O / g.Groups;
        int kj = (int)(i % g.KW), ki = (int)(i / g.KW % g.KH), c = (int)(i / ((long)g.KW * g.KH) % cg), o = (int)(i / ((long)g.KW * g.KH * cg));
        int grp = o / og;
        T s = T.Zero;
        for (int n = 0; n < g.N; n++)
            for (int oh = 0; oh < g.OH; oh++)
            {
                int ih = oh * g.SH - g.PT + ki * g.DH;
                if (ih < 0 || ih >= g.H) continue;
                for (int ow = 0; ow < g.OW; ow++)
                {
                    int iw = ow * g.SW - g.PL + kj * g.DW;
                    if (iw < 0 || iw >= g.W) continue;
                    s += dy[(((long)n * g.O + o) * g.OH + oh) * g.OW + ow] * x[(((long)n * g.C + grp * cg + c) * g.H + ih) * g.W + iw];
                }
            }
        dw[i] = s;
    }

    private static void BiasGradKernel<T>(Index1D c, ArrayView<T> dy, ArrayView<T> db, int n, int o, int l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = T.Zero;
        for (int i = 0; i < n; i++)
            for (int p = 0; p < l; p++) s += dy[((long)i * o + c) * l + p];
        db[c] = s;
    }

    private static void UnfoldKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> cols, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long l = g.L, rows = (long)g.C * g.KH * g.KW;
        int pos = (int)(i % l), row = (int)(i / l % rows), n = (int)(i / (l * rows));
        int kj = row % g.KW, ki = row / g.KW % g.KH, c = row / (g.KW * g.KH);
        int ih = pos / g.OW * g.SH - g.PT + ki * g.DH, iw = pos % g.OW * g.SW - g.PL + kj * g.DW;
        cols[i] = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W ? x[(((long)n * g.C + c) * g.H + ih) * g.W + iw] : T.Zero;
    }

    private static void FoldKernel<T>(Index1D i, ArrayView<T> cols, ArrayView<T> x, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int iw = (int)(i % g.W), ih = (int)(i / g.W % g.H), c = (int)(i / ((long)g.W * g.H) % g.C), n = (int)(i / ((long)g.W * g.H * g.C));
        long l = g.L, rows = (long)g.C * g.KH * g.KW;
        T s = T.Zero;
        for (int ki = 0; ki < g.KH; ki++)
        {
            int th = ih + g.PT - ki * g.DH;
            if (th < 0 || th % g.SH != 0 || th / g.SH >= g.OH) continue;
            for (int kj = 0; kj < g.KW; kj++)
            {
                int tw = iw + g.PL - kj * g.DW;
                if (tw < 0 || tw % g.SW != 0 || tw / g.SW >= g.OW) continue;
                long row = ((long)c * g.KH + ki) * g.KW + kj;
                s += cols[((long)n * rows + row) * l + th / g.SH * g.OW + tw / g.SW];
            }
        }
        x[i] = s;
    }
}
