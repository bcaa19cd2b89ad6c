using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

/// <summary>
/// The DeformConv2d layer: a fresh one is the Conv2d with the same weights (values and gradients), its names are
/// PyTorch's, its offset predictor is trained through the offsets, and it prints as torchvision's layer.
/// </summary>
public class DeformConv2dModuleTests
{
    private static Tensor Randn(Generator g, params int[] shape) => Tensor.Randn(new Shape(shape), DType.Float64, g);

    private static double MaxDiff(Tensor a, Tensor b) =>
        a.ToDoubleArray().Zip(b.ToDoubleArray(), (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();

    [Theory]
    [InlineData(3, 4, 3, 3, 1, 1, 1, 1, 1, false, true)]
    [InlineData(4, 6, 3, 3, 2, 1, 1, 2, 2, false, true)]    // strided, grouped, two offset groups
    [InlineData(2, 3, 3, 2, 1, 2, 2, 1, 1, true, false)]    // (3, 2) kernel, dilation 2, modulated, no bias
    [InlineData(4, 4, 1, 1, 1, 0, 1, 4, 4, true, true)]     // 1x1 depthwise, modulated, four offset groups
    public void At_initialisation_it_is_the_convolution_with_the_same_weights(int inC, int outC, int kh, int kw, int stride, int padding,
        int dilation, int groups, int offsetGroups, bool modulated, bool bias)
    {
        DeformConv2d dcn;
        Conv2d conv;
        Linear afterDcn, afterConv;
        using (GeneratorScope.Begin(7))
        {
            dcn = new DeformConv2d(inC, outC, (kh, kw), stride, padding, dilation, groups, bias, offsetGroups, modulated).To(DType.Float64);
            afterDcn = new Linear(3, 2);
        }
        using (GeneratorScope.Begin(7))
        {
            conv = new Conv2d(inC, outC, (kh, kw), stride, padding, dilation, groups, bias).To(DType.Float64);
            afterConv = new Linear(3, 2);
        }
        // it draws what a Conv2d draws: the same seed gives the same weight and bias, and the same next layer
        Assert.Equal(conv.Weight.ToDoubleArray(), dcn.Weight.ToDoubleArray());
        Assert.Equal(conv.Bias?.ToDoubleArray(), dcn.Bias?.ToDoubleArray());
        Assert.Equal(afterConv.Weight.ToDoubleArray(), afterDcn.Weight.ToDoubleArray());
        Assert.All(dcn.ConvOffset.Parameters(), p => Assert.All(p.ToDoubleArray(), v => Assert.Equal(0, v)));

        var g = new Generator(11);
        var x1 = Randn(g, 2, inC, 7, 6).RequiresGrad_();
        var x2 = x1.Detach().RequiresGrad_();
        var yd = dcn.Forward(x1);
        var yc = conv.Forward(x2);
        Assert.Equal(yc.Shape, yd.Shape);
        Assert.True(MaxDiff(yc, yd) < 1e-12, $"outputs differ by {MaxDiff(yc, yd)}");

        var upstream = Randn(g, yc.Shape.ToArray());
        (yd * upstream).Sum().Backward();
        (yc * upstream).Sum().Backward();
        Assert.True(MaxDiff(x2.Grad!, x1.Grad!) < 1e-12, "input gradients differ");
        Assert.True(MaxDiff(conv.Weight.Grad!, dcn.Weight.Grad!) < 1e-12, "weight gradients differ");
        if (bias) Assert.True(MaxDiff(conv.Bias!.Grad!, dcn.Bias!.Grad!) < 1e-12, "bias gradients differ");

        // the offsets it used: zero, one (y, x) pair per kernel point and offset group, at every output location
        Assert.Equal(new Shape(2, 2 * offsetGroups * kh * kw, yc.Shape[2], yc.Shape[3]), dcn.LastOffsets!.Shape);
        Assert.All(dcn.LastOffsets.ToDoubleArray(), v => Assert.Equal(0, v));
        if (modulated)
        {
            Assert.Equal(new Shape(2, offsetGroups * kh * kw, yc.Shape[2], yc.Shape[3]), dcn.LastMask!.Shape);
            Assert.All(dcn.LastMask.ToDoubleArray(), v => Assert.Equal(1, v));   // 2 sigmoid(0)
        }
        else Assert.Null(dcn.LastMask);
    }

    [Fact]
    public void Parameters_and_state_dict_have_the_pack_layers_names()
    {
        var dcn = new DeformConv2d(3, 8, 3, padding: 1, offsetGroups: 1, modulated: true);
        Assert.Equal(["weight", "bias", "conv_offset.weight", "conv_offset.bias"], dcn.StateDict().Keys.ToArray());
        Assert.Equal(["weight", "bias", "conv_offset.weight", "conv_offset.bias"], dcn.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(new Shape(8, 3, 3, 3), dcn.Weight.Shape);
        Assert.Equal(new Shape(27, 3, 3, 3), dcn.ConvOffset.Weight.Shape);   // 3 x 9: (dy, dx) and a mask logit per kernel point
        var plain = new DeformConv2d(4, 2, (3, 1), bias: false, offsetGroups: 2);
        Assert.Equal(["weight", "conv_offset.weight", "conv_offset.bias"], plain.StateDict().Keys.ToArray());
        Assert.Equal(new Shape(12, 4, 3, 1), plain.ConvOffset.Weight.Shape);   // 2 groups x 2 x 3 points
        Assert.Equal(2 * 4 * 3 * 1 + 12 * 4 * 3 * 1 + 12, plain.ParameterCount());

        // a state dict round trip restores the offsets too
        var other = new DeformConv2d(3, 8, 3, padding: 1, modulated: true);
        Init.Normal(dcn.ConvOffset.Weight, 0, 0.1);
        other.LoadStateDict(dcn.StateDict());
        var x = Tensor.Randn(1, 3, 5, 5);
        Assert.Equal(dcn.Forward(x).ToDoubleArray(), other.Forward(x).ToDoubleArray());
    }

    [Fact]
    public void The_offset_predictor_gets_the_gradient_the_offsets_get()
    {
        var g = new Generator(3);
        DeformConv2d dcn;
        using (GeneratorScope.Begin(3)) dcn = new DeformConv2d(2, 3, 3, padding: 1, modulated: true).To(DType.Float64);
        var x = Randn(g, 2, 2, 5, 6);
        var upstream = Randn(g, 2, 3, 5, 6);
        (dcn.Forward(x) * upstream).Sum().Backward();

        // the same computation with explicit offset and mask tensors: their gradients, summed over batch and
        // locations, are d/d(conv_offset.bias) (the predictor's output is linear in its bias)
        var offset = Tensor.Zeros(new Shape(2, 18, 5, 6), DType.Float64).RequiresGrad_();
        var mask = Tensor.Ones(new Shape(2, 9, 5, 6), DType.Float64).RequiresGrad_();
        (F.DeformConv2d(x, offset, dcn.Weight.Detach(), dcn.Bias!.Detach(), 1, 1, 1, mask) * upstream).Sum().Backward();
        var perChannel = F.Cat([F.Sum(offset.Grad!, [0, 2, 3]), F.Sum(mask.Grad!, [0, 2, 3]) * 0.5], 0);   // d(2 sigmoid)/d logit = 0.5 at 0
        var biasGrad = dcn.ConvOffset.Bias!.Grad!;
        Assert.True(biasGrad.ToDoubleArray().Any(v => Math.Abs(v) > 1e-3), "the offset predictor got no gradient");
        Assert.True(MaxDiff(perChannel, biasGrad) < 1e-10, $"conv_offset.bias.grad differs from the offsets' gradient by {MaxDiff(perChannel, biasGrad)}");
        Assert.Contains(dcn.ConvOffset.Weight.Grad!.ToDoubleArray(), v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void Predictor_gradients_match_finite_differences_once_the_offsets_are_fractional()
    {
        // zero offsets sample on pixels, where bilinear interpolation has a kink; small random predictor weights
        // move every sample off the pixel grid, where the layer is smooth and central differences apply
        var g = new Generator(5);
        DeformConv2d dcn;
        using (GeneratorScope.Begin(5)) dcn = new DeformConv2d(2, 2, 3, padding: 1, offsetGroups: 2, modulated: true).To(DType.Float64);
        Init.Normal(dcn.ConvOffset.Weight, 0, 0.3, g);
        Init.Uniform(dcn.ConvOffset.Bias!, 0.1, 0.4, g);
        var x = Randn(g, 1, 2, 4, 5);
        var upstream = Randn(g, 1, 2, 4, 5);
        double Loss() => (dcn.Forward(x) * upstream).Sum().Item();
        dcn.ZeroGrad();
        (dcn.Forward(x) * upstream).Sum().Backward();
        foreach (var p in new[] { dcn.ConvOffset.Weight, dcn.ConvOffset.Bias! })
        {
            var analytic = p.Grad!.ToDoubleArray();
            var values = p.ToDoubleArray();
            const double eps = 1e-6;
            for (int i = 0; i < values.Length; i += 7)
            {
                double Perturbed(double delta)
                {
                    var v = (double[])values.Clone();
                    v[i] += delta;
                    using (Autograd.NoGrad()) p.CopyFrom(Tensor.FromArray(v, p.Shape));
                    return Loss();
                }
                double numerical = (Perturbed(eps) - Perturbed(-eps)) / (2 * eps);
                using (Autograd.NoGrad()) p.CopyFrom(Tensor.FromArray(values, p.Shape));
                Assert.True(Math.Abs(numerical - analytic[i]) < 1e-6 + 1e-4 * Math.Abs(numerical),
                    $"{p.Name}[{i}]: analytic {analytic[i]}, numerical {numerical}");
            }
        }
    }

    [Fact]
    public void Last_offsets_stay_in_the_graph_and_explicit_offsets_bypass_the_predictor()
    {
        var dcn = new DeformConv2d(1, 2, 3, stride: 2, padding: 1).To(DType.Float64);
        var x = Tensor.Randn(new Shape(1, 1, 8, 8), DType.Float64);
        dcn.Forward(x);
        // a loss on the offsets alone reaches the predictor: chaining them (e.g. into F.PointsCollection) trains it
        var offsets = dcn.LastOffsets!;
        Assert.Equal(new Shape(1, 18, 4, 4), offsets.Shape);
        F.PointsCollection(offsets, offsets).Square().Sum().Backward();
        Assert.NotNull(dcn.ConvOffset.Bias!.Grad);
        Assert.Null(dcn.Weight.Grad);

        // torchvision's forward(input, offset): a shift of one pixel in x for every kernel point
        var shift = Tensor.Zeros(new Shape(1, 18, 4, 4), DType.Float64);
        using (Autograd.NoGrad()) shift.CopyFrom(F.Cat(Enumerable.Range(0, 9).SelectMany(_ => new[]
            { Tensor.Zeros(new Shape(1, 1, 4, 4), DType.Float64), Tensor.Ones(new Shape(1, 1, 4, 4), DType.Float64) }).ToArray(), 1));
        var shifted = dcn.Forward(x, shift);
        Assert.Same(shift, dcn.LastOffsets);
        var expected = F.DeformConv2d(x, shift, dcn.Weight, dcn.Bias, 2, 1, 1);
        Assert.Equal(expected.ToDoubleArray(), shifted.ToDoubleArray());
        Assert.NotEqual(dcn.Forward(x).ToDoubleArray(), shifted.ToDoubleArray());
    }

    [Fact]
    public void Prints_as_torchvisions_layer_with_its_offset_predictor()
    {
        Assert.Equal("DeformConv2d(\n  3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)\n" +
                     "  (conv_offset): Conv2d(3, 18, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n)",
            new DeformConv2d(3, 8, 3, padding: 1).Repr());
        Assert.Equal("DeformConv2d(\n  4, 8, kernel_size=(3, 1), stride=(2, 2), dilation=(2, 2), groups=2, bias=False, offset_groups=2, modulated=True\n" +
                     "  (conv_offset): Conv2d(4, 18, kernel_size=(3, 1), stride=(2, 2), dilation=(2, 2))\n)",
            new DeformConv2d(4, 8, (3, 1), stride: 2, dilation: 2, groups: 2, bias: false, offsetGroups: 2, modulated: true).Repr());
        var s = new DeformConv2d(3, 8, 3, padding: 1).ToString();
        Assert.Contains("conv_offset.weight  (18, 3, 3, 3)", s);
        Assert.EndsWith("total: 728 parameters in 4 tensors", s);   // 216 + 8 + 486 + 18
    }

    [Fact]
    public void Bad_arguments_are_refused_with_the_layers_name()
    {
        Assert.StartsWith("DeformConv2d:", Assert.Throws<ArgumentException>(() => new DeformConv2d(3, 6, 3, offsetGroups: 2)).Message);
        Assert.StartsWith("DeformConv2d:", Assert.Throws<ArgumentException>(() => new DeformConv2d(3, 6, 3, offsetGroups: 0)).Message);
        Assert.StartsWith("DeformConv2d:", Assert.Throws<ArgumentException>(() => new DeformConv2d(3, 6, 3, padding: -1)).Message);
        Assert.StartsWith("DeformConv2d:", Assert.Throws<ArgumentException>(() => new DeformConv2d(3, 6, 3, groups: 2)).Message);
        // an input of the wrong channel count fails in the predictor, before any sampling
        Assert.Throws<ArgumentException>(() => new DeformConv2d(3, 6, 3).Forward(Tensor.Randn(1, 2, 5, 5)));
    }
}
