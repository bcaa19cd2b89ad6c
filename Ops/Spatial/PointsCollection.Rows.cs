using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Framework;

/// <summary>
/// The per-row inner loops of points_collection: one target point at a time, SIMD over the kp channel-last
/// channels. Each loop runs 512-bit vectors while whole ones fit and a 256-bit one for the rest (kp is whole
/// 256-bit vectors), so the benchmark's 18 channels padded to 24 take two steps instead of three without any
/// more padding. Small methods of their own: inside the big row lambdas the JIT ran out of registers and
/// spilled the corner refs.
/// </summary>
internal static partial class PointsCollectionCpu
{
    /// <summary>
    /// buf[j kp + c] = S(d_c) scale_c + (y_j for even c, x_j for odd c): the accumulated points of target point j of a
    /// row, channel-last; (ty, tx) are where the row's y and x offsets start in t.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SampleRow<T>(ref T dSample, ref int offs, ref T wts, ref T buf, int w, int kp, ref T t, long ty, long tx,
        ref T scale, ref T even) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint ukp = (nuint)kp, n8 = (nuint)Vector256<T>.Count, n16 = (nuint)Vector512<T>.Count;
        bool wide = Vector512.IsHardwareAccelerated;
        ref T yRow = ref Unsafe.Add(ref t, (nint)ty), xRow = ref Unsafe.Add(ref t, (nint)tx);
        var isY8 = Vector256.Equals(Vector256.LoadUnsafe(ref even), Vector256<T>.One);   // the lane pattern repeats: kp is whole vectors
        var isY = Vector512.Create(isY8, isY8);
        for (int j = 0; j < w; j++)
        {
            ref int o = ref Unsafe.Add(ref offs, j);
            ref T nw = ref Unsafe.Add(ref dSample, o), ne = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, w));
            ref T sw = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, 2 * w)), se = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, 3 * w));
            ref T wj = ref Unsafe.Add(ref wts, j);
            T wNw = wj, wNe = Unsafe.Add(ref wj, w), wSw = Unsafe.Add(ref wj, 2 * w), wSe = Unsafe.Add(ref wj, 3 * w);
            var offset = Vector512.ConditionalSelect(isY, Vector512.Create(Unsafe.Add(ref yRow, j)), Vector512.Create(Unsafe.Add(ref xRow, j)));
            ref T dst = ref Unsafe.Add(ref buf, j * kp);
            nuint v = 0;
            if (wide)
                for (; v + n16 <= ukp; v += n16)
                {
                    var acc = Vector512.LoadUnsafe(ref nw, v) * Vector512.Create(wNw);
                    acc = MulAdd(Vector512.LoadUnsafe(ref ne, v), Vector512.Create(wNe), acc);
                    acc = MulAdd(Vector512.LoadUnsafe(ref sw, v), Vector512.Create(wSw), acc);
                    acc = MulAdd(Vector512.LoadUnsafe(ref se, v), Vector512.Create(wSe), acc);
                    MulAdd(acc, Vector512.LoadUnsafe(ref scale, v), offset).StoreUnsafe(ref dst, v);
                }
            for (; v < ukp; v += n8)
            {
                var acc = Vector256.LoadUnsafe(ref nw, v) * Vector256.Create(wNw);
                acc = MulAdd(Vector256.LoadUnsafe(ref ne, v), Vector256.Create(wNe), acc);
                acc = MulAdd(Vector256.LoadUnsafe(ref sw, v), Vector256.Create(wSw), acc);
                acc = MulAdd(Vector256.LoadUnsafe(ref se, v), Vector256.Create(wSe), acc);
                MulAdd(acc, Vector256.LoadUnsafe(ref scale, v), offset.GetLower()).StoreUnsafe(ref dst, v);
            }
        }
    }

    /// <summary>Adds each target point's scaled upstream gradient into its four corners of the channel-last gradient.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ScatterRow<T>(ref T lSample, ref int offs, ref T wts, ref T gbuf, ref T scale, int w, int kp) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint ukp = (nuint)kp, n8 = (nuint)Vector256<T>.Count, n16 = (nuint)Vector512<T>.Count;
        bool wide = Vector512.IsHardwareAccelerated;
        // Neighbouring points mostly share corners, so in row order each point's loads wait on the previous one's
        // stores (forwarding from split-line stores stalls). Visiting the row in four interleaved quarters puts
        // three unrelated points between two that may share a corner.
        int quarter = (w + Interleave - 1) / Interleave;
        for (int step = 0; step < quarter * Interleave; step++)
        {
            int j = step % Interleave * quarter + step / Interleave;
            if (j >= w) continue;   // the last quarter is short
            ref int o = ref Unsafe.Add(ref offs, j);
            ref T lnw = ref Unsafe.Add(ref lSample, o), lne = ref Unsafe.Add(ref lSample, Unsafe.Add(ref o, w));
            ref T lsw = ref Unsafe.Add(ref lSample, Unsafe.Add(ref o, 2 * w)), lse = ref Unsafe.Add(ref lSample, Unsafe.Add(ref o, 3 * w));
            ref T wj = ref Unsafe.Add(ref wts, j);
            T wNw = wj, wNe = Unsafe.Add(ref wj, w), wSw = Unsafe.Add(ref wj, 2 * w), wSe = Unsafe.Add(ref wj, 3 * w);
            ref T gj = ref Unsafe.Add(ref gbuf, j * kp);
            nuint v = 0;
            if (wide)
                for (; v + n16 <= ukp; v += n16)
                {
                    var gs = Vector512.LoadUnsafe(ref gj, v) * Vector512.LoadUnsafe(ref scale, v);
                    MulAdd(gs, Vector512.Create(wNw), Vector512.LoadUnsafe(ref lnw, v)).StoreUnsafe(ref lnw, v);
                    MulAdd(gs, Vector512.Create(wNe), Vector512.LoadUnsafe(ref lne, v)).StoreUnsafe(ref lne, v);
                    MulAdd(gs, Vector512.Create(wSw), Vector512.LoadUnsafe(ref lsw, v)).StoreUnsafe(ref lsw, v);
                    MulAdd(gs, Vector512.Create(wSe), Vector512.LoadUnsafe(ref lse, v)).StoreUnsafe(ref lse, v);
                }
            for (; v < ukp; v += n8)
            {
                var gs = Vector256.LoadUnsafe(ref gj, v) * Vector256.LoadUnsafe(ref scale, v);
                MulAdd(gs, Vector256.Create(wNw), Vector256.LoadUnsafe(ref lnw, v)).StoreUnsafe(ref lnw, v);
                MulAdd(gs, Vector256.Create(wNe), Vector256.LoadUnsafe(ref lne, v)).StoreUnsafe(ref lne, v);
                MulAdd(gs, Vector256.Create(wSw), Vector256.LoadUnsafe(ref lsw, v)).StoreUnsafe(ref lsw, v);
                MulAdd(gs, Vector256.Create(wSe), Vector256.LoadUnsafe(ref lse, v)).StoreUnsafe(ref lse, v);
            }
        }
    }

    private const int Interleave = 4;

    /// <summary>The target-offset gradients (y into gy[j], x into gx[j]) of a row: the chain rule through Y and X, floor rule.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void TargetGradRow<T>(ref T dSample, ref int offs, ref T fr, ref T gbuf, ref T cy, ref T cx, ref T even, ref T odd,
        int w, int kp, ref T gy, ref T gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint ukp = (nuint)kp, n8 = (nuint)Vector256<T>.Count, n16 = (nuint)Vector512<T>.Count;
        bool wide = Vector512.IsHardwareAccelerated;
        for (int j = 0; j < w; j++)
        {
            ref int o = ref Unsafe.Add(ref offs, j);
            ref T dnw = ref Unsafe.Add(ref dSample, o), dne = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, w));
            ref T dsw = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, 2 * w)), dse = ref Unsafe.Add(ref dSample, Unsafe.Add(ref o, 3 * w));
            ref T fj = ref Unsafe.Add(ref fr, j);
            T fE = fj, fW = Unsafe.Add(ref fj, w), fS = Unsafe.Add(ref fj, 2 * w), fN = Unsafe.Add(ref fj, 3 * w);
            ref T gj = ref Unsafe.Add(ref gbuf, j * kp);
            Vector512<T> wideY = Vector512<T>.Zero, wideX = Vector512<T>.Zero;
            nuint v = 0;
            if (wide)
                for (; v + n16 <= ukp; v += n16)
                {
                    var gv = Vector512.LoadUnsafe(ref gj, v);
                    Vector512<T> vnw = Vector512.LoadUnsafe(ref dnw, v), vne = Vector512.LoadUnsafe(ref dne, v);
                    Vector512<T> vsw = Vector512.LoadUnsafe(ref dsw, v), vse = Vector512.LoadUnsafe(ref dse, v);
                    // floor rule: only rows floor(Y), floor(Y) + 1 and columns floor(X), floor(X) + 1 (the zero pixel outside)
                    var dY = MulAdd(vse - vne, Vector512.Create(fW), (vsw - vnw) * Vector512.Create(fE));
                    var dX = MulAdd(vse - vsw, Vector512.Create(fN), (vne - vnw) * Vector512.Create(fS));
                    wideY = MulAdd(gv, MulAdd(Vector512.LoadUnsafe(ref cy, v), dY, Vector512.LoadUnsafe(ref even, v)), wideY);
                    wideX = MulAdd(gv, MulAdd(Vector512.LoadUnsafe(ref cx, v), dX, Vector512.LoadUnsafe(ref odd, v)), wideX);
                }
            Vector256<T> accY = wideY.GetLower() + wideY.GetUpper(), accX = wideX.GetLower() + wideX.GetUpper();
            for (; v < ukp; v += n8)
            {
                var gv = Vector256.LoadUnsafe(ref gj, v);
                Vector256<T> vnw = Vector256.LoadUnsafe(ref dnw, v), vne = Vector256.LoadUnsafe(ref dne, v);
                Vector256<T> vsw = Vector256.LoadUnsafe(ref dsw, v), vse = Vector256.LoadUnsafe(ref dse, v);
                var dY = MulAdd(vse - vne, Vector256.Create(fW), (vsw - vnw) * Vector256.Create(fE));
                var dX = MulAdd(vse - vsw, Vector256.Create(fN), (vne - vnw) * Vector256.Create(fS));
                accY = MulAdd(gv, MulAdd(Vector256.LoadUnsafe(ref cy, v), dY, Vector256.LoadUnsafe(ref even, v)), accY);
                accX = MulAdd(gv, MulAdd(Vector256.LoadUnsafe(ref cx, v), dX, Vector256.LoadUnsafe(ref odd, v)), accX);
            }
            (Unsafe.Add(ref gy, j), Unsafe.Add(ref gx, j)) = Sums(accY, accX);
        }
    }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MulAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(float) && Avx512F.IsSupported)
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double) && Avx512F.IsSupported)
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
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
