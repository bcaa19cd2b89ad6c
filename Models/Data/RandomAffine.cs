namespace Framework.Models;

/// <summary>
/// A random rotation, translation, scale and shear about the image centre (torchvision's RandomAffine, same
/// parameters and the same inverse matrix, sampled at pixel centres as F.affine does). degrees: angle range
/// (-d, d); translate: maximal fractions (a, b) of width and height, shifted by whole pixels; scale: (min, max);
/// shear: (-s, s) in x, or (xmin, xmax) or (xmin, xmax, ymin, ymax) in degrees. interpolation "nearest"
/// (torchvision's default) or "bilinear"; pixels from outside the image take <paramref name="fill"/>.
/// The same transform applies to every image of a batch, as torchvision does. Computed on the host.
/// </summary>
public sealed class RandomAffine : ITransform
{
    private readonly Generator? _generator;

    public RandomAffine(double degrees, (double X, double Y)? translate = null, (double Min, double Max)? scale = null,
        double[]? shear = null, string interpolation = "nearest", double fill = 0, Generator? generator = null)
        : this((-degrees, degrees), translate, scale, shear, interpolation, fill, generator)
    {
        if (degrees < 0) throw new ArgumentException($"RandomAffine: if degrees is a single number, it must be positive, got {degrees}");
    }

    public RandomAffine((double Min, double Max) degrees, (double X, double Y)? translate = null, (double Min, double Max)? scale = null,
        double[]? shear = null, string interpolation = "nearest", double fill = 0, Generator? generator = null)
    {
        if (translate is { } t && (t.X is < 0 or > 1 || t.Y is < 0 or > 1))
            throw new ArgumentException($"RandomAffine: translation values should be between 0 and 1, got ({t.X}, {t.Y})");
        if (scale is { } s && (s.Min <= 0 || s.Max <= 0 || s.Min > s.Max))
            throw new ArgumentException($"RandomAffine: scale values should be positive with min <= max, got ({s.Min}, {s.Max})");
        if (shear is not null && shear.Length is not (1 or 2 or 4))
            throw new ArgumentException($"RandomAffine: shear should be a number or a sequence of 2 or 4 values, got {shear.Length}");
        if (interpolation is not ("nearest" or "bilinear"))
            throw new ArgumentException($"RandomAffine: interpolation must be 'nearest' or 'bilinear', got '{interpolation}'");
        Degrees = degrees;
        Translate = translate;
        Scale = scale;
        Shear = shear is { Length: 1 } ? [-shear[0], shear[0]] : shear;
        Interpolation = interpolation;
        Fill = fill;
        _generator = generator;
    }

    public (double Min, double Max) Degrees { get; }
    public (double X, double Y)? Translate { get; }
    public (double Min, double Max)? Scale { get; }
    public double[]? Shear { get; }
    public string Interpolation { get; }
    public double Fill { get; }

    /// <summary>The transform's random draw for an image of this size: angle, (tx, ty) in pixels, scale, (shear x, shear y).</summary>
    public (double Angle, (int X, int Y) Translate, double Scale, (double X, double Y) Shear) GetParams(int width, int height, Generator? generator = null)
    {
        var g = generator ?? _generator ?? GeneratorScope.Current;
        double U(double a, double b) => a + (b - a) * g.NextDouble();
        double angle = U(Degrees.Min, Degrees.Max);
        (int, int) tr = (0, 0);
        if (Translate is { } t)
        {
            double mx = t.X * width, my = t.Y * height;
            tr = ((int)Math.Round(U(-mx, mx)), (int)Math.Round(U(-my, my)));
        }
        double sc = Scale is { } s ? U(s.Min, s.Max) : 1.0;
        double shx = 0, shy = 0;
        if (Shear is { } sh)
        {
            shx = U(sh[0], sh[1]);
            if (sh.Length == 4) shy = U(sh[2], sh[3]);
        }
        return (angle, tr, sc, (shx, shy));
    }

    public Tensor Apply(Tensor image)
    {
        Transforms.CheckImage("RandomAffine", image);
        var (angle, tr, sc, sh) = GetParams(image.Shape[^1], image.Shape[^2]);
        return Affine(image, angle, tr, sc, sh, Interpolation, Fill);
    }

    /// <summary>
    /// One affine transform about the image centre (torchvision.transforms.functional.affine): angle in degrees
    /// clockwise on screen, translate in pixels, shear in degrees. Outside pixels read as zero; with a fill
    /// they take it, blended by the interpolated in-image mask as torchvision does (RandomAffine always fills, 0 by default).
    /// </summary>
    public static Tensor Affine(Tensor image, double angle, (int X, int Y) translate, double scale, (double X, double Y) shear,
        string interpolation = "nearest", double? fill = null)
    {
        Transforms.CheckImage("affine", image);
        if (!image.DType.IsFloatingPoint())
            throw new ArgumentException($"affine: expected a float32 or float64 image, got {image.DType.Name()} {image.Shape}");
        if (interpolation is not ("nearest" or "bilinear"))
            throw new ArgumentException($"affine: interpolation must be 'nearest' or 'bilinear', got '{interpolation}'");
        if (!(scale > 0)) throw new ArgumentException($"affine: scale must be positive, got {scale}");
        int h = image.Shape[^2], w = image.Shape[^1];
        var m = InverseMatrix(angle, translate, scale, shear);
        var dst = Warp(image.ToDoubleArray(), (int)(image.Numel / Math.Max(1L, (long)h * w)), h, w, m, interpolation == "bilinear", fill);
        return Tensor.FromDoubles(dst, image.Shape, image.DType, image.Device);
    }

    /// <summary>
    /// torchvision's _get_inverse_affine_matrix with the centre at (0, 0): output (x, y) relative to the image
    /// centre maps to input (m0 x + m1 y + m2, m3 x + m4 y + m5).
    /// </summary>
    public static double[] InverseMatrix(double angleDegrees, (int X, int Y) translate, double scale, (double X, double Y) shearDegrees)
    {
        double rot = angleDegrees * Math.PI / 180, sx = shearDegrees.X * Math.PI / 180, sy = shearDegrees.Y * Math.PI / 180;
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double c = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        var m = new[] { d / scale, -b / scale, 0, -c / scale, a / scale, 0 };
        double tx = translate.X, ty = translate.Y;
        m[2] += m[0] * -tx + m[1] * -ty;
        m[5] += m[3] * -tx + m[4] * -ty;
        return m;
    }

    /// <summary>Samples every plane at the inverse-mapped pixel centres (grid_sample, align_corners=False), filling outside.</summary>
    internal static double[] Warp(double[] src, int planes, int h, int w, double[] m, bool bilinear, double? fill)
    {
        var dst = new double[src.Length];
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                double xc = j - cx, yc = i - cy;
                double xin = m[0] * xc + m[1] * yc + m[2] + cx, yin = m[3] * xc + m[4] * yc + m[5] + cy;
                for (int p = 0; p < planes; p++)
                {
                    long baseIdx = (long)p * h * w;
                    double v;
                    if (!bilinear)
                    {
                        int xi = (int)Math.Round(xin, MidpointRounding.ToEven), yi = (int)Math.Round(yin, MidpointRounding.ToEven);
                        v = xi >= 0 && xi < w && yi >= 0 && yi < h ? src[baseIdx + (long)yi * w + xi] : fill ?? 0;
                    }
                    else
                    {
                        int x0 = (int)Math.Floor(xin), y0 = (int)Math.Floor(yin);
                        double fx = xin - x0, fy = yin - y0, acc = 0, mask = 0;
                        for (int dy = 0; dy <= 1; dy++)
                            for (int dx = 0; dx <= 1; dx++)
                            {
                                int xx = x0 + dx, yy = y0 + dy;
                                if (xx < 0 || xx >= w || yy < 0 || yy >= h) continue;
                                double wgt = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
                                acc += wgt * src[baseIdx + (long)yy * w + xx];
                                mask += wgt;
                            }
                        // torchvision blends with the fill by the interpolated in-image mask: img * mask + (1 - mask) * fill
                        v = fill is { } f ? acc * mask + (1 - mask) * f : acc;
                    }
                    dst[baseIdx + (long)i * w + j] = v;
                }
            }
        return dst;
    }
}
