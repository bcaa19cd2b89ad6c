using System.Numerics;

namespace Framework;

/// <summary>Placeholder GEMM (naive); replaced by the packed Vector256 kernel.</summary>
internal static class Gemm
{
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        bool transA = false, bool transB = false, bool accumulate = false, int lda = -1, int ldb = -1, int ldc = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (lda < 0) lda = transA ? m : k;
        if (ldb < 0) ldb = transB ? k : n;
        if (ldc < 0) ldc = n;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                    s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + s : s;
            }
    }
}
