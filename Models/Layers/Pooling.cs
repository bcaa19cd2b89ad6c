namespace Framework.Models;

/// <summary>2-d max pooling (torch.nn.MaxPool2d); stride defaults to the kernel size.</summary>
public sealed class MaxPool2d(Pair kernelSize, Pair? stride = null, Pair padding = default, Pair? dilation = null,
    bool ceilMode = false) : Module
{
    public Pair KernelSize { get; } = kernelSize;
    public Pair Stride { get; } = stride ?? kernelSize;
    public Pair Padding { get; } = padding;
    public Pair Dilation { get; } = dilation ?? 1;
    public bool CeilMode { get; } = ceilMode;

    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    protected override string ExtraRepr() =>
        $"kernel_size={Py.Size(KernelSize)}, stride={Py.Size(Stride)}, padding={Py.Size(Padding)}, dilation={Py.Size(Dilation)}, ceil_mode={Py.Bool(CeilMode)}";
}

/// <summary>2-d average pooling (torch.nn.AvgPool2d); stride defaults to the kernel size.</summary>
public sealed class AvgPool2d(Pair kernelSize, Pair? stride = null, Pair padding = default, bool ceilMode = false,
    bool countIncludePad = true, int? divisorOverride = null) : Module
{
    public Pair KernelSize { get; } = kernelSize;
    public Pair Stride { get; } = stride ?? kernelSize;
    public Pair Padding { get; } = padding;
    public bool CeilMode { get; } = ceilMode;
    public bool CountIncludePad { get; } = countIncludePad;
    public int? DivisorOverride { get; } = divisorOverride;

    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    protected override string ExtraRepr() => $"kernel_size={Py.Size(KernelSize)}, stride={Py.Size(Stride)}, padding={Py.Size(Padding)}";
}

/// <summary>
/// Average pooling to a fixed output size (torch.nn.AdaptiveAvgPool2d): 1 or (1, 1) is global average pooling.
/// Printed as given, as PyTorch: an int as an int, a pair as a tuple.
/// </summary>
public sealed class AdaptiveAvgPool2d : Module
{
    private readonly bool _givenAsInt;

    public AdaptiveAvgPool2d(int outputSize) : this((Pair)outputSize) => _givenAsInt = true;

    public AdaptiveAvgPool2d(Pair outputSize)
    {
        if (outputSize.Any(v => v <= 0)) throw new ArgumentException($"AdaptiveAvgPool2d: output_size must be positive, got {outputSize}");
        OutputSize = outputSize;
    }

    public Pair OutputSize { get; }
    public override Tensor Forward(Tensor input) => F.AdaptiveAvgPool2d(input, OutputSize);
    protected override string ExtraRepr() => $"output_size={(_givenAsInt ? OutputSize.H.ToString() : Py.Tuple(OutputSize.H, OutputSize.W))}";
}

/// <summary>Max pooling to a fixed output size (torch.nn.AdaptiveMaxPool2d).</summary>
public sealed class AdaptiveMaxPool2d : Module
{
    private readonly bool _givenAsInt;

    public AdaptiveMaxPool2d(int outputSize) : this((Pair)outputSize) => _givenAsInt = true;

    public AdaptiveMaxPool2d(Pair outputSize)
    {
        if (outputSize.Any(v => v <= 0)) throw new ArgumentException($"AdaptiveMaxPool2d: output_size must be positive, got {outputSize}");
        OutputSize = outputSize;
    }

    public Pair OutputSize { get; }
    public override Tensor Forward(Tensor input) => F.AdaptiveMaxPool2d(input, OutputSize);
    protected override string ExtraRepr() => $"output_size={(_givenAsInt ? OutputSize.H.ToString() : Py.Tuple(OutputSize.H, OutputSize.W))}";
}
