using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

public class ConvLayerTests
{
    [Fact]
    public void Conv2d_has_pytorchs_weight_shape_repr_and_init_bound()
    {
        using var _ = GeneratorScope.Begin(1);
        var c = new Conv2d(4, 8, 3, groups: 2);
        Assert.Equal(new Shape(8, 2, 3, 3), c.Weight.Shape);
        Assert.Equal(new Shape(8), c.Bias!.Shape);
        double bound = 1 / Math.Sqrt(2 * 3 * 3);   // fan_in = in_channels / groups * kH * kW
        Assert.All(c.Weight.ToDoubleArray(), v => Assert.InRange(v, -bound, bound));
        Assert.True(c.Weight.ToDoubleArray().Max(Math.Abs) > bound * 0.8);
        Assert.All(c.Bias.ToDoubleArray(), v => Assert.InRange(v, -bound, bound));
        // strings as torch 1.13 prints them
        Assert.Equal("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same, padding_mode=reflect)",
            new Conv2d(3, 8, 3, padding: "same", paddingMode: "reflect").Repr());
        Assert.Equal("Conv2d(3, 8, kernel_size=(3, 1), stride=(2, 2), padding=(1, 1), dilation=(2, 2), bias=False)",
            new Conv2d(3, 8, (3, 1), stride: 2, padding: 1, dilation: 2, bias: false).Repr());
        Assert.Equal("ConvTranspose2d(8, 4, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2)",
            new ConvTranspose2d(8, 4, 4, stride: 2, padding: 1, outputPadding: 1, groups: 2).Repr());
    }

    [Fact]
    public void Conv2d_forward_shapes_follow_the_arguments()
    {
        var x = Tensor.Randn(2, 3, 9, 7);
        Assert.Equal(new Shape(2, 5, 9, 7), new Conv2d(3, 5, 3, padding: 1).Forward(x).Shape);
        Assert.Equal(new Shape(2, 5, 5, 4), new Conv2d(3, 5, 3, stride: 2, padding: 1).Forward(x).Shape);
        Assert.Equal(new Shape(2, 5, 9, 7), new Conv2d(3, 5, (3, 5), padding: "same", dilation: 2).Forward(x).Shape);
        Assert.Equal(new Shape(2, 5, 7, 5), new Conv2d(3, 5, 3, padding: "valid").Forward(x).Shape);
        Assert.Equal(new Shape(2, 5, 9, 7), new Conv2d(3, 5, 3, padding: (1, 1), paddingMode: "circular").Forward(x).Shape);
        Assert.Contains("divisible by groups", Assert.Throws<ArgumentException>(() => new Conv2d(3, 6, 3, groups: 2)).Message);
        Assert.Contains("strided", Assert.Throws<ArgumentException>(() => new Conv2d(3, 6, 3, stride: 2, padding: "same")).Message);
        Assert.Throws<ArgumentException>(() => new Conv2d(3, 6, 3, padding: "full"));
    }

    [Fact]
    public void A_padding_mode_pads_the_input_before_a_padding_free_convolution()
    {
        var conv = new Conv2d(2, 3, 3, padding: 1, paddingMode: "reflect").To(DType.Float64);
        var x = Tensor.Randn(new Shape(1, 2, 5, 4), DType.Float64);
        var expected = F.Conv2d(F.Pad(x, [1, 1, 1, 1], "reflect"), conv.Weight, conv.Bias);
        Assert.Equal(expected.ToArray<double>(), conv.Forward(x).ToArray<double>());
    }

    [Fact]
    public void ConvTranspose2d_inverts_a_strided_convolutions_shape_and_can_pick_output_size()
    {
        var down = new Conv2d(3, 4, 3, stride: 2, padding: 1);
        var up = new ConvTranspose2d(4, 3, 3, stride: 2, padding: 1);
        Assert.Equal(new Shape(4, 3, 3, 3), up.Weight.Shape);   // (in_channels, out_channels / groups, kH, kW)
        var x = Tensor.Randn(1, 3, 8, 7);
        var y = down.Forward(x);
        Assert.Equal(new Shape(1, 4, 4, 4), y.Shape);
        Assert.Equal(new Shape(1, 3, 7, 7), up.Forward(y).Shape);
        Assert.Equal(new Shape(1, 3, 8, 7), up.Forward(y, (8, 7)).Shape);
        Assert.Contains("valid sizes range", Assert.Throws<ArgumentException>(() => up.Forward(y, (10, 7))).Message);
    }
}
