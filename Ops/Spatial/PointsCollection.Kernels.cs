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
    private static T[] Forward<T, TS>(T[] t, T[] d, T[] p, PointsCollectionArgs a)
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
                int i = (int)(row % a.H), b = (int)(row / ((long)a.H * a.N));
                long ty = TargetRow(row, a), tx = ty + hwT, pRow = OutputRow(row, a);
                if (row + PrefetchDistance < r1)
                {
                    Prefetch.Rows(p, OutputRow(row + PrefetchDistance, a), k, hwT, w);
                    Prefetch.Rows(t, TargetRow(row + PrefetchDistance, a), 2, hwT, w);
                }
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
        }, chunksPerWorker: Balance);
        return dl;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<T, TS>(T[] t, T[] d, T[] g, T[]? gt, T[]? gd, PointsCollectionArgs a, T[]? channelLast)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int k = 2 * a.M, kp = Padded<T>(k), vc = Vector256<T>.Count, hw = a.Hd * a.Wd, w = a.W;
        long hwT = (long)a.H * a.W, rowsPerBatch = (long)a.N * a.H, sample = (long)(hw + 1) * kp;
        bool needT = gt is not null, needD = gd is not null;
        var dl = channelLast is { } kept && kept.LongLength == a.B * sample ? kept : new T[a.B * sample];
        if (needT && !ReferenceEquals(dl, channelLast)) Transpose(d, dl, a.B, k, hw, kp, toLast: true);
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
            for (long row = r0; row < r1; row++)
            {
                int i = (int)(row % a.H), b = (int)(row / rowsPerBatch);
                long ty = TargetRow(row, a), tx = ty + hwT, gRow = OutputRow(row, a);
                if (row + PrefetchDistance < r1)
                {
                    Prefetch.Rows(g, OutputRow(row + PrefetchDistance, a), k, hwT, w);
                    Prefetch.Rows(t, TargetRow(row + PrefetchDistance, a), 2, hwT, w);
                }
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
        }, chunksPerWorker: Balance);
        if (needD) Transpose(gd!, gdl!, a.B, k, hw, kp, toLast: false);
    }

    /// <summary>Row chunks per core (see <see cref="Par.For"/>): 4 measured best of 1, 4 and 16 for the backward.</summary>
    private const int Balance = 4;

    /// <summary>How many rows ahead the kernels ask for the channel-first rows of p or g and t (1 to 8 measured the same).</summary>
    private const int PrefetchDistance = 1;
}
