using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Framework;

/// <summary>
/// points_collection on the CPU. Every target point reads the same four corners of all 2M deformable channels,
/// so d is first laid out channel-last, (B, h w + 1, Kp) with Kp = 2M padded to whole 256-bit vectors and one
/// extra all-zero pixel per sample that out-of-field corners point at (so a corner outside reads 0 and still
/// multiplies its weight, as PyTorch's masked gather does, without a branch). One corner is then one contiguous
/// run of channels: the bilinear read, the floor-rule derivative and the scatter of the deformable gradient are
/// SIMD over channels, and 8 x 8 tile transposes move between the channel-last buffers and the channel-first
/// tensors. Rows (b, n, i) run in parallel; each task accumulates the deformable gradient of its own batch
/// range privately and adds it in at the end.
/// </summary>
internal static class PointsCollectionCpu
{
    public static void Forward(Tensor t, Tensor d, Tensor p, PointsCollectionArgs a)
    {
        if (t.Device.IsIlgpu) { PointsCollectionGpu.Forward(t, d, p, a); return; }
        CheckOffsets(d, a);
        if (t.DType == DType.Float32) Forward<float, Float32Ops>(t.Data<float>(), d.Data<float>(), p.Data<float>(), a);
        else Forward<double, Float64Ops>(t.Data<double>(), d.Data<double>(), p.Data<double>(), a);
    }

    public static void Backward(Tensor t, Tensor d, Tensor g, Tensor? gt, Tensor? gd, PointsCollectionArgs a)
    {
        if (t.Device.IsIlgpu) { PointsCollectionGpu.Backward(t, d, g, gt, gd, a); return; }
        CheckOffsets(d, a);
        if (t.DType == DType.Float32) Backward<float, Float32Ops>(t.Data<float>(), d.Data<float>(), g.Data<float>(), gt?.Data<float>(), gd?.Data<float>(), a);
        else Backward<double, Float64Ops>(t.Data<double>(), d.Data<double>(), g.Data<double>(), gt?.Data<double>(), gd?.Data<double>(), a);
    }

    /// <summary>The channel-last offsets of one sample are ints.</summary>
    private static void CheckOffsets(Tensor d, PointsCollectionArgs a)
    {
        int kp = d.DType == DType.Float32 ? Padded<float>(2 * a.M) : Padded<double>(2 * a.M);
        if (((long)a.Hd * a.Wd + 1) * kp > int.MaxValue)
            throw new NotSupportedException($"points_collection: deformableOffsets {d.Shape} is too large for the CPU kernel (more than 2^31 channel-last elements per sample)");
    }

    /// <summary>K rounded up to whole 256-bit vectors (which are also the transpose tiles).</summary>
    private static int Padded<T>(int k) where T : unmanaged => (k + Vector256<T>.Count - 1) / Vector256<T>.Count * Vector256<T>.Count;

    /// <summary>Per-channel factors (zero in the padding lanes): even channels are u (y), odd ones v (x).</summary>
    private static T[] PerChannel<T>(int k, int kp, T even, T odd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = new T[kp];
        for (int c = 0; c < k; c++) v[c] = c % 2 == 0 ? even : odd;
        return v;
    }

    /// <summary>(B, K, hw) to (B, hw + 1, Kp) and back; the padding lanes and the extra pixel stay zero.</summary>
    private static void Transpose<T>(T[] channelFirst, T[] channelLast, int b, int k, int hw, int kp, bool toLast) where T : unmanaged
    {
        Par.For((long)b * k, hw, (s, e) =>
        {
            for (long bk = s; bk < e; bk++)
            {
                long bi = bk / k, c = bk % k;
                long first = bk * hw, last = bi * (hw + 1) * kp + c;
                if (toLast) for (int q = 0; q < hw; q++) channelLast[last + (long)q * kp] = channelFirst[first + q];
                else for (int q = 0; q < hw; q++) channelFirst[first + q] = channelLast[last + (long)q * kp];
            }
        });
    }

    /// <summary>The four corners of (X, Y) as element offsets into a channel-last sample; outside the field, the zero pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Corners<T, TS> Locate<T, TS>(T x, T y, PointsCollectionArgs a, int kp, TS ts, out int nw, out int ne, out int sw, out int se)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        var c = Corners<T, TS>.Of(x, y, a.Wd, a.Hd, ts);
        int zero = a.Hd * a.Wd * kp;
        nw = c.Nw >= 0 ? c.Nw * kp : zero;
        ne = c.Ne >= 0 ? c.Ne * kp : zero;
        sw = c.Sw >= 0 ? c.Sw * kp : zero;
        se = c.Se >= 0 ? c.Se * kp : zero;
        return c;
    }

    /// <summary>
    /// The corners of a whole row of target points: offs[4 j + c] (nw, ne, sw, se), their weights wts[4 j + c] and
    /// the distances fr[4 j + ...] = (E, W, S, N). float rows run 8 points per step, with the same operations as
    /// <see cref="Corners{T, TS}.Of"/> (bit-identical results); other types point by point.
    /// </summary>
    /// <summary>Off switch of the vectorised corner search (for A/B timing).</summary>
    internal static bool VectorLocate = true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LocateRow<T, TS>(T[] t, long ty, long tx, int i, PointsCollectionArgs a, int kp, PointsCollectionScales<T> s, TS ts,
        int[] offs, T[] wts, T[] fr) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int w = a.W, j = 0;
        T fi = ts.FromInt(i);
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated && VectorLocate)
        {
            var one = Vector256<float>.One;
            var rw = Vector256.Create(float.CreateTruncating(s.Rw));
            var rh = Vector256.Create(float.CreateTruncating(s.Rh));
            var vfi = Vector256.Create(float.CreateTruncating(fi));
            float wd = a.Wd, hd = a.Hd;
            var zero = Vector256.Create(a.Hd * a.Wd * kp);
            var kpv = Vector256.Create(kp);
            var iota = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7);
            ref float tf = ref Unsafe.As<T, float>(ref t[0]);
            for (; j <= w - 8; j += 8)
            {
                var x = (iota + Vector256.Create((float)j) + Vector256.LoadUnsafe(ref tf, (nuint)(tx + j))) * rw;
                var y = (vfi + Vector256.LoadUnsafe(ref tf, (nuint)(ty + j))) * rh;
                var x0 = Vector256.Floor(x);
                var y0 = Vector256.Floor(y);
                var fw = x - x0; var fe = one - fw; var fn = y - y0; var fs = one - fn;
                // validity in float: also false for NaN and for values beyond int range
                var inX0 = Vector256.GreaterThanOrEqual(x0, Vector256<float>.Zero) & Vector256.LessThan(x0, Vector256.Create(wd));
                var inX1 = Vector256.GreaterThanOrEqual(x0, Vector256.Create(-1f)) & Vector256.LessThan(x0, Vector256.Create(wd - 1));
                var inY0 = Vector256.GreaterThanOrEqual(y0, Vector256<float>.Zero) & Vector256.LessThan(y0, Vector256.Create(hd));
                var inY1 = Vector256.GreaterThanOrEqual(y0, Vector256.Create(-1f)) & Vector256.LessThan(y0, Vector256.Create(hd - 1));
                var ix = Vector256.ConvertToInt32(Vector256.ConditionalSelect(inX0 | inX1, x0, Vector256<float>.Zero));
                var iy = Vector256.ConvertToInt32(Vector256.ConditionalSelect(inY0 | inY1, y0, Vector256<float>.Zero));
                var nwOff = (iy * Vector256.Create(a.Wd) + ix) * kpv;
                var o0 = Vector256.ConditionalSelect((inY0 & inX0).AsInt32(), nwOff, zero);
                var o1 = Vector256.ConditionalSelect((inY0 & inX1).AsInt32(), nwOff + kpv, zero);
                var o2 = Vector256.ConditionalSelect((inY1 & inX0).AsInt32(), nwOff + Vector256.Create(a.Wd * kp), zero);
                var o3 = Vector256.ConditionalSelect((inY1 & inX1).AsInt32(), nwOff + Vector256.Create(a.Wd * kp + kp), zero);
                Interleave(o0, o1, o2, o3, offs, 4 * j);
                Interleave(fs * fe, fs * fw, fn * fe, fn * fw, Unsafe.As<T[], float[]>(ref wts), 4 * j);
                Interleave(fe, fw, fs, fn, Unsafe.As<T[], float[]>(ref fr), 4 * j);
            }
        }
        for (; j < w; j++)
        {
            var c = Locate((ts.FromInt(j) + t[tx + j]) * s.Rw, (fi + t[ty + j]) * s.Rh, a, kp, ts, out offs[4 * j], out offs[4 * j + 1], out offs[4 * j + 2], out offs[4 * j + 3]);
            wts[4 * j] = c.WNw; wts[4 * j + 1] = c.WNe; wts[4 * j + 2] = c.WSw; wts[4 * j + 3] = c.WSe;
            fr[4 * j] = c.E; fr[4 * j + 1] = c.W; fr[4 * j + 2] = c.S; fr[4 * j + 3] = c.N;
        }
    }

    /// <summary>dst[at + 4 l + c] = v_c[l]: four vectors of 8 lanes into point-major order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave<TV>(Vector256<TV> v0, Vector256<TV> v1, Vector256<TV> v2, Vector256<TV> v3, TV[] dst, int at) where TV : unmanaged
    {
        for (int l = 0; l < 8; l++)
        {
            dst[at + 4 * l] = v0.GetElement(l);
            dst[at + 4 * l + 1] = v1.GetElement(l);
            dst[at + 4 * l + 2] = v2.GetElement(l);
            dst[at + 4 * l + 3] = v3.GetElement(l);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Load<T>(ref T start, int offset) where T : unmanaged => Vector256.LoadUnsafe(ref start, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<T, TS>(T[] t, T[] d, T[] p, PointsCollectionArgs a)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int k = 2 * a.M, kp = Padded<T>(k), vc = Vector256<T>.Count, hw = a.Hd * a.Wd, w = a.W;
        long hwT = (long)a.H * a.W;
        var dl = new T[(long)a.B * (hw + 1) * kp];
        Transpose(d, dl, a.B, k, hw, kp, toLast: true);
        var s = PointsCollectionScales<T>.Of(a);
        var scale = PerChannel(k, kp, s.InvRh, s.InvRw);
        var ts = default(TS);
        int wTiles = w / vc * vc;
        Par.For((long)a.B * a.N * a.H, (long)w * kp * 3, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
        {
            var buf = new T[w * kp];
            var tmp = new T[vc * vc];
            var offs = new int[4 * w];
            var wts = new T[4 * w];
            var fr = new T[4 * w];
            for (long row = r0; row < r1; row++)
            {
                int i = (int)(row % a.H), n = (int)(row / a.H % a.N), b = (int)(row / ((long)a.H * a.N));
                long ty = (((long)b * 2 * a.N + 2 * n) * a.H + i) * w, tx = ty + hwT;
                ref T dSample = ref dl[(long)b * (hw + 1) * kp];
                LocateRow(t, ty, tx, i, a, kp, s, ts, offs, wts, fr);
                for (int j = 0; j < w; j++)
                {
                    int nw = offs[4 * j], ne = offs[4 * j + 1], sw = offs[4 * j + 2], se = offs[4 * j + 3];
                    Vector256<T> wnw = Vector256.Create(wts[4 * j]), wne = Vector256.Create(wts[4 * j + 1]), wsw = Vector256.Create(wts[4 * j + 2]), wse = Vector256.Create(wts[4 * j + 3]);
                    ref T dst = ref buf[j * kp];
                    for (int v = 0; v < kp; v += vc)
                        (Load(ref dSample, nw + v) * wnw + Load(ref dSample, ne + v) * wne + Load(ref dSample, sw + v) * wsw + Load(ref dSample, se + v) * wse)
                            .StoreUnsafe(ref dst, (nuint)v);
                }
                // channel 2(nM + m) + comp of p is channel 2nM + ch: scale S and add the target offset (y for u, x for v)
                long pRow = (((long)b * 2 * a.N * a.M + 2L * n * a.M) * a.H + i) * w;
                for (int ch0 = 0; ch0 < k; ch0 += vc)
                {
                    int group = Math.Min(vc, k - ch0);
                    for (int j0 = 0; j0 < wTiles; j0 += vc)
                    {
                        TileTranspose.Tile(ref buf[j0 * kp + ch0], kp, ref tmp[0], vc);   // tmp[channel][point]
                        for (int cc = 0; cc < group; cc++)
                        {
                            int ch = ch0 + cc;
                            var v = Load(ref tmp[0], cc * vc) * Vector256.Create(scale[ch]) + Vector256.LoadUnsafe(ref t[(ch % 2 == 0 ? ty : tx) + j0]);
                            v.StoreUnsafe(ref p[pRow + ch * hwT + j0]);
                        }
                    }
                    for (int cc = 0; cc < group; cc++)
                    {
                        int ch = ch0 + cc;
                        long src = ch % 2 == 0 ? ty : tx;
                        for (int j = wTiles; j < w; j++) p[pRow + ch * hwT + j] = buf[j * kp + ch] * scale[ch] + t[src + j];
                    }
                }
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<T, TS>(T[] t, T[] d, T[] g, T[]? gt, T[]? gd, PointsCollectionArgs a)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int k = 2 * a.M, kp = Padded<T>(k), vc = Vector256<T>.Count, hw = a.Hd * a.Wd, w = a.W;
        long hwT = (long)a.H * a.W, rowsPerBatch = (long)a.N * a.H, sample = (long)(hw + 1) * kp;
        bool needT = gt is not null, needD = gd is not null;
        var dl = new T[a.B * sample];
        if (needT) Transpose(d, dl, a.B, k, hw, kp, toLast: true);
        var gdl = needD ? new T[a.B * sample] : null;
        var s = PointsCollectionScales<T>.Of(a);
        var scale = PerChannel(k, kp, s.InvRh, s.InvRw);
        var cy = PerChannel(k, kp, T.One, s.RhOverRw);   // dp/dy = [u] (1 + dS/dY) + [v] (r_h / r_w) dS/dY
        var cx = PerChannel(k, kp, s.RwOverRh, T.One);   // dp/dx = [u] (r_w / r_h) dS/dX + [v] (1 + dS/dX)
        var even = PerChannel(k, kp, T.One, T.Zero);
        var odd = PerChannel(k, kp, T.Zero, T.One);
        var ts = default(TS);
        var gate = new object();
        int wTiles = w / vc * vc;
        Par.For((long)a.B * rowsPerBatch, (long)w * kp * 8, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
        {
            var gbuf = new T[w * kp];
            var tmp = new T[vc * vc];
            var offs = new int[4 * w];
            var wts = new T[4 * w];
            var fr = new T[4 * w];
            long b0 = r0 / rowsPerBatch, b1 = (r1 - 1) / rowsPerBatch;
            var local = needD ? new T[(b1 - b0 + 1) * sample] : new T[kp];
            for (long row = r0; row < r1; row++)
            {
                int i = (int)(row % a.H), n = (int)(row / a.H % a.N), b = (int)(row / rowsPerBatch);
                long ty = (((long)b * 2 * a.N + 2 * n) * a.H + i) * w, tx = ty + hwT;
                long gRow = (((long)b * 2 * a.N * a.M + 2L * n * a.M) * a.H + i) * w;
                for (int ch0 = 0; ch0 < k; ch0 += vc)
                {
                    int group = Math.Min(vc, k - ch0);
                    for (int j0 = 0; j0 < wTiles; j0 += vc)
                    {
                        for (int cc = 0; cc < vc; cc++)   // tmp[channel][point]; channels past K stay zero
                            (cc < group ? Vector256.LoadUnsafe(ref g[gRow + (ch0 + cc) * hwT + j0]) : Vector256<T>.Zero).StoreUnsafe(ref tmp[0], (nuint)(cc * vc));
                        TileTranspose.Tile(ref tmp[0], vc, ref gbuf[j0 * kp + ch0], kp);
                    }
                    for (int cc = 0; cc < group; cc++)
                        for (int j = wTiles; j < w; j++) gbuf[j * kp + ch0 + cc] = g[gRow + (ch0 + cc) * hwT + j];
                }
                ref T dSample = ref dl[b * sample];
                ref T lSample = ref local[needD ? (b - b0) * sample : 0];
                LocateRow(t, ty, tx, i, a, kp, s, ts, offs, wts, fr);
                for (int j = 0; j < w; j++)
                {
                    int nw = offs[4 * j], ne = offs[4 * j + 1], sw = offs[4 * j + 2], se = offs[4 * j + 3];
                    T wNw = wts[4 * j], wNe = wts[4 * j + 1], wSw = wts[4 * j + 2], wSe = wts[4 * j + 3];
                    T fE = fr[4 * j], fW = fr[4 * j + 1], fS = fr[4 * j + 2], fN = fr[4 * j + 3];
                    Vector256<T> accY = Vector256<T>.Zero, accX = Vector256<T>.Zero;
                    ref T gj = ref gbuf[j * kp];
                    for (int v = 0; v < kp; v += vc)
                    {
                        var gv = Load(ref gj, v);
                        if (needD)
                        {
                            var gs = gv * Load(ref scale[0], v);
                            (Load(ref lSample, nw + v) + gs * wNw).StoreUnsafe(ref lSample, (nuint)(nw + v));
                            (Load(ref lSample, ne + v) + gs * wNe).StoreUnsafe(ref lSample, (nuint)(ne + v));
                            (Load(ref lSample, sw + v) + gs * wSw).StoreUnsafe(ref lSample, (nuint)(sw + v));
                            (Load(ref lSample, se + v) + gs * wSe).StoreUnsafe(ref lSample, (nuint)(se + v));
                        }
                        if (needT)
                        {
                            Vector256<T> vnw = Load(ref dSample, nw + v), vne = Load(ref dSample, ne + v), vsw = Load(ref dSample, sw + v), vse = Load(ref dSample, se + v);
                            // floor rule: only rows floor(Y), floor(Y) + 1 and columns floor(X), floor(X) + 1 (the zero pixel outside)
                            var dY = (vsw - vnw) * fE + (vse - vne) * fW;
                            var dX = (vne - vnw) * fS + (vse - vsw) * fN;
                            accY += gv * (Load(ref even[0], v) + Load(ref cy[0], v) * dY);
                            accX += gv * (Load(ref odd[0], v) + Load(ref cx[0], v) * dX);
                        }
                    }
                    if (needT)
                    {
                        gt![ty + j] = Vector256.Sum(accY);
                        gt[tx + j] = Vector256.Sum(accX);
                    }
                }
            }
            if (needD)
                lock (gate)
                {
                    ref T dst = ref gdl![b0 * sample];
                    for (int e = 0; e < local.Length; e += vc)   // a multiple of vc: sample is
                        (Load(ref dst, e) + Load(ref local[0], e)).StoreUnsafe(ref dst, (nuint)e);
                }
        });
        if (needD) Transpose(gd!, gdl!, a.B, k, hw, kp, toLast: false);
    }
}
