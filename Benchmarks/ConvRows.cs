using Framework;

namespace Framework.Benchmarks;

/// <summary>The convolution rows of torch_reference.py: forward, and forward + backward of sum(conv2d(x, w)).</summary>
public static class ConvRows
{
    public static IEnumerable<BenchRow> Rows()
    {
        var cases = new (int[] X, int[] W, int Pad)[]
        {
            ([32, 1, 28, 28], [16, 1, 5, 5], 2),
            ([32, 16, 14, 14], [32, 16, 3, 3], 1),
            ([8, 64, 56, 56], [64, 64, 3, 3], 1),
        };
        int order = 30;
        foreach (var (xs, ws, pad) in cases)
        {
            string name = $"conv2d x{string.Join("x", xs)} w{string.Join("x", ws)}";
            double flops = 2.0 * xs[0] * ws[0] * ws[1] * ws[2] * ws[3] * xs[2] * xs[3];
            yield return new BenchRow(order++, name + " fwd", () =>
            {
                var x = Tensor.Randn(xs);
                var w = Tensor.Randn(ws);
                return () => F.Conv2d(x, w, padding: pad);
            }, ms => Harness.GFlops(flops, ms));
            yield return new BenchRow(order++, name + " fwd+bwd", () =>
            {
                var x = Tensor.Randn(xs).RequiresGrad_();
                var w = Tensor.Randn(ws).RequiresGrad_();
                return () => F.Sum(F.Conv2d(x, w, padding: pad)).Backward();
            });
        }
    }
}
