namespace Framework.Models;

/// <summary>
/// Digit-like glyphs for labs that must run with no download (a spatial-transformer lab, a first classifier):
/// ten stroke templates (0-9) drawn with anti-aliased strokes of random width, each point jittered, then put
/// through a random affine distortion (rotation, scale, shear, translation) scaled by <c>distortion</c>.
/// Images are float32 (N, 1, size, size) in [0, 1], white on black as MNIST; labels int64 (N), balanced
/// round-robin. The same seed gives the same data.
/// </summary>
public static class SyntheticDigits
{
    // templates in a unit box (x right, y down)
    private static readonly (double X, double Y)[][][] Templates =
    [
        [Ellipse(0.5, 0.5, 0.28, 0.4, 20)],
        [[(0.32, 0.25), (0.55, 0.08), (0.55, 0.92)], [(0.32, 0.92), (0.78, 0.92)]],
        [[(0.24, 0.3), (0.33, 0.13), (0.52, 0.07), (0.7, 0.15), (0.75, 0.33), (0.62, 0.52), (0.24, 0.92), (0.8, 0.92)]],
        [[(0.25, 0.12), (0.72, 0.1), (0.45, 0.44), (0.68, 0.52), (0.76, 0.7), (0.66, 0.88), (0.47, 0.94), (0.24, 0.86)]],
        [[(0.64, 0.92), (0.64, 0.08), (0.2, 0.64), (0.82, 0.64)]],
        [[(0.76, 0.08), (0.32, 0.08), (0.28, 0.45), (0.52, 0.38), (0.72, 0.48), (0.77, 0.7), (0.62, 0.9), (0.42, 0.93), (0.24, 0.84)]],
        [[(0.7, 0.1), (0.48, 0.16), (0.32, 0.38), (0.26, 0.65), (0.36, 0.88), (0.55, 0.93), (0.72, 0.8), (0.72, 0.6), (0.56, 0.5), (0.38, 0.54), (0.28, 0.66)]],
        [[(0.2, 0.08), (0.8, 0.08), (0.62, 0.4), (0.42, 0.92)], [(0.35, 0.5), (0.68, 0.5)]],
        [Ellipse(0.5, 0.28, 0.2, 0.19, 16), Ellipse(0.5, 0.7, 0.25, 0.22, 18)],
        [[(0.72, 0.38), (0.55, 0.5), (0.36, 0.46), (0.27, 0.28), (0.36, 0.1), (0.56, 0.07), (0.72, 0.18), (0.73, 0.4), (0.66, 0.7), (0.55, 0.93)]],
    ];

    private static (double, double)[] Ellipse(double cx, double cy, double rx, double ry, int n) =>
        Enumerable.Range(0, n + 1).Select(k => (cx + rx * Math.Sin(2 * Math.PI * k / n), cy - ry * Math.Cos(2 * Math.PI * k / n))).ToArray();

    public const int Classes = 10;

    /// <summary>
    /// <paramref name="count"/> glyphs; distortion 0 draws the plain templates (still with stroke jitter),
    /// 1 rotates up to +-40 degrees, scales 0.7-1.2, shears up to +-0.3 and shifts up to +-18% of the size.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Generate(int count, ulong seed = 0, double distortion = 1.0, int size = 28)
    {
        if (count < 0) throw new ArgumentException($"SyntheticDigits: count must be non-negative, got {count}");
        if (size < 8) throw new ArgumentException($"SyntheticDigits: size must be at least 8, got {size}");
        if (!(distortion >= 0)) throw new ArgumentException($"SyntheticDigits: distortion must be non-negative, got {distortion}");
        var g = new Generator(seed);
        var images = new float[(long)count * size * size];
        var labels = new long[count];
        for (int n = 0; n < count; n++)
        {
            int label = n % Classes;
            labels[n] = label;
            var canvas = Render(label, g, distortion, size);
            canvas.Pixels.CopyTo(images, (long)n * size * size);
        }
        return (Tensor.FromArray(images, new Shape(count, 1, size, size)), Tensor.FromArray(labels, new Shape(count)));
    }

    private static Canvas Render(int label, Generator g, double distortion, int size)
    {
        double U(double a, double b) => a + (b - a) * g.NextDouble();
        double angle = U(-40, 40) * Math.PI / 180 * distortion;
        double scale = 1 + (U(0.7, 1.2) - 1) * distortion;
        double shear = U(-0.3, 0.3) * distortion;
        double tx = U(-0.18, 0.18) * size * distortion, ty = U(-0.18, 0.18) * size * distortion;
        double box = size * 0.68;                      // MNIST puts the digit in a 20x20 box of 28x28
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double width = U(0.07, 0.11) * size;
        (double, double) Map((double X, double Y) p)
        {
            double x = (p.X - 0.5 + U(-0.025, 0.025)) * box, y = (p.Y - 0.5 + U(-0.025, 0.025)) * box;
            x += shear * y;
            x *= scale; y *= scale;
            return (cos * x - sin * y + size / 2.0 + tx, sin * x + cos * y + size / 2.0 + ty);
        }
        var canvas = new Canvas(1, size, size);
        foreach (var stroke in Templates[label])
            canvas.Polyline(stroke.Select(Map).ToArray(), width * scale, 1.0);
        return canvas;
    }
}
