using System.Numerics;

namespace Framework;

/// <summary>Small helpers that compile inside ILGPU kernels (T arithmetic only, no conversions, no Math calls).</summary>
internal static class KernelMath
{
    /// <summary>
    /// The integer n as T, built from T.One by binary doubling: exact for |n| below 2^24 (float) / 2^53 (double),
    /// and free of the typeof checks in T.CreateTruncating that ILGPU cannot compile.
    /// </summary>
    public static T FromInt<T>(long n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool negative = n < 0;
        ulong m = negative ? (ulong)(-n) : (ulong)n;
        T r = T.Zero, bit = T.One;
        while (m != 0)
        {
            if ((m & 1) != 0) r += bit;
            bit += bit;
            m >>= 1;
        }
        return negative ? -r : r;
    }

    public static int Min(int a, int b) => a < b ? a : b;
    public static int Max(int a, int b) => a > b ? a : b;
}
