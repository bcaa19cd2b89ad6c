namespace Framework.Models;

/// <summary>A conv layer's padding: an int, an (h, w) pair, or "same" / "valid" as PyTorch accepts.</summary>
public readonly record struct ConvPadding
{
    private ConvPadding(Pair size, string? mode)
    {
        Size = size;
        Mode = mode;
    }

    public Pair Size { get; }

    /// <summary>"same" or "valid", or null for explicit sizes.</summary>
    public string? Mode { get; }

    public static implicit operator ConvPadding(int v) => new(v, null);
    public static implicit operator ConvPadding((int H, int W) t) => new(t, null);
    public static implicit operator ConvPadding(Pair p) => new(p, null);

    public static implicit operator ConvPadding(string mode) => mode is "same" or "valid"
        ? new(0, mode)
        : throw new ArgumentException($"Conv2d: padding must be 'same', 'valid', an int or a pair, got '{mode}'");

    public override string ToString() => Mode ?? Py.Tuple(Size.H, Size.W);
}

/// <summary>
/// 2-D convolution (torch.nn.Conv2d): weight (out_channels, in_channels / groups, kH, kW), optional bias,
/// PyTorch's default initialisation. padding_mode "zeros" (default), "reflect", "replicate" or "circular".
/// </summary>
public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, Pair kernelSize, Pair? stride = null, ConvPadding? padding = null, Pair? dilation = null,
        int groups = 1, bool bias = true, string paddingMode = "zeros")
    {
        ConvArgs.Check("Conv2d", inChannels, outChannels, kernelSize, stride ?? 1, dilation ?? 1, groups, paddingMode);
        var pad = padding ?? 0;
        if (pad.Mode is null && pad.Size.Any(v => v < 0)) throw new ArgumentException($"Conv2d: padding must be non-negative, got {pad}");
        if (pad.Mode == "same" && (stride ?? 1) != new Pair(1, 1))
            throw new ArgumentException("Conv2d: padding='same' is not supported for strided convolutions");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = pad;
        Dilation = dilation ?? 1;
        Groups = groups;
        PaddingMode = paddingMode;
        RegisterParameter("weight", Tensor.Empty(new Shape(outChannels, inChannels / groups, kernelSize.H, kernelSize.W)));
        RegisterParameter("bias", bias ? Tensor.Empty(new Shape(outChannels)) : null);
        ResetParameters();
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Pair KernelSize { get; }
    public Pair Stride { get; }
    public ConvPadding Padding { get; }
    public Pair Dilation { get; }
    public int Groups { get; }
    public string PaddingMode { get; }
    public Tensor Weight => GetParameter("weight")!;
    public Tensor? Bias => GetParameter("bias");

    public void ResetParameters()
    {
        Init.DefaultWeight(Weight);
        if (Bias is { } b) Init.DefaultBias(b, Weight);
    }

    public override Tensor Forward(Tensor input)
    {
        if (PaddingMode != "zeros")
        {
            // pad explicitly in the chosen mode, then convolve without padding (as torch's _conv_forward)
            var (t, b, l, r) = PadAmounts();
            var padded = F.Pad(input, [l, r, t, b], PaddingMode == "zeros" ? "constant" : PaddingMode);
            return F.Conv2d(padded, Weight, Bias, Stride, 0, Dilation, Groups);
        }
        return Padding.Mode is { } mode
            ? F.Conv2d(input, Weight, mode, Bias, Stride, Dilation, Groups)
            : F.Conv2d(input, Weight, Bias, Stride, Padding.Size, Dilation, Groups);
    }

    private (int T, int B, int L, int R) PadAmounts()
    {
        if (Padding.Mode == "valid") return (0, 0, 0, 0);
        if (Padding.Mode == "same")
        {
            int th = Dilation.H * (KernelSize.H - 1), tw = Dilation.W * (KernelSize.W - 1);
            return (th / 2, th - th / 2, tw / 2, tw - tw / 2);
        }
        return (Padding.Size.H, Padding.Size.H, Padding.Size.W, Padding.Size.W);
    }

    protected override string ExtraRepr() =>
        ConvArgs.Repr(InChannels, OutChannels, KernelSize, Stride, Padding.Mode ?? Py.Tuple(Padding.Size.H, Padding.Size.W),
            Padding.Mode is null && Padding.Size == new Pair(0, 0), Dilation, null, Groups, Bias is not null, PaddingMode);
}

/// <summary>
/// Transposed 2-D convolution (torch.nn.ConvTranspose2d; arguments in PyTorch's order, dilation last):
/// weight (in_channels, out_channels / groups, kH, kW). Forward(input, outputSize) picks the output_padding
/// that gives a requested size, as PyTorch's forward(input, output_size).
/// </summary>
public sealed class ConvTranspose2d : Module
{
    public ConvTranspose2d(int inChannels, int outChannels, Pair kernelSize, Pair? stride = null, Pair? padding = null, Pair? outputPadding = null,
        int groups = 1, bool bias = true, Pair? dilation = null, string paddingMode = "zeros")
    {
        ConvArgs.Check("ConvTranspose2d", inChannels, outChannels, kernelSize, stride ?? 1, dilation ?? 1, groups, paddingMode);
        if (paddingMode != "zeros") throw new ArgumentException($"ConvTranspose2d: only \"zeros\" padding mode is supported, got '{paddingMode}'");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        OutputPadding = outputPadding ?? 0;
        Groups = groups;
        Dilation = dilation ?? 1;
        if (Padding.Any(v => v < 0)) throw new ArgumentException($"ConvTranspose2d: padding must be non-negative, got {Padding}");
        RegisterParameter("weight", Tensor.Empty(new Shape(inChannels, outChannels / groups, kernelSize.H, kernelSize.W)));
        RegisterParameter("bias", bias ? Tensor.Empty(new Shape(outChannels)) : null);
        ResetParameters();
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Pair KernelSize { get; }
    public Pair Stride { get; }
    public Pair Padding { get; }
    public Pair OutputPadding { get; }
    public int Groups { get; }
    public Pair Dilation { get; }
    public Tensor Weight => GetParameter("weight")!;
    public Tensor? Bias => GetParameter("bias");

    public void ResetParameters()
    {
        Init.DefaultWeight(Weight);
        if (Bias is { } b) Init.DefaultBias(b, Weight);
    }

    public override Tensor Forward(Tensor input) => F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    /// <summary>The transposed convolution with the output_padding that makes the output (outH, outW).</summary>
    public Tensor Forward(Tensor input, (int H, int W) outputSize)
    {
        if (input.Rank is not (3 or 4)) throw new ArgumentException($"ConvTranspose2d: expected a 3-D or 4-D input, got {input.Shape}");
        int h = input.Shape[^2], w = input.Shape[^1];
        int Min(int n, int s, int p, int d, int k) => (n - 1) * s - 2 * p + d * (k - 1) + 1;
        int minH = Min(h, Stride.H, Padding.H, Dilation.H, KernelSize.H), minW = Min(w, Stride.W, Padding.W, Dilation.W, KernelSize.W);
        if (outputSize.H < minH || outputSize.H >= minH + Stride.H || outputSize.W < minW || outputSize.W >= minW + Stride.W)
            throw new ArgumentException(
                $"ConvTranspose2d: requested an output size of ({outputSize.H}, {outputSize.W}), but valid sizes range from ({minH}, {minW}) to ({minH + Stride.H - 1}, {minW + Stride.W - 1}) (for an input of {Shape.Format([h, w])})");
        return F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, (outputSize.H - minH, outputSize.W - minW), Groups, Dilation);
    }

    protected override string ExtraRepr() =>
        ConvArgs.Repr(InChannels, OutChannels, KernelSize, Stride, Py.Tuple(Padding.H, Padding.W), Padding == new Pair(0, 0), Dilation,
            OutputPadding, Groups, Bias is not null, "zeros");
}

internal static class ConvArgs
{
    public static void Check(string name, int inChannels, int outChannels, Pair kernel, Pair stride, Pair dilation, int groups, string paddingMode)
    {
        if (groups <= 0) throw new ArgumentException($"{name}: groups must be a positive integer, got {groups}");
        if (inChannels <= 0 || outChannels <= 0) throw new ArgumentException($"{name}: in_channels and out_channels must be positive, got {inChannels} and {outChannels}");
        if (inChannels % groups != 0) throw new ArgumentException($"{name}: in_channels must be divisible by groups ({inChannels} channels, {groups} groups)");
        if (outChannels % groups != 0) throw new ArgumentException($"{name}: out_channels must be divisible by groups ({outChannels} channels, {groups} groups)");
        if (kernel.Any(v => v <= 0)) throw new ArgumentException($"{name}: kernel_size must be positive, got {kernel}");
        if (stride.Any(v => v <= 0)) throw new ArgumentException($"{name}: stride must be positive, got {stride}");
        if (dilation.Any(v => v <= 0)) throw new ArgumentException($"{name}: dilation must be positive, got {dilation}");
        if (paddingMode is not ("zeros" or "reflect" or "replicate" or "circular"))
            throw new ArgumentException($"{name}: padding_mode must be one of 'zeros', 'reflect', 'replicate' or 'circular', got '{paddingMode}'");
    }

    /// <summary>torch's _ConvNd.extra_repr: defaults left out.</summary>
    public static string Repr(int inC, int outC, Pair k, Pair s, string padding, bool zeroPadding, Pair d, Pair? outputPadding, int groups,
        bool bias, string paddingMode)
    {
        var r = $"{inC}, {outC}, kernel_size={Py.Tuple(k.H, k.W)}, stride={Py.Tuple(s.H, s.W)}";
        if (!zeroPadding) r += $", padding={padding}";
        if (d != new Pair(1, 1)) r += $", dilation={Py.Tuple(d.H, d.W)}";
        if (outputPadding is { } op && op != new Pair(0, 0)) r += $", output_padding={Py.Tuple(op.H, op.W)}";
        if (groups != 1) r += $", groups={groups}";
        if (!bias) r += ", bias=False";
        if (paddingMode != "zeros") r += $", padding_mode={paddingMode}";
        return r;
    }
}
