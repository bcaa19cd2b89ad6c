using Framework.Examples;
using Framework.Models;
using Xunit;

namespace Framework.Tests;

/// <summary>
/// The dcn lab's effective sampling points: built from F.PointsCollection with the taps' base positions, they are
/// the regular receptive field at zero offsets, and the image coordinates the two layers really read otherwise.
/// </summary>
public class DcnPointsTests
{
    [Fact]
    public void Zero_offsets_give_the_regular_taps_of_the_stack_including_dilation()
    {
        var l1 = new DeformConv2d(1, 1, 3, padding: 1);
        var l2 = new DeformConv2d(1, 1, 3, padding: 2, dilation: 2);   // a dilated 3x3 over a 3x3: taps 2 a + b
        int h = 5, w = 6;
        var zero = Tensor.Zeros(new Shape(1, 18, h, w), DType.Float64);
        var p = DcnPoints.Effective(l1, l2, zero, zero).ToDoubleArray();
        int plane = h * w;
        for (int n = 0; n < 9; n++)
            for (int m = 0; m < 9; m++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++)
                    {
                        int pair = n * 9 + m;
                        Assert.Equal(i + 2 * (n / 3 - 1) + (m / 3 - 1), p[2 * pair * plane + i * w + j]);
                        Assert.Equal(j + 2 * (n % 3 - 1) + (m % 3 - 1), p[(2 * pair + 1) * plane + i * w + j]);
                    }
    }

    [Fact]
    public void The_points_are_where_the_two_deformable_convolutions_read_the_image()
    {
        var g = new Generator(4);
        var l1 = new DeformConv2d(1, 1, 3, padding: 1);
        var l2 = new DeformConv2d(1, 1, 3, padding: 1);
        int b = 2, h = 11, w = 12;
        var o1 = Tensor.Randn(new Shape(b, 18, h, w), DType.Float64, g) * 0.8;
        var o2 = Tensor.Randn(new Shape(b, 18, h, w), DType.Float64, g) * 0.8;
        var points = DcnPoints.Effective(l1, l2, o1, o2);
        Assert.Equal(new Shape(b, 162, h, w), points.Shape);

        // one-hot kernels on ramp images: the stack's output is the coordinate it reads
        var (maxDiff, compared, total) = DcnPoints.Probe(l1, l2, o1, o2, points);
        Assert.True(compared > total / 4, $"only {compared} of {total} pairs read inside the image");
        Assert.True(maxDiff < 1e-9, $"the points differ from where the stack reads by {maxDiff} px");

        // the probe can fail: forgetting layer 1's tap base positions moves the corner taps by a pixel
        var b1 = F.Reshape(DcnPoints.TapBase(l1, DType.Float64), 1, 1, 9, 2, 1, 1);
        var wrong = F.Reshape(F.Reshape(points, b, 9, 9, 2, h, w) - b1, b, 162, h, w);
        Assert.True(DcnPoints.Probe(l1, l2, o1, o2, wrong).MaxDiff > 0.99);

        // and the fused op agrees with its grid_sample composition
        var t = o2 + DcnPoints.TapBase(l2, DType.Float64);
        var composed = DcnPoints.Composed(t, o1);
        Assert.True((F.PointsCollection(t, o1) - composed).Abs().Max().Item() < 1e-9);
    }

    [Fact]
    public void Strided_layers_are_refused()
    {
        var l1 = new DeformConv2d(1, 1, 3, stride: 2, padding: 1);
        var l2 = new DeformConv2d(1, 1, 3, padding: 1);
        var o = Tensor.Zeros(new Shape(1, 18, 4, 4));
        Assert.Contains("stride-1", Assert.Throws<ArgumentException>(() => DcnPoints.Effective(l1, l2, o, o)).Message);
    }
}
