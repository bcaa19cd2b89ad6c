using System.Runtime.CompilerServices;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Framework;

/// <summary>
/// Unit-stride convolution without im2col (AVX-512). Each image is copied once into a zero-padded plane
/// (Hp = OH + DH (KH - 1) rows of Wp = OW + DW (KW - 1) columns); in it, the input pixel that tap
/// (c, ki, kj) sees at output position (oh, ow) sits at off[tap] + oh Wp + ow, so along the "padded output"
/// index l = oh Wp + ow every row of the im2col matrix is a contiguous slice of the plane. The microkernels
/// read those slices in place (no packing of the large operand at all); positions with ow >= OW are
/// computed and thrown away (Wp / OW extra work, a few percent on real images).
///   forward          y[n, g]  = W[g] cols        A = weights packed once, B = plane slices at off[p]
///   weight gradient  dW[g]^T += cols dy'^T       A = plane slices (one stream per tap), B = dy packed by
///                                                 output channel, zero at the thrown-away positions
/// The input gradient of a unit-stride convolution is a forward one (ConvCpu.BackwardInput), so it runs here too.
/// </summary>
internal static unsafe partial class DirectConv
{
    private const int Rows = 12;   // rows of the microkernels (and of the packed weight strips)

    public static bool Applies(in ConvGeometry g) => Gemm.Wide && g.SH == 1 && g.SW == 1;

    private readonly record struct Plane(int Hp, int Wp, int Lp, int LpRound, long Size);

    private static Plane PlaneOf<T>(in ConvGeometry g) where T : unmanaged
    {
        int nr = 2 * Vector512<T>.Count;
        int hp = g.OH + g.DH * (g.KH - 1), wp = g.OW + g.DW * (g.KW - 1), lp = g.OH * wp;
        // the last strip of NR positions reads past the plane by at most DW (KW - 1) + NR
        return new Plane(hp, wp, lp, (lp + nr - 1) / nr * nr, (long)g.Cg * hp * wp + g.DW * (g.KW - 1) + nr);
    }

    /// <summary>off[tap] for tap = (c, ki, kj) row-major, padded with zeros to a multiple of the kernel rows.</summary>
    private static int[] Offsets(in ConvGeometry g, in Plane p)
    {
        var off = new int[(g.K + Rows - 1) / Rows * Rows];
        int t = 0;
        for (int c = 0; c < g.Cg; c++)
            for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++)
                    off[t++] = (c * p.Hp + ki * g.DH) * p.Wp + kj * g.DW;
        return off;
    }

    /// <summary>The plane of one image and group: x[c, i, j] at (c, i + PT, j + PL), zero elsewhere (negative padding crops).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pad<T>(in ConvGeometry g, in Plane p, T* x, T* xp) where T : unmanaged
    {
        int j0 = Math.Max(0, -g.PL), j1 = Math.Min(g.W, p.Wp - g.PL);
        int i0 = Math.Max(0, -g.PT), i1 = Math.Min(g.H, p.Hp - g.PT);
        if (j1 <= j0 || i1 <= i0) { new Span<T>(xp, (int)p.Size).Clear(); return; }
        // only the halo is cleared: the copied rows overwrite the rest
        int top = i0 + g.PT, bottom = i1 + g.PT, left = j0 + g.PL, right = j1 + g.PL;
        long planeArea = (long)p.Hp * p.Wp;
        for (int c = 0; c < g.Cg; c++)
        {
            T* pc = xp + c * planeArea;
            ZeroRow(pc, top * p.Wp);
            for (int r = top; r < bottom; r++)
            {
                T* row = pc + (long)r * p.Wp;
                ZeroRow(row, left);
                CopyRow(x + ((long)c * g.H + r - g.PT) * g.W + j0, row + left, j1 - j0);
                ZeroRow(row + right, p.Wp - right);
            }
            ZeroRow(pc + (long)bottom * p.Wp, (p.Hp - bottom) * p.Wp);
        }
        new Span<T>(xp + g.Cg * planeArea, (int)(p.Size - g.Cg * planeArea)).Clear();   // the slack the last strip reads
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ZeroRow<T>(T* dst, int n) where T : unmanaged
    {
        int i = 0, vc = Vector256<T>.Count;
        for (; i <= n - vc; i += vc) Vector256.Store(Vector256<T>.Zero, dst + i);
        for (; i < n; i++) dst[i] = default;
    }

    /// <summary>
    /// dst[0..n) = src[0..n), for buffers that do not overlap. Rows here are a few dozen elements, where a span copy or TensorPrimitives call costs
    /// more in its set-up than in the copy: the 14x14 forward made 14,000 of them per call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow<T>(T* src, T* dst, int n) where T : unmanaged
    {
        int i = 0, vc = Vector256<T>.Count;
        if (n >= vc)
        {
            for (; i <= n - vc; i += vc) Vector256.Store(Vector256.Load(src + i), dst + i);
            if (i < n) Vector256.Store(Vector256.Load(src + n - vc), dst + n - vc);   // the tail, overlapping the last vector
            return;
        }
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>dst[0..n) = src[0..n) + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow<T>(T* src, T b, T* dst, int n) where T : unmanaged, INumberBase<T>
    {
        int i = 0, vc = Vector256<T>.Count;
        var vb = Vector256.Create(b);
        if (n >= vc)
        {
            for (; i <= n - vc; i += vc) Vector256.Store(Vector256.Load(src + i) + vb, dst + i);
            if (i < n) Vector256.Store(Vector256.Load(src + n - vc) + vb, dst + n - vc);   // src and dst never overlap
            return;
        }
        for (; i < n; i++) dst[i] = src[i] + b;
    }

    /// <summary>Image chunks per core (see <see cref="Par.For"/>): with one per core, a descheduled vCPU stalled the whole op.</summary>
    private const int ChunksPerWorker = 4;

    private static int KernelRows(int rows) => rows <= 4 ? 4 : rows <= 8 ? 8 : Rows;

    /// <summary>y (N x O x OH x OW, zeroed) = conv(x, w) + bias, images in parallel.</summary>
    public static void Forward<T>(ConvGeometry g, Tensor x, Tensor w, Tensor? bias, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plane = PlaneOf<T>(g);
        int nr = 2 * Vector512<T>.Count, kcMax = Gemm.DepthBlock, mp = (g.Og + Rows - 1) / Rows * Rows;
        var off = Offsets(g, plane);
        T[] xd = x.Data<T>(), yd = y.Data<T>(), wd = w.Data<T>();
        T[]? bd = bias?.Data<T>();
        var packed = new PackedRows<T>[g.Groups];
        fixed (T* pw = wd)
            for (int gi = 0; gi < g.Groups; gi++)
                packed[gi] = Gemm.Prepack<T, StridedMatrix<T>>(new(pw + (long)gi * g.Og * g.K, g.K, 1), g.Og, g.K);
        Par.For(g.N, 1L << 30, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (n0, n1) =>
        {
            T[] xpBuf = Scratch<T>.Plane(plane.Size), ytBuf = Scratch<T>.Output((long)mp * plane.LpRound);
            fixed (int* po = off)
            fixed (T* xp = xpBuf, yt = ytBuf, px = xd, py = yd)
                for (long n = n0; n < n1; n++)
                    for (int gi = 0; gi < g.Groups; gi++)
                        fixed (T* pa = packed[gi].Buffer)
                        {
                            Pad(g, plane, px + (n * g.C + gi * g.Cg) * g.InPlane, xp);
                            new Span<T>(yt, mp * plane.LpRound).Clear();
                            for (int p0 = 0; p0 < g.K; p0 += kcMax)
                            {
                                int kc = Math.Min(kcMax, g.K - p0);
                                T* block = pa + (long)p0 * mp;
                                for (int j0 = 0; j0 < plane.Lp; j0 += nr)
                                    for (int ir = 0; ir < g.Og; ir += Rows)
                                        Fwd(KernelRows(g.Og - ir), block + (long)ir * kc, xp + j0, po + p0, kc, yt + (long)ir * plane.LpRound + j0, plane.LpRound);
                            }
                            // keep the OW real columns of each padded row, adding the bias
                            for (int o = 0; o < g.Og; o++)
                            {
                                T* dst = py + (n * g.O + gi * g.Og + o) * g.L, src = yt + (long)o * plane.LpRound;
                                for (int oh = 0; oh < g.OH; oh++)
                                    if (bd is null) CopyRow(src + (long)oh * plane.Wp, dst + oh * g.OW, g.OW);
                                    else AddRow(src + (long)oh * plane.Wp, bd[gi * g.Og + o], dst + oh * g.OW, g.OW);
                            }
                        }
        }, chunksPerWorker: ChunksPerWorker);
    }

    /// <summary>dw (O x Cg x KH x KW, zeroed) = the weight gradient, images in parallel with one accumulator per core.</summary>
    public static void WeightGrad<T>(ConvGeometry g, Tensor dy, Tensor x, Tensor dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plane = PlaneOf<T>(g);
        int nr = 2 * Vector512<T>.Count, kcMax = Gemm.DepthBlock;
        int strips = (g.Og + nr - 1) / nr, ogr = strips * nr, kr = (g.K + Rows - 1) / Rows * Rows;
        var off = Offsets(g, plane);
        T[] xd = x.Data<T>(), dyd = dy.Data<T>(), dwd = dw.Data<T>();
        var partials = new List<T[]>();
        var gate = new Lock();
        Par.For(g.N, 1L << 30, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (n0, n1) =>
        {
            // acc[group][tap][o]: dW transposed, rows padded to the kernel rows and columns to whole strips
            var acc = new T[(long)g.Groups * kr * ogr];
            T[] xpBuf = Scratch<T>.Plane(plane.Size), dyBuf = Scratch<T>.Output((long)plane.Lp * ogr);
            fixed (int* po = off)
            fixed (T* xp = xpBuf, bp = dyBuf, px = xd, pdy = dyd, pacc = acc)
                for (long n = n0; n < n1; n++)
                    for (int gi = 0; gi < g.Groups; gi++)
                    {
                        Pad(g, plane, px + (n * g.C + gi * g.Cg) * g.InPlane, xp);
                        PackOutputGradient(g, plane, pdy + (n * g.O + gi * g.Og) * g.L, bp, nr);
                        T* accG = pacc + (long)gi * kr * ogr;
                        for (int l0 = 0; l0 < plane.Lp; l0 += kcMax)
                        {
                            int kc = Math.Min(kcMax, plane.Lp - l0);
                            for (int s = 0; s < strips; s++)
                                for (int t0 = 0; t0 < g.K; t0 += Rows)
                                    Taps(KernelRows(g.K - t0), xp + l0, po + t0, bp + ((long)s * plane.Lp + l0) * nr, kc, accG + (long)t0 * ogr + s * nr, ogr);
                        }
                    }
            lock (gate) partials.Add(acc);
        }, chunksPerWorker: ChunksPerWorker);
        foreach (var acc in partials)
            for (int gi = 0; gi < g.Groups; gi++)
                for (int o = 0; o < g.Og; o++)
                    for (int t = 0; t < g.K; t++)
                        dwd[((long)gi * g.Og + o) * g.K + t] += acc[((long)gi * kr + t) * ogr + o];
    }

    /// <summary>dy (Og x OH x OW) as strips of nr channels over the padded positions l = oh Wp + ow, zero where ow >= OW.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackOutputGradient<T>(in ConvGeometry g, in Plane p, T* dy, T* dst, int nr) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int strips = (g.Og + nr - 1) / nr, t = TileTranspose.Size<T>();
        new Span<T>(dst, checked(strips * p.Lp * nr)).Clear();
        int o = 0;
        // whole t x t tiles of (channel, column) transposed in registers; nr is a multiple of t, so a tile never
        // straddles two strips
        for (; o + t <= g.Og; o += t)
        {
            T* d = dst + (long)(o / nr) * p.Lp * nr + o % nr;
            for (int oh = 0; oh < g.OH; oh++)
            {
                T* src = dy + (long)o * g.L + (long)oh * g.OW, row = d + (long)oh * p.Wp * nr;
                int ow = 0;
                for (; ow + t <= g.OW; ow += t)
                    TileTranspose.Tile(ref Unsafe.AsRef<T>(src + ow), g.L, ref Unsafe.AsRef<T>(row + (long)ow * nr), nr);
                for (; ow < g.OW; ow++)
                    for (int r = 0; r < t; r++) row[(long)ow * nr + r] = src[(long)r * g.L + ow];
            }
        }
        for (; o < g.Og; o++)
        {
            T* d = dst + (long)(o / nr) * p.Lp * nr + o % nr;
            T* src = dy + (long)o * g.L;
            for (int oh = 0; oh < g.OH; oh++, src += g.OW)
            {
                T* row = d + (long)oh * p.Wp * nr;
                for (int ow = 0; ow < g.OW; ow++) row[ow * nr] = src[ow];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fwd<T>(int rows, T* a, T* xb, int* off, int kc, T* c, int ldc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            if (rows == 4) FwdF4((float*)a, (float*)xb, off, kc, (float*)c, ldc);
            else if (rows == 8) FwdF8((float*)a, (float*)xb, off, kc, (float*)c, ldc);
            else FwdF12((float*)a, (float*)xb, off, kc, (float*)c, ldc);
        }
        else if (rows == 4) FwdD4((double*)a, (double*)xb, off, kc, (double*)c, ldc);
        else if (rows == 8) FwdD8((double*)a, (double*)xb, off, kc, (double*)c, ldc);
        else FwdD12((double*)a, (double*)xb, off, kc, (double*)c, ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Taps<T>(int rows, T* xb, int* off, T* b, int kc, T* c, int ldc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            if (rows == 4) TapsF4((float*)xb, off, (float*)b, kc, (float*)c, ldc);
            else if (rows == 8) TapsF8((float*)xb, off, (float*)b, kc, (float*)c, ldc);
            else TapsF12((float*)xb, off, (float*)b, kc, (float*)c, ldc);
        }
        else if (rows == 4) TapsD4((double*)xb, off, (double*)b, kc, (double*)c, ldc);
        else if (rows == 8) TapsD8((double*)xb, off, (double*)b, kc, (double*)c, ldc);
        else TapsD12((double*)xb, off, (double*)b, kc, (double*)c, ldc);
    }

    /// <summary>Per-thread planes and output tiles, grown to the largest size asked for and then reused.</summary>
    private static class Scratch<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? _plane;
        [ThreadStatic] private static T[]? _output;

        public static T[] Plane(long size) => Grow(ref _plane, size);
        public static T[] Output(long size) => Grow(ref _output, size);

        private static T[] Grow(ref T[]? buffer, long size)
        {
            if (buffer is null || buffer.Length < size)
            {
                MemoryGuard.Check(DTypeInfo.Of<T>(), size, "conv2d");
                buffer = new T[checked((int)size)];
            }
            return buffer;
        }
    }
}
