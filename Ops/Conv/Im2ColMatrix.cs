using System.Numerics;

namespace Framework;

/// <summary>
/// The im2col matrix of one image and one group, never stored: K = Cg KH KW rows (channel, kernel row,
/// kernel column) by L = OH OW columns (output positions); element (r, l) is the input pixel that kernel tap r
/// sees at output position l, or zero in the padding. The GEMM packs its strips straight from the image
/// (implicit GEMM), so a convolution reads its input once per packing instead of writing and re-reading an
/// unfolded copy nine times its size.
/// </summary>
internal readonly unsafe struct Im2ColMatrix<T>(ConvGeometry g, T* x) : IMatrixSource<T> where T : unmanaged, INumberBase<T>
{
    private readonly ConvGeometry _g = g;
    private readonly T* _x = x;

    public T* PackedBlock(int i0, int p0, int kc) => null;

    /// <summary>Strips of w rows (taps); for each output position p, the w taps' values, written with stride w.</summary>
    public void PackRowStrips(int i0, int rows, int p0, int depth, int w, T* dst)
    {
        for (int s0 = 0; s0 < rows; s0 += w)
            for (int rr = 0; rr < w; rr++)
            {
                T* d = dst + (long)s0 * depth + rr;
                if (s0 + rr < rows) Segment(i0 + s0 + rr, p0, depth, d, w);
                else for (int p = 0; p < depth; p++) d[(long)p * w] = T.Zero;
            }
    }

    /// <summary>Strips of w output positions; for each tap p, the w positions' values (contiguous runs of an input row).</summary>
    public void PackColStrips(int p0, int depth, int j0, int cols, int w, T* dst)
    {
        var g = _g;
        int c = p0 / (g.KH * g.KW), ki = p0 / g.KW % g.KH, kj = p0 % g.KW;
        for (int p = 0; p < depth; p++)
        {
            T* xc = _x + c * g.InPlane;
            int oh = j0 / g.OW, ow = j0 % g.OW, within = 0;
            T* d = dst + (long)p * w;
            for (int remaining = cols; remaining > 0;)
            {
                int run = Math.Min(Math.Min(g.OW - ow, remaining), w - within);
                Run(xc, oh * g.SH - g.PT + ki * g.DH, ow * g.SW - g.PL + kj * g.DW, run, d + within, 1);
                within += run;
                ow += run;
                remaining -= run;
                if (within == w) { within = 0; d += (long)depth * w; }
                if (ow == g.OW) { ow = 0; oh++; }
            }
            for (; within > 0 && within < w; within++) d[within] = T.Zero;
            if (++kj == g.KW) { kj = 0; if (++ki == g.KH) { ki = 0; c++; } }
        }
    }

    /// <summary>Row r of the matrix from column l0 on, count values, written to dst with the given stride.</summary>
    private void Segment(int r, int l0, int count, T* dst, long stride)
    {
        var g = _g;
        int c = r / (g.KH * g.KW), ki = r / g.KW % g.KH, kj = r % g.KW;
        T* xc = _x + c * g.InPlane;
        int oh = l0 / g.OW, ow = l0 % g.OW;
        while (count > 0)
        {
            int run = Math.Min(g.OW - ow, count);
            Run(xc, oh * g.SH - g.PT + ki * g.DH, ow * g.SW - g.PL + kj * g.DW, run, dst, stride);
            dst += run * stride;
            count -= run;
            ow = 0;
            oh++;
        }
    }

    /// <summary>run values of input row ih from column iw on (step SW), zero outside the image.</summary>
    private void Run(T* xc, int ih, int iw, int run, T* dst, long stride)
    {
        var g = _g;
        int lo = 0, hi = 0;
        if ((uint)ih < (uint)g.H)
        {
            // the columns t with 0 <= iw + t SW < W (no division for the common unit stride)
            if (g.SW == 1) { lo = Math.Min(run, Math.Max(0, -iw)); hi = Math.Min(run, g.W - iw); }
            else
            {
                lo = iw >= 0 ? 0 : Math.Min(run, (-iw + g.SW - 1) / g.SW);
                hi = iw >= g.W ? 0 : Math.Min(run, (g.W - 1 - iw) / g.SW + 1);
            }
        }
        if (hi <= lo) { for (int t = 0; t < run; t++) dst[t * stride] = T.Zero; return; }
        for (int t = 0; t < lo; t++) dst[t * stride] = T.Zero;
        T* src = xc + (long)ih * g.W + iw;
        if (stride == 1 && g.SW == 1)
        {
            // runs are short (an output row, or what is left of a strip): a plain loop beats a memmove call
            if (hi - lo >= 32) new ReadOnlySpan<T>(src + lo, hi - lo).CopyTo(new Span<T>(dst + lo, hi - lo));
            else for (int t = lo; t < hi; t++) dst[t] = src[t];
        }
        else
            for (int t = lo; t < hi; t++) dst[t * stride] = src[(long)t * g.SW];
        for (int t = hi; t < run; t++) dst[t * stride] = T.Zero;
    }
}
