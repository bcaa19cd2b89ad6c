using System.Numerics;

namespace Framework;

/// <summary>
/// im2col and its adjoint col2im for one image and one group: the unfolded matrix has a row per
/// (channel, kernel row, kernel column) and a column per output position, so a convolution is one GEMM.
/// Rows are filled a whole output row at a time; with unit stride that is one contiguous copy plus the
/// zero padding at both ends.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>cols[K x L] = the patches of x[Cg x H x W] (zero outside the image).</summary>
    public static void Unfold<T>(in ConvGeometry g, T* x, T* cols) where T : unmanaged, INumberBase<T>
    {
        int ow = g.OW, w = g.W;
        for (int c = 0; c < g.Cg; c++)
            for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++)
                {
                    T* dst = cols + (long)((c * g.KH + ki) * g.KW + kj) * g.L;
                    int iw0 = kj * g.DW - g.PL;
                    var (lo, hi) = ValidRange(iw0, g.SW, ow, w);
                    for (int oh = 0; oh < g.OH; oh++, dst += ow)
                    {
                        int ih = oh * g.SH - g.PT + ki * g.DH;
                        if ((uint)ih >= (uint)g.H || lo >= hi) { new Span<T>(dst, ow).Clear(); continue; }
                        T* src = x + ((long)c * g.H + ih) * w + iw0;
                        for (int o = 0; o < lo; o++) dst[o] = T.Zero;
                        if (g.SW == 1) new ReadOnlySpan<T>(src + lo, hi - lo).CopyTo(new Span<T>(dst + lo, hi - lo));
                        else for (int o = lo; o < hi; o++) dst[o] = src[(long)o * g.SW];
                        for (int o = hi; o < ow; o++) dst[o] = T.Zero;
                    }
                }
    }

    /// <summary>dx[Cg x H x W] += the adjoint of Unfold applied to cols[K x L] (overlapping patches add up).</summary>
    public static void Fold<T>(in ConvGeometry g, T* cols, T* dx) where T : unmanaged, INumberBase<T>
    {
        int ow = g.OW, w = g.W;
        for (int c = 0; c < g.Cg; c++)
            for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++)
                {
                    T* src = cols + (long)((c * g.KH + ki) * g.KW + kj) * g.L;
                    int iw0 = kj * g.DW - g.PL;
                    var (lo, hi) = ValidRange(iw0, g.SW, ow, w);
                    if (lo >= hi) continue;
                    for (int oh = 0; oh < g.OH; oh++, src += ow)
                    {
                        int ih = oh * g.SH - g.PT + ki * g.DH;
                        if ((uint)ih >= (uint)g.H) continue;
                        T* dst = dx + ((long)c * g.H + ih) * w + iw0;
                        if (g.SW == 1)
                            for (int o = lo; o < hi; o++) dst[o] += src[o];
                        else
                            for (int o = lo; o < hi; o++) dst[(long)o * g.SW] += src[o];
                    }
                }
    }

    /// <summary>The output columns o in [lo, hi) whose input column iw0 + o * stride lies in [0, w).</summary>
    private static (int Lo, int Hi) ValidRange(int iw0, int stride, int ow, int w)
    {
        int lo = iw0 >= 0 ? 0 : (-iw0 + stride - 1) / stride;
        int hi = iw0 >= w ? 0 : Math.Min(ow, (w - 1 - iw0) / stride + 1);
        return (Math.Min(lo, ow), Math.Max(hi, 0));
    }
}
