using Framework;

namespace Framework.Benchmarks;

/// <summary>
/// Rows of the CNN layer ops around convolution (pooling, normalization, resizing, dropout), float32, fwd+bwd
/// through a sum, as a ResNet-ish stage sees them. Their PyTorch twins are not in torch_reference.py yet.
/// </summary>
public static class CnnAuxRows
{
    private static Tensor Input(params int[] shape) => Tensor.Randn(shape).RequiresGrad_();

    public static IEnumerable<BenchRow> Rows()
    {
        yield return new BenchRow(60, "max_pool2d x8x64x56x56 k3 s2 p1 fwd+bwd", () =>
        {
            var x = Input(8, 64, 56, 56);
            return () => F.Sum(F.MaxPool2d(x, 3, 2, 1)).Backward();
        });
        yield return new BenchRow(61, "avg_pool2d x8x64x56x56 k2 fwd+bwd", () =>
        {
            var x = Input(8, 64, 56, 56);
            return () => F.Sum(F.AvgPool2d(x, 2)).Backward();
        });
        yield return new BenchRow(62, "adaptive_avg_pool2d x32x512x7x7 to 1 fwd+bwd", () =>
        {
            var x = Input(32, 512, 7, 7);
            return () => F.Sum(F.AdaptiveAvgPool2d(x, 1)).Backward();
        });
        yield return new BenchRow(63, "batch_norm train x8x64x56x56 fwd+bwd", () =>
        {
            var x = Input(8, 64, 56, 56);
            var w = Input(64);
            var b = Input(64);
            var rm = Tensor.Zeros(new Shape(64));
            var rv = Tensor.Ones(new Shape(64));
            return () => F.Sum(F.BatchNorm(x, rm, rv, w, b, training: true)).Backward();
        });
        yield return new BenchRow(64, "group_norm x8x64x56x56 g32 fwd+bwd", () =>
        {
            var x = Input(8, 64, 56, 56);
            var w = Input(64);
            var b = Input(64);
            return () => F.Sum(F.GroupNorm(x, 32, w, b)).Backward();
        });
        yield return new BenchRow(65, "layer_norm x64x128x256 over 256 fwd+bwd", () =>
        {
            var x = Input(64, 128, 256);
            var w = Input(256);
            var b = Input(256);
            return () => F.Sum(F.LayerNorm(x, [256], w, b)).Backward();
        });
        yield return new BenchRow(66, "interpolate bilinear x8x64x28x28 x2 fwd+bwd", () =>
        {
            var x = Input(8, 64, 28, 28);
            return () => F.Sum(F.Interpolate(x, scaleFactor: 2.0, mode: "bilinear")).Backward();
        });
        yield return new BenchRow(67, "interpolate nearest x8x64x28x28 x2 fwd+bwd", () =>
        {
            var x = Input(8, 64, 28, 28);
            return () => F.Sum(F.Interpolate(x, scaleFactor: 2.0)).Backward();
        });
        yield return new BenchRow(68, "dropout x8x64x56x56 p0.5 fwd+bwd", () =>
        {
            var x = Input(8, 64, 56, 56);
            return () => F.Sum(F.Dropout(x, 0.5)).Backward();
        });
        yield return new BenchRow(70, "max_pool2d x8x64x56x56 k3 s2 p1 fwd", () =>
        {
            var x = Tensor.Randn(8, 64, 56, 56);
            return () => F.MaxPool2d(x, 3, 2, 1);
        });
        yield return new BenchRow(71, "layer_norm x64x128x256 over 256 fwd", () =>
        {
            var x = Tensor.Randn(64, 128, 256);
            var w = Tensor.Randn(256);
            var b = Tensor.Randn(256);
            return () => F.LayerNorm(x, [256], w, b);
        });
        yield return new BenchRow(72, "batch_norm train x8x64x56x56 fwd", () =>
        {
            var x = Tensor.Randn(8, 64, 56, 56);
            return () => F.BatchNorm(x, null, null, training: true);
        });
        yield return new BenchRow(73, "dropout x8x64x56x56 p0.5 fwd", () =>
        {
            var x = Tensor.Randn(8, 64, 56, 56);
            return () => F.Dropout(x, 0.5);
        });
        yield return new BenchRow(69, "sum x8x64x56x56 fwd+bwd (the rows' own overhead)", () =>
        {
            var x = Input(8, 64, 56, 56);
            return () => F.Sum(x).Backward();
        });
    }
}
