namespace Framework.Models;

/// <summary>
/// ResNet's basic block (torchvision.models.resnet.BasicBlock, expansion 1): two 3x3 convolutions with batch
/// norm, the input added back (through <paramref name="downsample"/> when the shape changes), ReLU.
/// Children and state-dict keys as torchvision: conv1, bn1, relu, conv2, bn2, downsample.
/// </summary>
public sealed class BasicBlock : Module
{
    public const int Expansion = 1;

    public BasicBlock(int inplanes, int planes, int stride = 1, Module? downsample = null, int groups = 1, int baseWidth = 64,
        int dilation = 1, Func<int, Module>? normLayer = null)
    {
        if (groups != 1 || baseWidth != 64) throw new ArgumentException("BasicBlock: only supports groups=1 and base_width=64");
        if (dilation > 1) throw new ArgumentException("BasicBlock: dilation > 1 not supported in BasicBlock");
        normLayer ??= c => new BatchNorm2d(c);
        Conv1 = ResNetBlocks.Conv3x3(inplanes, planes, stride);
        Bn1 = normLayer(planes);
        Relu = new ReLU();
        Conv2 = ResNetBlocks.Conv3x3(planes, planes);
        Bn2 = normLayer(planes);
        Downsample = downsample;
        Stride = stride;
    }

    public Conv2d Conv1 { get; }
    public Module Bn1 { get; }
    public ReLU Relu { get; }
    public Conv2d Conv2 { get; }
    public Module Bn2 { get; }
    public Module? Downsample { get; }
    public int Stride { get; }

    public override Tensor Forward(Tensor x)
    {
        var identity = Downsample is null ? x : Downsample.Forward(x);
        var y = Relu.Forward(Bn1.Forward(Conv1.Forward(x)));
        y = Bn2.Forward(Conv2.Forward(y));
        return Relu.Forward(y + identity);
    }
}

/// <summary>
/// ResNet's bottleneck block (torchvision.models.resnet.Bottleneck, expansion 4): 1x1 reduce, 3x3 (with the
/// stride, groups and dilation), 1x1 expand to planes * 4, each with batch norm, plus the shortcut, ReLU.
/// Width = planes * (base_width / 64) * groups, as torchvision (ResNeXt and wide ResNets).
/// </summary>
public sealed class Bottleneck : Module
{
    public const int Expansion = 4;

    public Bottleneck(int inplanes, int planes, int stride = 1, Module? downsample = null, int groups = 1, int baseWidth = 64,
        int dilation = 1, Func<int, Module>? normLayer = null)
    {
        normLayer ??= c => new BatchNorm2d(c);
        int width = (int)(planes * (baseWidth / 64.0)) * groups;
        Conv1 = ResNetBlocks.Conv1x1(inplanes, width);
        Bn1 = normLayer(width);
        Conv2 = ResNetBlocks.Conv3x3(width, width, stride, groups, dilation);
        Bn2 = normLayer(width);
        Conv3 = ResNetBlocks.Conv1x1(width, planes * Expansion);
        Bn3 = normLayer(planes * Expansion);
        Relu = new ReLU();
        Downsample = downsample;
        Stride = stride;
    }

    public Conv2d Conv1 { get; }
    public Module Bn1 { get; }
    public Conv2d Conv2 { get; }
    public Module Bn2 { get; }
    public Conv2d Conv3 { get; }
    public Module Bn3 { get; }
    public ReLU Relu { get; }
    public Module? Downsample { get; }
    public int Stride { get; }

    public override Tensor Forward(Tensor x)
    {
        var identity = Downsample is null ? x : Downsample.Forward(x);
        var y = Relu.Forward(Bn1.Forward(Conv1.Forward(x)));
        y = Relu.Forward(Bn2.Forward(Conv2.Forward(y)));
        y = Bn3.Forward(Conv3.Forward(y));
        return Relu.Forward(y + identity);
    }
}

/// <summary>torchvision's conv helpers and the shortcut of a block that changes shape.</summary>
public static class ResNetBlocks
{
    /// <summary>3x3 convolution with padding = dilation, no bias (torchvision's conv3x3).</summary>
    public static Conv2d Conv3x3(int inPlanes, int outPlanes, int stride = 1, int groups = 1, int dilation = 1) =>
        new(inPlanes, outPlanes, 3, stride: stride, padding: dilation, dilation: dilation, groups: groups, bias: false);

    /// <summary>1x1 convolution, no bias (torchvision's conv1x1).</summary>
    public static Conv2d Conv1x1(int inPlanes, int outPlanes, int stride = 1) => new(inPlanes, outPlanes, 1, stride: stride, bias: false);

    /// <summary>The projection shortcut torchvision's _make_layer builds: conv1x1 with the stride, then batch norm.</summary>
    public static Sequential Downsample(int inPlanes, int outPlanes, int stride = 1, Func<int, Module>? normLayer = null) =>
        new(Conv1x1(inPlanes, outPlanes, stride), (normLayer ?? (c => new BatchNorm2d(c)))(outPlanes));

    /// <summary>
    /// A stage of blocks as torchvision's _make_layer: the first block takes the stride (and a projection
    /// shortcut when the stride or the width changes), the rest keep the shape.
    /// </summary>
    public static Sequential MakeLayer(bool bottleneck, int inplanes, int planes, int blocks, int stride = 1)
    {
        if (blocks < 1) throw new ArgumentException($"MakeLayer: blocks must be at least 1, got {blocks}");
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        Module? downsample = stride != 1 || inplanes != planes * expansion ? Downsample(inplanes, planes * expansion, stride) : null;
        var layer = new Sequential();
        layer.Append(bottleneck ? new Bottleneck(inplanes, planes, stride, downsample) : new BasicBlock(inplanes, planes, stride, downsample));
        for (int i = 1; i < blocks; i++)
            layer.Append(bottleneck ? new Bottleneck(planes * expansion, planes) : new BasicBlock(planes * expansion, planes));
        return layer;
    }
}
