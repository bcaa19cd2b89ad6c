namespace Framework.Models;

/// <summary>
/// A deformable convolution layer that predicts its own offsets (torchvision.ops.DeformConv2d's weight, bias and
/// arguments, plus the offset predictor of DCN's "pack" layers, mmcv's DeformConv2dPack / ModulatedDeformConv2dPack).
/// <para>
/// <c>conv_offset</c>, a plain <see cref="Conv2d"/> with the same kernel size, stride, padding and dilation, reads the
/// input and predicts, for every output location, offset_groups x kH x kW (dy, dx) offsets in F.DeformConv2d's layout
/// (channel 2k = y of kernel point k, 2k + 1 = x, kernel points row-major, groups outermost). With
/// <c>modulated</c> (DCNv2) it predicts offset_groups x kH x kW more channels, mask logits, and the modulation mask is
/// <c>mask = 2 sigmoid(logits)</c>. conv_offset starts at zero (weight and bias), so at initialisation the offsets are
/// zero, the mask is exactly 1, and the layer is an ordinary convolution. (mmcv's modulated layer uses
/// <c>sigmoid(logits)</c>, which starts at 0.5 and so halves the output of a fresh layer; the factor 2 keeps the
/// "starts as a Conv2d" promise. The mask still ranges over (0, 2), and can switch a kernel point off.)
/// </para>
/// <para>
/// The main weight (out_channels, in_channels / groups, kH, kW) and bias are initialised as torch's Conv2d
/// (kaiming_uniform with a = sqrt(5), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))), drawing exactly what a Conv2d draws
/// (conv_offset draws from a stream of its own), so a DeformConv2d and a Conv2d built from the same seed have the same
/// weight and bias, and so do the layers built after them.
/// </para>
/// State-dict keys: weight, bias, conv_offset.weight, conv_offset.bias. The offsets (and mask) of the last forward
/// are kept in <see cref="LastOffsets"/> (<see cref="LastMask"/>), still in the autograd graph, so a caller can chain
/// them (e.g. into F.PointsCollection) or put a loss on them.
/// </summary>
public sealed class DeformConv2d : Module
{
    public DeformConv2d(int inChannels, int outChannels, Pair kernelSize, Pair? stride = null, Pair? padding = null, Pair? dilation = null,
        int groups = 1, bool bias = true, int offsetGroups = 1, bool modulated = false)
    {
        ConvArgs.Check("DeformConv2d", inChannels, outChannels, kernelSize, stride ?? 1, dilation ?? 1, groups, "zeros");
        var pad = padding ?? 0;
        if (pad.Any(v => v < 0)) throw new ArgumentException($"DeformConv2d: padding must be non-negative, got {pad}");
        if (offsetGroups <= 0) throw new ArgumentException($"DeformConv2d: offset_groups must be a positive integer, got {offsetGroups}");
        if (inChannels % offsetGroups != 0)
            throw new ArgumentException($"DeformConv2d: in_channels must be divisible by offset_groups ({inChannels} channels, {offsetGroups} offset groups)");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = pad;
        Dilation = dilation ?? 1;
        Groups = groups;
        OffsetGroups = offsetGroups;
        Modulated = modulated;
        RegisterParameter("weight", Tensor.Empty(new Shape(outChannels, inChannels / groups, kernelSize.H, kernelSize.W)));
        RegisterParameter("bias", bias ? Tensor.Empty(new Shape(outChannels)) : null);
        ResetParameters();
        int predicted = offsetGroups * (modulated ? 3 : 2) * kernelSize.H * kernelSize.W;
        // conv_offset's random init is overwritten with zeros; drawing it from a throwaway stream leaves the caller's
        // stream as a Conv2d would, so a network keeps its other layers' initial weights when a Conv2d becomes a DeformConv2d
        using (GeneratorScope.Begin(0))
            ConvOffset = RegisterModule("conv_offset", new Conv2d(inChannels, predicted, kernelSize, Stride, Padding, Dilation, bias: true));
        Init.Zeros(ConvOffset.Weight);
        Init.Zeros(ConvOffset.Bias!);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Pair KernelSize { get; }
    public Pair Stride { get; }
    public Pair Padding { get; }
    public Pair Dilation { get; }
    public int Groups { get; }
    public int OffsetGroups { get; }

    /// <summary>DCNv2: a modulation mask 2 sigmoid(logits) per kernel point, predicted with the offsets.</summary>
    public bool Modulated { get; }

    public Tensor Weight => GetParameter("weight")!;
    public Tensor? Bias => GetParameter("bias");

    /// <summary>The offset (and mask-logit) predictor, zero at initialisation.</summary>
    public Conv2d ConvOffset { get; }

    /// <summary>Kernel points per offset group: kH kW.</summary>
    public int KernelPoints => KernelSize.H * KernelSize.W;

    /// <summary>
    /// The offsets the last forward used, (N, 2 offset_groups kH kW, out_h, out_w), in the autograd graph; null before
    /// the first forward. Not a parameter or buffer: not trained, saved or moved by To().
    /// </summary>
    [field: SkipRegistration]
    public Tensor? LastOffsets { get; private set; }

    /// <summary>The modulation mask the last forward used, (N, offset_groups kH kW, out_h, out_w); null when not modulated.</summary>
    [field: SkipRegistration]
    public Tensor? LastMask { get; private set; }

    public void ResetParameters()
    {
        Init.DefaultWeight(Weight);
        if (Bias is { } b) Init.DefaultBias(b, Weight);
    }

    /// <summary>Predicts the offsets (and mask) from the input with conv_offset, then convolves deformably.</summary>
    public override Tensor Forward(Tensor input)
    {
        var predicted = ConvOffset.Forward(input);
        int offsetChannels = 2 * OffsetGroups * KernelPoints;
        if (!Modulated) return Forward(input, predicted);
        var offset = F.Slice(predicted, 1, 0, offsetChannels);
        var mask = 2.0 * F.Sigmoid(F.Slice(predicted, 1, offsetChannels));
        return Forward(input, offset, mask);
    }

    /// <summary>
    /// torchvision's DeformConv2d.forward(input, offset, mask): the given offsets (and mask) instead of predicted ones.
    /// </summary>
    public Tensor Forward(Tensor input, Tensor offset, Tensor? mask = null)
    {
        LastOffsets = offset;
        LastMask = mask;
        return F.DeformConv2d(input, offset, Weight, Bias, Stride, Padding, Dilation, mask);
    }

    /// <summary>torchvision's repr (defaults left out), plus offset_groups and modulated when set.</summary>
    protected override string ExtraRepr()
    {
        var r = $"{InChannels}, {OutChannels}, kernel_size={Py.Tuple(KernelSize.H, KernelSize.W)}, stride={Py.Tuple(Stride.H, Stride.W)}";
        if (Padding != new Pair(0, 0)) r += $", padding={Py.Tuple(Padding.H, Padding.W)}";
        if (Dilation != new Pair(1, 1)) r += $", dilation={Py.Tuple(Dilation.H, Dilation.W)}";
        if (Groups != 1) r += $", groups={Groups}";
        if (Bias is null) r += ", bias=False";
        if (OffsetGroups != 1) r += $", offset_groups={OffsetGroups}";
        if (Modulated) r += ", modulated=True";
        return r;
    }
}
