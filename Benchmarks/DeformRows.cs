using Framework;

namespace Framework.Benchmarks;

/// <summary>The deformable convolution row of torch_reference.py: forward + backward of sum(deform_conv2d(x, offset, w, padding=1)).</summary>
public static class DeformRows
{
    public static IEnumerable<BenchRow> Rows()
    {
        // torch_reference.py: x randn(4, 32, 32, 32), w randn(32, 32, 3, 3), offset randn(4, 18, 32, 32), all
        // requiring grad; no mask, no bias, padding 1
        yield return new BenchRow(80, "deform_conv2d 4x32x32x32 k3 fwd+bwd", () =>
        {
            var x = Tensor.Randn(4, 32, 32, 32).RequiresGrad_();
            var w = Tensor.Randn(32, 32, 3, 3).RequiresGrad_();
            var offset = Tensor.Randn(4, 18, 32, 32).RequiresGrad_();
            return () => F.Sum(F.DeformConv2d(x, offset, w, padding: 1)).Backward();
        });
    }
}
