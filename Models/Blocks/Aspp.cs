namespace Framework.Models;

/// <summary>A dilated 3x3 branch of ASPP (torchvision's ASPPConv): conv (padding = dilation = rate), BN, ReLU.</summary>
public sealed class ASPPConv(int inChannels, int outChannels, int dilation) : Sequential(
    new Conv2d(inChannels, outChannels, 3, padding: dilation, dilation: dilation, bias: false), new BatchNorm2d(outChannels), new ReLU());

/// <summary>
/// The image-pooling branch of ASPP (torchvision's ASPPPooling): global average pooling, 1x1 conv, BN, ReLU,
/// then back to the input's size (bilinear upsampling of a 1x1 map is the constant map, so it is broadcast).
/// </summary>
public sealed class ASPPPooling(int inChannels, int outChannels) : Sequential(
    new AdaptiveAvgPool2d(1), new Conv2d(inChannels, outChannels, 1, bias: false), new BatchNorm2d(outChannels), new ReLU())
{
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4) throw new ArgumentException($"ASPPPooling: expected a 4-D input (N, C, H, W), got {input.Shape}");
        var pooled = base.Forward(input);
        return F.Expand(pooled, pooled.Shape[0], pooled.Shape[1], input.Shape[2], input.Shape[3]);
    }
}

/// <summary>
/// Atrous spatial pyramid pooling (DeepLabv3; torchvision's ASPP): a 1x1 branch, one dilated 3x3 branch per
/// atrous rate and an image-pooling branch, concatenated and projected by 1x1 conv, BN, ReLU and Dropout(0.5).
/// Children and state-dict keys as torchvision: convs.0 ... convs.{rates + 1}, project.
/// </summary>
public sealed class ASPP : Module
{
    public ASPP(int inChannels, int[] atrousRates, int outChannels = 256)
    {
        ArgumentNullException.ThrowIfNull(atrousRates);
        if (atrousRates.Any(r => r <= 0)) throw new ArgumentException($"ASPP: atrous rates must be positive, got [{string.Join(", ", atrousRates)}]");
        var branches = new List<Module> { new Sequential(new Conv2d(inChannels, outChannels, 1, bias: false), new BatchNorm2d(outChannels), new ReLU()) };
        branches.AddRange(atrousRates.Select(r => (Module)new ASPPConv(inChannels, outChannels, r)));
        branches.Add(new ASPPPooling(inChannels, outChannels));
        Convs = new ModuleList(branches.ToArray());
        Project = new Sequential(new Conv2d(branches.Count * outChannels, outChannels, 1, bias: false), new BatchNorm2d(outChannels),
            new ReLU(), new Dropout(0.5));
    }

    public ModuleList Convs { get; }
    public Sequential Project { get; }

    public override Tensor Forward(Tensor input) => Project.Forward(F.Cat(Convs.Select(c => c.Forward(input)).ToList(), 1));
}
