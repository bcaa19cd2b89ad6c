namespace Framework.Models;

/// <summary>An image transform (torchvision.transforms): takes a (C, H, W) or (N, C, H, W) tensor, returns one.</summary>
public interface ITransform
{
    Tensor Apply(Tensor image);
}

/// <summary>Transforms applied in order (torchvision's Compose).</summary>
public sealed class Compose(params ITransform[] transforms) : ITransform
{
    public IReadOnlyList<ITransform> Transforms { get; } = transforms;

    public Tensor Apply(Tensor image)
    {
        foreach (var t in Transforms) image = t.Apply(image);
        return image;
    }
}

/// <summary>A transform from a function.</summary>
public sealed class Lambda(Func<Tensor, Tensor> fn) : ITransform
{
    public Tensor Apply(Tensor image) => fn(image);
}

/// <summary>(x - mean[c]) / std[c] per channel (torchvision's Normalize).</summary>
public sealed class Normalize : ITransform
{
    public Normalize(double[] mean, double[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length != std.Length || mean.Length == 0)
            throw new ArgumentException($"Normalize: mean and std need one value per channel, got {mean.Length} and {std.Length}");
        if (std.Any(s => s == 0))
            throw new ArgumentException($"Normalize: std evaluated to zero, leading to division by zero (std = [{string.Join(", ", std)}])");
        Mean = mean;
        Std = std;
    }

    public double[] Mean { get; }
    public double[] Std { get; }

    public Tensor Apply(Tensor image)
    {
        Transforms.CheckImage("Normalize", image);
        int c = image.Shape[^3];
        if (Mean.Length != 1 && Mean.Length != c)
            throw new ArgumentException($"Normalize: {Mean.Length} means for an image with {c} channels {image.Shape}");
        var shape = new Shape(Mean.Length, 1, 1);
        var mean = Tensor.FromDoubles(Mean, shape, image.DType, image.Device);
        var std = Tensor.FromDoubles(Std, shape, image.DType, image.Device);
        return F.Div(F.Sub(image, mean), std);
    }
}

/// <summary>Mirrors the image left-right with probability p (torchvision's RandomHorizontalFlip).</summary>
public sealed class RandomHorizontalFlip(double p = 0.5, Generator? generator = null) : ITransform
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentException($"RandomHorizontalFlip: p must be in [0, 1], got {p}");

    public Tensor Apply(Tensor image)
    {
        Transforms.CheckImage("RandomHorizontalFlip", image);
        if ((generator ?? GeneratorScope.Current).NextDouble() >= P) return image;
        return Transforms.FlipLastDim(image);
    }
}

/// <summary>Mirrors the image top-bottom with probability p (torchvision's RandomVerticalFlip).</summary>
public sealed class RandomVerticalFlip(double p = 0.5, Generator? generator = null) : ITransform
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentException($"RandomVerticalFlip: p must be in [0, 1], got {p}");

    public Tensor Apply(Tensor image)
    {
        Transforms.CheckImage("RandomVerticalFlip", image);
        if ((generator ?? GeneratorScope.Current).NextDouble() >= P) return image;
        int d = image.Rank - 2;
        var idx = Tensor.FromArray(Enumerable.Range(0, image.Shape[d]).Reverse().Select(i => (long)i).ToArray());
        return F.IndexSelect(image, d, idx);
    }
}

/// <summary>
/// A random (height, width) window, after optional padding (torchvision's RandomCrop). padding: one value
/// for all sides, two (left/right, top/bottom) or four (left, top, right, bottom); paddingMode "constant"
/// (with fill), "reflect", "replicate" (torchvision's "edge") or "circular".
/// </summary>
public sealed class RandomCrop : ITransform
{
    private readonly Generator? _generator;

    public RandomCrop(int size, int[]? padding = null, bool padIfNeeded = false, double fill = 0, string paddingMode = "constant", Generator? generator = null)
        : this((size, size), padding, padIfNeeded, fill, paddingMode, generator) { }

    public RandomCrop((int Height, int Width) size, int[]? padding = null, bool padIfNeeded = false, double fill = 0,
        string paddingMode = "constant", Generator? generator = null)
    {
        if (size.Height <= 0 || size.Width <= 0) throw new ArgumentException($"RandomCrop: size must be positive, got ({size.Height}, {size.Width})");
        if (padding is not null && padding.Length is not (1 or 2 or 4))
            throw new ArgumentException($"RandomCrop: padding must have 1, 2 or 4 values, got {padding.Length}");
        if (padding is not null && padding.Any(p => p < 0)) throw new ArgumentException($"RandomCrop: padding must be non-negative, got [{string.Join(", ", padding)}]");
        if (paddingMode == "edge") paddingMode = "replicate";
        if (paddingMode is not ("constant" or "reflect" or "replicate" or "circular"))
            throw new ArgumentException($"RandomCrop: padding_mode must be constant, edge, reflect or circular, got '{paddingMode}'");
        Size = size;
        Padding = padding;
        PadIfNeeded = padIfNeeded;
        Fill = fill;
        PaddingMode = paddingMode;
        _generator = generator;
    }

    public (int Height, int Width) Size { get; }
    public int[]? Padding { get; }
    public bool PadIfNeeded { get; }
    public double Fill { get; }
    public string PaddingMode { get; }

    public Tensor Apply(Tensor image)
    {
        Transforms.CheckImage("RandomCrop", image);
        var x = image;
        if (Padding is { } p)
        {
            var (l, t, r, b) = p.Length switch { 1 => (p[0], p[0], p[0], p[0]), 2 => (p[0], p[1], p[0], p[1]), _ => (p[0], p[1], p[2], p[3]) };
            x = F.Pad(x, [l, r, t, b], PaddingMode, Fill);
        }
        int h = x.Shape[^2], w = x.Shape[^1];
        if (PadIfNeeded && w < Size.Width) { x = F.Pad(x, [Size.Width - w, Size.Width - w, 0, 0], PaddingMode, Fill); w = x.Shape[^1]; }
        if (PadIfNeeded && h < Size.Height) { x = F.Pad(x, [0, 0, Size.Height - h, Size.Height - h], PaddingMode, Fill); h = x.Shape[^2]; }
        if (h < Size.Height || w < Size.Width)
            throw new ArgumentException($"RandomCrop: required crop size ({Size.Height}, {Size.Width}) is larger than the input image size ({h}, {w})");
        var g = _generator ?? GeneratorScope.Current;
        int top = (int)g.NextLong(0, h - Size.Height + 1), left = (int)g.NextLong(0, w - Size.Width + 1);
        return F.Narrow(F.Narrow(x, x.Rank - 2, top, Size.Height), x.Rank - 1, left, Size.Width);
    }
}

internal static class Transforms
{
    public static void CheckImage(string name, Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank is not (3 or 4))
            throw new ArgumentException($"{name}: expected an image tensor (C, H, W) or a batch (N, C, H, W), got {image.Shape}");
    }

    public static Tensor FlipLastDim(Tensor image)
    {
        int w = image.Shape[^1];
        var idx = Tensor.FromArray(Enumerable.Range(0, w).Reverse().Select(i => (long)i).ToArray());
        return F.IndexSelect(image, image.Rank - 1, idx);
    }
}
