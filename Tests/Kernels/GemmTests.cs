using CsCheck;
using Xunit;

namespace Framework.Tests;

/// <summary>The packed GEMM against the textbook triple loop, over sizes that cross every blocking edge.</summary>
public class GemmTests
{
    private static double[] Naive(double[] a, double[] b, int m, int n, int k, bool ta, bool tb)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    private static readonly Gen<(int M, int N, int K, bool TA, bool TB, bool Acc, bool F32)> Cases =
        from m in Gen.OneOf(Gen.Int[1, 20], Gen.Int[140, 300])
        from n in Gen.OneOf(Gen.Int[1, 40], Gen.Int[1000, 1100])
        from k in Gen.OneOf(Gen.Int[0, 30], Gen.Int[250, 530])
        from ta in Gen.Bool
        from tb in Gen.Bool
        from acc in Gen.Bool
        from f32 in Gen.Bool
        select (m, n, k, ta, tb, acc, f32);

    [Fact]
    public void Packed_gemm_matches_the_triple_loop_for_every_layout()
    {
        Cases.Sample(c =>
        {
            var rng = new Random(c.M * 31 + c.N * 7 + c.K);
            var a = Enumerable.Range(0, c.M * c.K).Select(_ => Math.Round(rng.NextDouble() * 4 - 2, 3)).ToArray();
            var b = Enumerable.Range(0, c.K * c.N).Select(_ => Math.Round(rng.NextDouble() * 4 - 2, 3)).ToArray();
            var c0 = Enumerable.Range(0, c.M * c.N).Select(_ => Math.Round(rng.NextDouble(), 3)).ToArray();
            var expected = Naive(a, b, c.M, c.N, c.K, c.TA, c.TB);
            if (c.Acc) for (int i = 0; i < expected.Length; i++) expected[i] += c0[i];
            double[] actual;
            if (c.F32)
            {
                var cf = c0.Select(v => (float)v).ToArray();
                Gemm.Multiply<float>(a.Select(v => (float)v).ToArray(), b.Select(v => (float)v).ToArray(), cf, c.M, c.N, c.K, c.TA, c.TB, c.Acc);
                actual = cf.Select(v => (double)v).ToArray();
            }
            else
            {
                actual = (double[])c0.Clone();
                Gemm.Multiply<double>(a, b, actual, c.M, c.N, c.K, c.TA, c.TB, c.Acc);
            }
            double tol = c.F32 ? 1e-5 * Math.Max(1, c.K) : 1e-12 * Math.Max(1, c.K);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])),
                    $"{c}: C[{i / c.N}, {i % c.N}] expected {expected[i]}, got {actual[i]}");
        }, iter: 40, threads: 1);
    }

    [Fact]
    public void Leading_dimensions_select_submatrices()
    {
        // A is the left 3 columns of a 4x5 matrix, B the top-left 3x2 of a 3x4, C the left 2 columns of 4x3
        double[] a = Enumerable.Range(0, 20).Select(i => (double)i).ToArray();
        double[] b = Enumerable.Range(0, 12).Select(i => (double)(i % 5) - 2).ToArray();
        var c = new double[12];
        Gemm.Multiply<double>(a, b, c, 4, 2, 3, lda: 5, ldb: 4, ldc: 3);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
            {
                double e = j < 2 ? Enumerable.Range(0, 3).Sum(p => a[i * 5 + p] * b[p * 4 + j]) : 0;
                Assert.Equal(e, c[i * 3 + j]);
            }
    }
}
