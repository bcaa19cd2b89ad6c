namespace Framework.Models;

/// <summary>
/// Resizes (N, C, H, W) maps to a size or by a scale factor (torch.nn.Upsample, through F.Interpolate):
/// mode "nearest" (default), "nearest-exact", "bilinear" or "area"; alignCorners only for "bilinear".
/// </summary>
public sealed class Upsample : Module
{
    public Upsample(Pair? size = null, double? scaleFactor = null, string mode = "nearest", bool? alignCorners = null)
    {
        if ((size is null) == (scaleFactor is null))
            throw new ArgumentException("Upsample: either size or scale_factor should be defined, and not both");
        if (scaleFactor is { } s && !(s > 0)) throw new ArgumentException($"Upsample: scale_factor must be positive, got {s}");
        Size = size;
        ScaleFactor = scaleFactor;
        Mode = mode;
        AlignCorners = alignCorners;
    }

    public Pair? Size { get; }
    public double? ScaleFactor { get; }
    public string Mode { get; }
    public bool? AlignCorners { get; }

    public override Tensor Forward(Tensor input) => ScaleFactor is { } s
        ? F.Interpolate(input, scaleFactor: s, mode: Mode, alignCorners: AlignCorners)
        : F.Interpolate(input, size: Size, mode: Mode, alignCorners: AlignCorners);

    protected override string ExtraRepr() =>
        (ScaleFactor is { } s ? $"scale_factor={Py.Float(s)}" : $"size={Py.Tuple(Size!.Value.H, Size.Value.W)}") + $", mode={Py.Str(Mode)}";
}

/// <summary>(*, C r^2, H, W) to (*, C, H r, W r) (torch.nn.PixelShuffle): sub-pixel upsampling.</summary>
public sealed class PixelShuffle(int upscaleFactor) : Module
{
    public int UpscaleFactor { get; } = upscaleFactor;
    public override Tensor Forward(Tensor input) => F.PixelShuffle(input, UpscaleFactor);
    protected override string ExtraRepr() => $"upscale_factor={UpscaleFactor}";
}

/// <summary>The inverse of PixelShuffle (torch.nn.PixelUnshuffle).</summary>
public sealed class PixelUnshuffle(int downscaleFactor) : Module
{
    public int DownscaleFactor { get; } = downscaleFactor;
    public override Tensor Forward(Tensor input) => F.PixelUnshuffle(input, DownscaleFactor);
    protected override string ExtraRepr() => $"downscale_factor={DownscaleFactor}";
}
