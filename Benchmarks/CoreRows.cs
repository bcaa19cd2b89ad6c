using Framework;

namespace Framework.Benchmarks;

/// <summary>Rows of the foundation: per-op overhead on tiny tensors and matmul.</summary>
public static class CoreRows
{
    public static IEnumerable<BenchRow> Rows()
    {
        yield return new BenchRow(10, "overhead add 1x1x8x8 fwd", () =>
        {
            var a = Tensor.Randn(1, 1, 8, 8);
            var b = Tensor.Randn(1, 1, 8, 8);
            return () => F.Add(a, b);
        });
        yield return new BenchRow(11, "overhead add 1x1x8x8 fwd+bwd", () =>
        {
            var a = Tensor.Randn(1, 1, 8, 8).RequiresGrad_();
            var b = Tensor.Randn(1, 1, 8, 8).RequiresGrad_();
            return () => F.Sum(F.Add(a, b)).Backward();
        });
        foreach (var n in new[] { 256, 1024 })
            yield return new BenchRow(20 + n / 256, $"matmul {n}^3 fwd", () =>
            {
                var a = Tensor.Randn(n, n);
                var b = Tensor.Randn(n, n);
                return () => F.Matmul(a, b);
            }, ms => Harness.GFlops(2.0 * n * n * n, ms));
    }
}
