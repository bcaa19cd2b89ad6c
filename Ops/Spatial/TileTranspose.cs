using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Framework;

/// <summary>
/// Transposes one square tile of a 256-bit vector's width (8 x 8 floats, 4 x 4 doubles) in registers with AVX
/// unpack / shuffle / lane permutes, element by element elsewhere: the channel-first / channel-last switches of
/// the points_collection kernels, which would otherwise cost a strided scalar move per element.
/// </summary>
internal static class TileTranspose
{
    public static int Size<T>() where T : unmanaged => Vector256<T>.Count;

    /// <summary>dst[c * dstStride + r] = src[r * srcStride + c] for r, c &lt; Size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile<T>(ref T src, int srcStride, ref T dst, int dstStride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Avx.IsSupported && typeof(T) == typeof(float))
            Tile8(ref Unsafe.As<T, float>(ref src), (nuint)srcStride, ref Unsafe.As<T, float>(ref dst), (nuint)dstStride);
        else if (Avx.IsSupported && typeof(T) == typeof(double))
            Tile4(ref Unsafe.As<T, double>(ref src), (nuint)srcStride, ref Unsafe.As<T, double>(ref dst), (nuint)dstStride);
        else
        {
            int n = Size<T>();
            for (int r = 0; r < n; r++)
                for (int c = 0; c < n; c++)
                    Unsafe.Add(ref dst, c * dstStride + r) = Unsafe.Add(ref src, r * srcStride + c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8(ref float src, nuint ss, ref float dst, nuint ds)
    {
        var r0 = Vector256.LoadUnsafe(ref src, 0);
        var r1 = Vector256.LoadUnsafe(ref src, ss);
        var r2 = Vector256.LoadUnsafe(ref src, 2 * ss);
        var r3 = Vector256.LoadUnsafe(ref src, 3 * ss);
        var r4 = Vector256.LoadUnsafe(ref src, 4 * ss);
        var r5 = Vector256.LoadUnsafe(ref src, 5 * ss);
        var r6 = Vector256.LoadUnsafe(ref src, 6 * ss);
        var r7 = Vector256.LoadUnsafe(ref src, 7 * ss);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref dst, 0);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref dst, ds);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref dst, 2 * ds);
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref dst, 3 * ds);
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref dst, 4 * ds);
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref dst, 5 * ds);
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref dst, 6 * ds);
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref dst, 7 * ds);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4(ref double src, nuint ss, ref double dst, nuint ds)
    {
        var r0 = Vector256.LoadUnsafe(ref src, 0);
        var r1 = Vector256.LoadUnsafe(ref src, ss);
        var r2 = Vector256.LoadUnsafe(ref src, 2 * ss);
        var r3 = Vector256.LoadUnsafe(ref src, 3 * ss);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref dst, 0);
        Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref dst, ds);
        Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref dst, 2 * ds);
        Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref dst, 3 * ds);
    }
}
