using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Framework;

/// <summary>
/// The forward and backward loops of points_collection on the CPU (layout and plan: <see cref="PointsCollectionCpu"/>).
/// Written for the JIT: every array the inner loops touch is a local ref taken once (a store through a ref could
/// alias a closure field, so the JIT would reload captured arrays and redo their bounds checks after each one),
/// offsets are native-sized, and products accumulate with fused multiply-adds.
/// </summary>
internal static partial class PointsCollectionCpu
{
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
        var even = PerChannel(k, kp, T.One, T.Zero);
        int wTiles = w / vc * vc;
        Par.For((long)a.B * a.N * a.H, (long)w * kp * 3, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
        {
            var buf = new T[w * kp];
            var tmp = new T[vc * vc];
            var offs = new int[4 * w];
            var wts = new T[4 * w];
            var fr = new T[4 * w];
            ref T t0 = ref MemoryMarshal.GetArrayDataReference(t);
            ref T p0 = ref MemoryMarshal.GetArrayDataReference(p);
            ref T buf0 = ref MemoryMarshal.GetArrayDataReference(buf);
            ref T tmp0 = ref MemoryMarshal.GetArrayDataReference(tmp);
            ref T scale0 = ref MemoryMarshal.GetArrayDataReference(scale);
            ref T even0 = ref MemoryMarshal.GetArrayDataReference(even);
            ref int offs0 = ref MemoryMarshal.GetArrayDataReference(offs);
            ref T wts0 = ref MemoryMarshal.GetArrayDataReference(wts);
            for (long row = r0; row < r1; row++)
            {
                int i = (int)(row % a.H), n = (int)(row / a.H % a.N), b = (int)(row / ((long)a.H * a.N));
                long ty = (((long)b * 2 * a.N + 2 * n) * a.H + i) * w, tx = ty + hwT;
                long pRow = OutputRow(row, a);
                if (row + 1 < r1) Prefetch.Rows(p, OutputRow(row + 1, a), k, hwT, w);
                ref T dSample = ref dl[(long)b * (hw + 1) * kp];
                LocateRow(t, ty, tx, i, a, kp, s, default(TS), offs, wts, fr);
                SampleRow(ref dSample, ref offs0, ref wts0, ref buf0, w, kp, ref t0, ty, tx, ref scale0, ref even0);
                // buf holds p's channels 2nM .. 2nM + K - 1 channel-last: 8 x 8 tiles turn them channel-first
                for (int ch0 = 0; ch0 < k; ch0 += vc)
                {
                    int group = Math.Min(vc, k - ch0);
                    for (int j0 = 0; j0 < wTiles; j0 += vc)
                    {
                        ref T pTile = ref Unsafe.Add(ref p0, (nint)(pRow + ch0 * hwT + j0));
                        if (group == vc) { TileTranspose.Tile(ref Unsafe.Add(ref buf0, j0 * kp + ch0), kp, ref pTile, (int)hwT); continue; }
                        TileTranspose.Tile(ref Unsafe.Add(ref buf0, j0 * kp + ch0), kp, ref tmp0, vc);   // tmp[channel][point]
                        for (int cc = 0; cc < group; cc++)
                            Vector256.LoadUnsafe(ref tmp0, (nuint)(cc * vc)).StoreUnsafe(ref pTile, (nuint)(cc * hwT));
                    }
                    for (int cc = 0; cc < group; cc++)
                        for (int j = wTiles; j < w; j++) p[pRow + (ch0 + cc) * hwT + j] = buf[j * kp + ch0 + cc];
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
            ref T g0 = ref MemoryMarshal.GetArrayDataReference(g);
            ref T gbuf0 = ref MemoryMarshal.GetArrayDataReference(gbuf);
            ref T tmp0 = ref MemoryMarshal.GetArrayDataReference(tmp);
            ref int offs0 = ref MemoryMarshal.GetArrayDataReference(offs);
            ref T wts0 = ref MemoryMarshal.GetArrayDataReference(wts);
            ref T fr0 = ref MemoryMarshal.GetArrayDataReference(fr);
            ref T scale0 = ref MemoryMarshal.GetArrayDataReference(scale);
            ref T cy0 = ref MemoryMarshal.GetArrayDataReference(cy), cx0 = ref MemoryMarshal.GetArrayDataReference(cx);
            ref T even0 = ref MemoryMarshal.GetArrayDataReference(even), odd0 = ref MemoryMarshal.GetArrayDataReference(odd);
            nuint ukp = (nuint)kp, uvc = (nuint)vc;
            for (long row = r0; row < r1; row++)
            {
                int i = (int)(row % a.H), n = (int)(row / a.H % a.N), b = (int)(row / rowsPerBatch);
                long ty = (((long)b * 2 * a.N + 2 * n) * a.H + i) * w, tx = ty + hwT;
                long gRow = OutputRow(row, a);
                if (row + PrefetchDistance < r1) Prefetch.Rows(g, OutputRow(row + PrefetchDistance, a), k, hwT, w);
                for (int ch0 = 0; ch0 < k; ch0 += vc)
                {
                    int group = Math.Min(vc, k - ch0);
                    for (int j0 = 0; j0 < wTiles; j0 += vc)
                    {
                        if (group == vc)   // straight from the channel-first rows of g
                        {
                            TileTranspose.Tile(ref Unsafe.Add(ref g0, (nint)(gRow + ch0 * hwT + j0)), (int)hwT, ref Unsafe.Add(ref gbuf0, j0 * kp + ch0), kp);
                            continue;
                        }
                        for (int cc = 0; cc < vc; cc++)   // tmp[channel][point]; channels past K stay zero
                            (cc < group ? Vector256.LoadUnsafe(ref g0, (nuint)(gRow + (ch0 + cc) * hwT + j0)) : Vector256<T>.Zero)
                                .StoreUnsafe(ref tmp0, (nuint)(cc * vc));
                        TileTranspose.Tile(ref tmp0, vc, ref Unsafe.Add(ref gbuf0, j0 * kp + ch0), kp);
                    }
                    for (int cc = 0; cc < group; cc++)
                        for (int j = wTiles; j < w; j++) gbuf[j * kp + ch0 + cc] = g[gRow + (ch0 + cc) * hwT + j];
                }
                ref T dSample = ref dl[b * sample];
                ref T lSample = ref local[needD ? (b - b0) * sample : 0];
                LocateRow(t, ty, tx, i, a, kp, s, default(TS), offs, wts, fr);
                if (needD) ScatterRow(ref lSample, ref offs0, ref wts0, ref gbuf0, ref scale0, w, kp);
                if (needT) TargetGradRow(ref dSample, ref offs0, ref fr0, ref gbuf0, ref cy0, ref cx0, ref even0, ref odd0, w, kp,
                    ref gt![ty], ref gt[tx]);
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

    /// <summary>
    /// buf[j kp + c] = S(d_c) scale_c + (y_j for even c, x_j for odd c): the accumulated points of target point j of a
    /// row, channel-last; (ty, tx) are where the row's y and x offsets start in t.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SampleRow<T>(ref T dSample, ref int offs, ref T wts, ref T buf, int w, int kp, ref T t, long ty, long tx,
        ref T scale, ref T even) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint ukp = (nuint)kp, uvc = (nuint)Vector256<T>.Count;
        ref T yRow = ref Unsafe.Add(ref t, (nint)ty), xRow = ref Unsafe.Add(ref t, (nint)tx);
        var isY = Vector256.Equals(Vector256.LoadUnsafe(ref even), Vector256<T>.One);   // the lane pattern repeats: kp is whole vectors
        for (int j = 0; j < w; j++)
        {
            ref int o = ref Unsafe.Add(ref offs, j);
            ref T nw = ref Unsafe.Add(ref dSample, o), ne = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, w));
            ref T sw = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, 2 * w)), se = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, 3 * w));
            ref T wj = ref Unsafe.Add(ref wts, j);
            Vector256<T> wnw = Vector256.Create(wj), wne = Vector256.Create(Unsafe.Add(ref wj, w));
            Vector256<T> wsw = Vector256.Create(Unsafe.Add(ref wj, 2 * w)), wse = Vector256.Create(Unsafe.Add(ref wj, 3 * w));
            var offset = Vector256.ConditionalSelect(isY, Vector256.Create(Unsafe.Add(ref yRow, j)), Vector256.Create(Unsafe.Add(ref xRow, j)));
            ref T dst = ref Unsafe.Add(ref buf, j * kp);
            for (nuint v = 0; v < ukp; v += uvc)
            {
                var acc = Vector256.LoadUnsafe(ref nw, v) * wnw;
                acc = MulAdd(Vector256.LoadUnsafe(ref ne, v), wne, acc);
                acc = MulAdd(Vector256.LoadUnsafe(ref sw, v), wsw, acc);
                acc = MulAdd(Vector256.LoadUnsafe(ref se, v), wse, acc);
                MulAdd(acc, Vector256.LoadUnsafe(ref scale, v), offset).StoreUnsafe(ref dst, v);
            }
        }
    }

    /// <summary>Adds each target point's scaled upstream gradient into its four corners of the channel-last gradient.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ScatterRow<T>(ref T lSample, ref int offs, ref T wts, ref T gbuf, ref T scale, int w, int kp) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint ukp = (nuint)kp, uvc = (nuint)Vector256<T>.Count;
        for (int j = 0; j < w; j++)
        {
            ref int o = ref Unsafe.Add(ref offs, j);
            ref T lnw = ref Unsafe.Add(ref lSample, o), lne = ref Unsafe.Add(ref lSample, Unsafe.Add(ref o, w));
            ref T lsw = ref Unsafe.Add(ref lSample, Unsafe.Add(ref o, 2 * w)), lse = ref Unsafe.Add(ref lSample, Unsafe.Add(ref o, 3 * w));
            ref T wj = ref Unsafe.Add(ref wts, j);
            Vector256<T> wnw = Vector256.Create(wj), wne = Vector256.Create(Unsafe.Add(ref wj, w));
            Vector256<T> wsw = Vector256.Create(Unsafe.Add(ref wj, 2 * w)), wse = Vector256.Create(Unsafe.Add(ref wj, 3 * w));
            ref T gj = ref Unsafe.Add(ref gbuf, j * kp);
            for (nuint v = 0; v < ukp; v += uvc)
            {
                var gs = Vector256.LoadUnsafe(ref gj, v) * Vector256.LoadUnsafe(ref scale, v);
                MulAdd(gs, wnw, Vector256.LoadUnsafe(ref lnw, v)).StoreUnsafe(ref lnw, v);
                MulAdd(gs, wne, Vector256.LoadUnsafe(ref lne, v)).StoreUnsafe(ref lne, v);
                MulAdd(gs, wsw, Vector256.LoadUnsafe(ref lsw, v)).StoreUnsafe(ref lsw, v);
                MulAdd(gs, wse, Vector256.LoadUnsafe(ref lse, v)).StoreUnsafe(ref lse, v);
            }
        }
    }

    /// <summary>The target-offset gradients (y into gy[j], x into gx[j]) of a row: the chain rule through Y and X, floor rule.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TargetGradRow<T>(ref T dSample, ref int offs, ref T fr, ref T gbuf, ref T cy, ref T cx, ref T even, ref T odd,
        int w, int kp, ref T gy, ref T gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint ukp = (nuint)kp, uvc = (nuint)Vector256<T>.Count;
        for (int j = 0; j < w; j++)
        {
            ref int o = ref Unsafe.Add(ref offs, j);
            ref T dnw = ref Unsafe.Add(ref dSample, o), dne = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, w));
            ref T dsw = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, 2 * w)), dse = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, 3 * w));
            ref T fj = ref Unsafe.Add(ref fr, j);
            Vector256<T> fE = Vector256.Create(fj), fW = Vector256.Create(Unsafe.Add(ref fj, w));
            Vector256<T> fS = Vector256.Create(Unsafe.Add(ref fj, 2 * w)), fN = Vector256.Create(Unsafe.Add(ref fj, 3 * w));
            ref T gj = ref Unsafe.Add(ref gbuf, j * kp);
            Vector256<T> accY = Vector256<T>.Zero, accX = Vector256<T>.Zero;
            for (nuint v = 0; v < ukp; v += uvc)
            {
                var gv = Vector256.LoadUnsafe(ref gj, v);
                Vector256<T> vnw = Vector256.LoadUnsafe(ref dnw, v), vne = Vector256.LoadUnsafe(ref dne, v);
                Vector256<T> vsw = Vector256.LoadUnsafe(ref dsw, v), vse = Vector256.LoadUnsafe(ref dse, v);
                // floor rule: only rows floor(Y), floor(Y) + 1 and columns floor(X), floor(X) + 1 (the zero pixel outside)
                var dY = MulAdd(vse - vne, fW, (vsw - vnw) * fE);
                var dX = MulAdd(vse - vsw, fN, (vne - vnw) * fS);
                accY = MulAdd(gv, MulAdd(Vector256.LoadUnsafe(ref cy, v), dY, Vector256.LoadUnsafe(ref even, v)), accY);
                accX = MulAdd(gv, MulAdd(Vector256.LoadUnsafe(ref cx, v), dX, Vector256.LoadUnsafe(ref odd, v)), accX);
            }
            (Unsafe.Add(ref gy, j), Unsafe.Add(ref gx, j)) = Sums(accY, accX);
        }
    }

    /// <summary>How many rows ahead the backward asks for g (1 to 8 measured the same).</summary>
    private const int PrefetchDistance = 1;

    /// <summary>a b + c, fused where the type has a fused instruction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MulAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(float) && Fma.IsSupported)
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double) && Fma.IsSupported)
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    /// <summary>The lane sums of two vectors; for floats, two horizontal adds do both at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (T, T) Sums<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            var h = Avx.HorizontalAdd(a.AsSingle(), b.AsSingle());   // a01 a23 b01 b23 | a45 a67 b45 b67
            h = Avx.HorizontalAdd(h, h);                              // a0-3 b0-3 . . | a4-7 b4-7 . .
            var q = h.GetLower() + h.GetUpper();
            return (T.CreateTruncating(q.ToScalar()), T.CreateTruncating(q.GetElement(1)));
        }
        return (Vector256.Sum(a), Vector256.Sum(b));
    }
}
