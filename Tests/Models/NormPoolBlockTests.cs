using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

public class NormAndPoolLayerTests
{
    [Fact]
    public void BatchNorm2d_registers_pytorchs_buffers_and_updates_running_stats_by_the_formula()
    {
        var bn = new BatchNorm2d(2).To(DType.Float64);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDict().Keys.ToArray());
        Assert.Equal(DType.Int64, bn.NumBatchesTracked!.DType);
        var x = Tensor.Randn(new Shape(3, 2, 2, 2), DType.Float64);
        var v = x.ToArray<double>();
        bn.Forward(x);
        for (int c = 0; c < 2; c++)
        {
            var xs = Enumerable.Range(0, 3).SelectMany(n => Enumerable.Range(0, 4).Select(k => v[(n * 2 + c) * 4 + k])).ToArray();
            double mean = xs.Average(), unbiased = xs.Sum(e => (e - mean) * (e - mean)) / (xs.Length - 1);
            Assert.Equal(0.1 * mean, bn.RunningMean!.ToArray<double>()[c], 12);
            Assert.Equal(0.9 + 0.1 * unbiased, bn.RunningVar!.ToArray<double>()[c], 12);
        }
        Assert.Equal(1L, bn.NumBatchesTracked.Item<long>());
        // eval normalizes with the running statistics
        bn.Eval();
        var y = bn.Forward(x).ToArray<double>();
        double rm = bn.RunningMean!.ToArray<double>()[1], rv = bn.RunningVar!.ToArray<double>()[1];
        Assert.Equal((v[4] - rm) / Math.Sqrt(rv + 1e-5), y[4], 12);
        Assert.Equal(1L, bn.NumBatchesTracked.Item<long>());
        Assert.Equal("BatchNorm2d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", bn.Repr());
        Assert.Contains("4D input", Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(new Shape(2, 2), DType.Float64))).Message);
    }

    [Fact]
    public void BatchNorm_with_momentum_null_keeps_a_cumulative_average()
    {
        var bn = new BatchNorm2d(1, momentum: null).To(DType.Float64);
        var means = new List<double>();
        for (int k = 0; k < 3; k++)
        {
            var x = Tensor.Randn(new Shape(4, 1, 2, 2), DType.Float64);
            means.Add(x.ToArray<double>().Average());
            bn.Forward(x);
        }
        Assert.Equal(means.Average(), bn.RunningMean!.Item(), 12);
        Assert.Equal("BatchNorm2d(1, eps=1e-05, momentum=None, affine=True, track_running_stats=True)", bn.Repr());
    }

    [Fact]
    public void Layer_and_group_norm_have_pytorchs_parameters_and_reprs()
    {
        var ln = new LayerNorm([4, 5]);
        Assert.Equal(new Shape(4, 5), ln.Weight!.Shape);
        Assert.Equal("LayerNorm((4, 5), eps=1e-05, elementwise_affine=True)", ln.Repr());
        Assert.Equal("LayerNorm((64,), eps=1e-05, elementwise_affine=True)", new LayerNorm(64).Repr());
        var y = ln.Forward(Tensor.Randn(3, 4, 5)).ToArray<float>();
        Assert.Equal(0, y.Take(20).Average(), 5);
        var gn = new GroupNorm(2, 4);
        Assert.Equal("GroupNorm(2, 4, eps=1e-05, affine=True)", gn.Repr());
        Assert.Equal(new Shape(2, 4, 3, 3), gn.Forward(Tensor.Randn(2, 4, 3, 3)).Shape);
        Assert.Contains("divisible", Assert.Throws<ArgumentException>(() => new GroupNorm(3, 4)).Message);
    }

    [Fact]
    public void Pooling_layers_print_and_shape_as_pytorch()
    {
        Assert.Equal("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)", new MaxPool2d(3, 2, 1).Repr());
        Assert.Equal("MaxPool2d(kernel_size=(3, 2), stride=(3, 2), padding=0, dilation=1, ceil_mode=False)", new MaxPool2d((3, 2)).Repr());
        Assert.Equal("AvgPool2d(kernel_size=2, stride=2, padding=0)", new AvgPool2d(2).Repr());
        Assert.Equal("AdaptiveAvgPool2d(output_size=(1, 1))", new AdaptiveAvgPool2d((1, 1)).Repr());
        Assert.Equal("AdaptiveAvgPool2d(output_size=1)", new AdaptiveAvgPool2d(1).Repr());
        var x = Tensor.Randn(2, 3, 8, 8);
        Assert.Equal(new Shape(2, 3, 4, 4), new MaxPool2d(3, 2, 1).Forward(x).Shape);
        Assert.Equal(new Shape(2, 3, 4, 4), new AvgPool2d(2).Forward(x).Shape);
        Assert.Equal(new Shape(2, 3, 1, 1), new AdaptiveAvgPool2d(1).Forward(x).Shape);
        Assert.Equal(new Shape(2, 3, 2, 2), new AdaptiveMaxPool2d(2).Forward(x).Shape);
    }
}

public class BlockTests
{
    [Fact]
    public void Bottleneck_has_torchvisions_children_keys_and_repr()
    {
        var b = new Bottleneck(64, 16, downsample: ResNetBlocks.Downsample(64, 64));
        // torchvision 0.14: list(Bottleneck(64, 16, downsample=Sequential(conv1x1(64, 64), BatchNorm2d(64))).state_dict())
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "conv2.weight", "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
            "conv3.weight", "bn3.weight", "bn3.bias", "bn3.running_mean", "bn3.running_var", "bn3.num_batches_tracked",
            "downsample.0.weight", "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean", "downsample.1.running_var",
            "downsample.1.num_batches_tracked"], b.StateDict().Keys.ToArray());
        // torchvision's repr, with ReLU(inplace=True) printed as ReLU() (there are no in-place ops here)
        Assert.Equal("""
            Bottleneck(
              (conv1): Conv2d(64, 16, kernel_size=(1, 1), stride=(1, 1), bias=False)
              (bn1): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              (conv2): Conv2d(16, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
              (bn2): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              (conv3): Conv2d(16, 64, kernel_size=(1, 1), stride=(1, 1), bias=False)
              (bn3): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              (relu): ReLU()
              (downsample): Sequential(
                (0): Conv2d(64, 64, kernel_size=(1, 1), stride=(1, 1), bias=False)
                (1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              )
            )
            """.ReplaceLineEndings("\n"), b.Repr());
        Assert.Equal(new Shape(2, 64, 5, 5), b.Forward(Tensor.Randn(2, 64, 5, 5)).Shape);
    }

    [Fact]
    public void Basic_blocks_with_a_strided_projection_shortcut_halve_the_map()
    {
        var layer = ResNetBlocks.MakeLayer(bottleneck: false, inplanes: 8, planes: 16, blocks: 2, stride: 2);
        Assert.Equal(new Shape(2, 16, 4, 4), layer.Forward(Tensor.Randn(2, 8, 8, 8)).Shape);
        Assert.Contains("0.downsample.0.weight", layer.StateDict().Keys);
        Assert.DoesNotContain("1.downsample.0.weight", layer.StateDict().Keys);
        Assert.Equal(["conv1", "bn1", "relu", "conv2", "bn2", "downsample"], ((BasicBlock)layer[0]).NamedChildren().Select(c => c.Name).ToArray());
        var y = new BasicBlock(4, 4).Eval().Forward(Tensor.Randn(1, 4, 3, 3));
        Assert.All(y.ToArray<float>(), v => Assert.True(v >= 0));
        Assert.Throws<ArgumentException>(() => new BasicBlock(4, 4, groups: 2));
    }

    [Fact]
    public void Dense_block_concatenates_growth_and_the_transition_halves()
    {
        var block = new DenseBlock(numLayers: 2, numInputFeatures: 8, bnSize: 4, growthRate: 4);
        // torchvision 0.14: list(_DenseBlock(2, 8, 4, 4, 0.0).state_dict())[:8]
        Assert.Equal(["denselayer1.norm1.weight", "denselayer1.norm1.bias", "denselayer1.norm1.running_mean", "denselayer1.norm1.running_var",
            "denselayer1.norm1.num_batches_tracked", "denselayer1.conv1.weight", "denselayer1.norm2.weight", "denselayer1.norm2.bias"],
            block.StateDict().Keys.Take(8).ToArray());
        var y = block.Forward(Tensor.Randn(2, 8, 6, 6));
        Assert.Equal(new Shape(2, 16, 6, 6), y.Shape);
        var t = new Transition(16, 8);
        Assert.Equal(["norm", "relu", "conv", "pool"], t.NamedChildren().Select(c => c.Name).ToArray());
        Assert.Equal(new Shape(2, 8, 3, 3), t.Forward(y).Shape);
    }

    [Fact]
    public void Aspp_matches_torchvisions_structure()
    {
        var aspp = new ASPP(8, [2, 3], outChannels: 4);
        Assert.Equal("""
            ASPP(
              (convs): ModuleList(
                (0): Sequential(
                  (0): Conv2d(8, 4, kernel_size=(1, 1), stride=(1, 1), bias=False)
                  (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
                  (2): ReLU()
                )
                (1): ASPPConv(
                  (0): Conv2d(8, 4, kernel_size=(3, 3), stride=(1, 1), padding=(2, 2), dilation=(2, 2), bias=False)
                  (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
                  (2): ReLU()
                )
                (2): ASPPConv(
                  (0): Conv2d(8, 4, kernel_size=(3, 3), stride=(1, 1), padding=(3, 3), dilation=(3, 3), bias=False)
                  (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
                  (2): ReLU()
                )
                (3): ASPPPooling(
                  (0): AdaptiveAvgPool2d(output_size=1)
                  (1): Conv2d(8, 4, kernel_size=(1, 1), stride=(1, 1), bias=False)
                  (2): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
                  (3): ReLU()
                )
              )
              (project): Sequential(
                (0): Conv2d(16, 4, kernel_size=(1, 1), stride=(1, 1), bias=False)
                (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
                (2): ReLU()
                (3): Dropout(p=0.5, inplace=False)
              )
            )
            """.ReplaceLineEndings("\n"), aspp.Repr());
        var x = Tensor.Randn(2, 8, 5, 6);
        Assert.Equal(new Shape(2, 4, 5, 6), aspp.Forward(x).Shape);
        // the pooling branch is constant over the map
        var pooled = ((Module)aspp.Convs[3]).Eval().Forward(x).ToArray<float>();
        Assert.All(pooled.Take(30), v => Assert.Equal(pooled[0], v));
    }
}

public class UpsampleAndDropoutLayerTests
{
    [Fact]
    public void Upsample_and_pixel_shuffle_resize_as_pytorch()
    {
        var x = Tensor.Randn(1, 4, 3, 5);
        Assert.Equal(new Shape(1, 4, 6, 10), new Upsample(scaleFactor: 2).Forward(x).Shape);
        Assert.Equal(new Shape(1, 4, 4, 7), new Upsample(size: (4, 7), mode: "bilinear", alignCorners: false).Forward(x).Shape);
        Assert.Equal("Upsample(scale_factor=2.0, mode='nearest')", new Upsample(scaleFactor: 2).Repr());
        Assert.Equal("Upsample(size=(4, 5), mode='bilinear')", new Upsample(size: (4, 5), mode: "bilinear").Repr());
        Assert.Throws<ArgumentException>(() => new Upsample());
        var nearest = new Upsample(scaleFactor: 2).Forward(x).ToArray<float>();
        Assert.Equal(x.ToArray<float>()[0], nearest[0]);
        Assert.Equal(x.ToArray<float>()[0], nearest[11]);   // row 1, column 1 of the 6x10 map repeats pixel (0, 0)
        Assert.Equal(new Shape(1, 1, 6, 10), new PixelShuffle(2).Forward(x).Shape);
        Assert.Equal(x.ToArray<float>(), new PixelUnshuffle(2).Forward(new PixelShuffle(2).Forward(x)).ToArray<float>());
    }

    [Fact]
    public void Dropout_layers_drop_in_training_pass_through_in_eval_and_follow_the_generator_scope()
    {
        var x = Tensor.Ones(1000);
        var d = new Dropout(0.3);
        Tensor a, b;
        using (GeneratorScope.Begin(5)) a = d.Forward(x);
        using (GeneratorScope.Begin(5)) b = d.Forward(x);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        var v = a.ToArray<float>();
        Assert.All(v, e => Assert.True(e == 0 || Math.Abs(e - 1 / 0.7f) < 1e-6));
        Assert.InRange(v.Count(e => e == 0), 230, 370);
        Assert.Equal(x.ToArray<float>(), d.Eval().Forward(x).ToArray<float>());
        var maps = new Dropout2d(0.5).Forward(Tensor.Ones(4, 8, 3, 3)).ToArray<float>();
        for (int c = 0; c < 32; c++) Assert.All(maps.Skip(c * 9).Take(9), e => Assert.Equal(maps[c * 9], e));
    }
}
