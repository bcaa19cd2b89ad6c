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
internal static partial class PointsCollectionCpu
{
    /// <summary>
    /// Computes p; returns the channel-last copy of d the CPU kernel made (null on a device), which the backward
    /// reuses instead of transposing d again.
    /// </summary>
    public static Array? Forward(Tensor t, Tensor d, Tensor p, PointsCollectionArgs a)
    {
        if (t.Device.IsIlgpu) { PointsCollectionGpu.Forward(t, d, p, a); return null; }
        CheckOffsets(d, a);
        if (t.DType == DType.Float32) return Forward<float, Float32Ops>(t.Data<float>(), d.Data<float>(), p.Data<float>(), a);
        return Forward<double, Float64Ops>(t.Data<double>(), d.Data<double>(), p.Data<double>(), a);
    }

    public static void Backward(Tensor t, Tensor d, Tensor g, Tensor? gt, Tensor? gd, PointsCollectionArgs a, Array? channelLast)
    {
        if (t.Device.IsIlgpu) { PointsCollectionGpu.Backward(t, d, g, gt, gd, a); return; }
        CheckOffsets(d, a);
        if (t.DType == DType.Float32)
            Backward<float, Float32Ops>(t.Data<float>(), d.Data<float>(), g.Data<float>(), gt?.Data<float>(), gd?.Data<float>(), a, channelLast as float[]);
        else
            Backward<double, Float64Ops>(t.Data<double>(), d.Data<double>(), g.Data<double>(), gt?.Data<double>(), gd?.Data<double>(), a, channelLast as double[]);
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
        Par.For((long)b * k, hw, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
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

    /// <summary>Off switch of the vectorised corner search (for A/B timing).</summary>
    internal static bool VectorLocate = true;

    /// <summary>
    /// The corners of a whole row of target points, corner-major (c w + j): offs (nw, ne, sw, se), their weights
    /// wts and the distances fr (E, W, S, N). float rows run 8 points per step, with the same operations as
    /// <see cref="Corners{T, TS}.Of"/> (bit-identical results); other types point by point.
    /// </summary>
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
                o0.StoreUnsafe(ref offs[0], (nuint)j); o1.StoreUnsafe(ref offs[0], (nuint)(w + j));
                o2.StoreUnsafe(ref offs[0], (nuint)(2 * w + j)); o3.StoreUnsafe(ref offs[0], (nuint)(3 * w + j));
                ref float wf = ref Unsafe.As<T, float>(ref wts[0]), ff = ref Unsafe.As<T, float>(ref fr[0]);
                (fs * fe).StoreUnsafe(ref wf, (nuint)j); (fs * fw).StoreUnsafe(ref wf, (nuint)(w + j));
                (fn * fe).StoreUnsafe(ref wf, (nuint)(2 * w + j)); (fn * fw).StoreUnsafe(ref wf, (nuint)(3 * w + j));
                fe.StoreUnsafe(ref ff, (nuint)j); fw.StoreUnsafe(ref ff, (nuint)(w + j));
                fs.StoreUnsafe(ref ff, (nuint)(2 * w + j)); fn.StoreUnsafe(ref ff, (nuint)(3 * w + j));
            }
        }
        for (; j < w; j++)
        {
            var c = Locate((ts.FromInt(j) + t[tx + j]) * s.Rw, (fi + t[ty + j]) * s.Rh, a, kp, ts, out offs[j], out offs[w + j], out offs[2 * w + j], out offs[3 * w + j]);
            wts[j] = c.WNw; wts[w + j] = c.WNe; wts[2 * w + j] = c.WSw; wts[3 * w + j] = c.WSe;
            fr[j] = c.E; fr[w + j] = c.W; fr[2 * w + j] = c.S; fr[3 * w + j] = c.N;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Load<T>(ref T start, int offset) where T : unmanaged => Vector256.LoadUnsafe(ref start, (nuint)offset);

    /// <summary>Where row (b, n, i) of the flat row index starts in t (its y channel, 2n; x is H W further).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long TargetRow(long row, PointsCollectionArgs a)
    {
        long i = row % a.H, n = row / a.H % a.N, b = row / ((long)a.H * a.N);
        return ((b * 2 * a.N + 2 * n) * a.H + i) * a.W;
    }

    /// <summary>Where row (b, n, i) of the flat row index starts in p (its first channel, 2nM).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long OutputRow(long row, PointsCollectionArgs a)
    {
        long i = row % a.H, n = row / a.H % a.N, b = row / ((long)a.H * a.N);
        return ((b * 2 * a.N * a.M + 2L * n * a.M) * a.H + i) * a.W;
    }
}
