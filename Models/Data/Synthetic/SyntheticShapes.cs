namespace Framework.Models;

/// <summary>Scenes of shapes with their boxes and classes (see <see cref="SyntheticShapes"/>).</summary>
/// <param name="Images">float32 (N, 3, size, size) in [0, 1].</param>
/// <param name="Boxes">per image, float32 (objects, 4) as (x1, y1, x2, y2) in pixels (torchvision's xyxy).</param>
/// <param name="Labels">per image, int64 (objects): indices into <see cref="SyntheticShapes.ClassNames"/>.</param>
public sealed record ShapeScenes(Tensor Images, IReadOnlyList<Tensor> Boxes, IReadOnlyList<Tensor> Labels);

/// <summary>
/// Scenes for a detection lab that runs with no download: 1 to maxObjects circles, squares and triangles of
/// random size, colour and position on a noisy dark background, overlapping little (IoU below 0.3). Each box is
/// the tight box of the shape's geometry, where pixel (row i, column j) covers [j, j+1) x [i, i+1).
/// </summary>
public static class SyntheticShapes
{
    public static readonly string[] ClassNames = ["circle", "square", "triangle"];

    public static ShapeScenes Generate(int count, ulong seed = 0, int size = 64, int maxObjects = 4)
    {
        if (count < 0) throw new ArgumentException($"SyntheticShapes: count must be non-negative, got {count}");
        if (size < 16) throw new ArgumentException($"SyntheticShapes: size must be at least 16, got {size}");
        if (maxObjects < 1) throw new ArgumentException($"SyntheticShapes: maxObjects must be at least 1, got {maxObjects}");
        var g = new Generator(seed);
        var images = new float[(long)count * 3 * size * size];
        var boxes = new List<Tensor>(count);
        var labels = new List<Tensor>(count);
        for (int n = 0; n < count; n++)
        {
            var canvas = new Canvas(3, size, size);
            canvas.Noise(g, 0.15);
            int objects = 1 + (int)g.NextLong(0, maxObjects);
            var placed = new List<(double X1, double Y1, double X2, double Y2)>();
            var cls = new List<long>();
            for (int o = 0; o < objects; o++)
                for (int attempt = 0; attempt < 20; attempt++)
                {
                    var (kind, box, draw) = RandomShape(g, size);
                    if (placed.Any(p => IoU(p, box) > 0.3)) continue;
                    draw(canvas, RandomColor(g));
                    placed.Add(box);
                    cls.Add(kind);
                    break;
                }
            canvas.Pixels.CopyTo(images, (long)n * 3 * size * size);
            boxes.Add(Tensor.FromArray(placed.SelectMany(b => new[] { (float)b.X1, (float)b.Y1, (float)b.X2, (float)b.Y2 }).ToArray(), new Shape(placed.Count, 4)));
            labels.Add(Tensor.FromArray(cls.ToArray(), new Shape(cls.Count)));
        }
        return new ShapeScenes(Tensor.FromArray(images, new Shape(count, 3, size, size)), boxes, labels);
    }

    private static double[] RandomColor(Generator g)
    {
        // bright enough to stand out from the background: one channel high, the others anywhere
        var c = new[] { g.NextDouble(), g.NextDouble(), g.NextDouble() };
        c[(int)g.NextLong(0, 3)] = 0.75 + 0.25 * g.NextDouble();
        return c;
    }

    private static (long Kind, (double, double, double, double) Box, Action<Canvas, double[]> Draw) RandomShape(Generator g, int size)
    {
        double U(double a, double b) => a + (b - a) * g.NextDouble();
        long kind = g.NextLong(0, 3);
        double extent = U(0.15, 0.4) * size, half = extent / 2;
        double cx = U(half, size - half), cy = U(half, size - half);
        switch (kind)
        {
            case 0:
                return (kind, (cx - half, cy - half, cx + half, cy + half), (c, col) => c.Disc(cx, cy, half, col));
            case 1:
                {
                    // a square rotated up to 30 degrees, shrunk so its rotated corners stay within the extent
                    double rot = U(-30, 30) * Math.PI / 180;
                    double r = half / (Math.Abs(Math.Cos(rot)) + Math.Abs(Math.Sin(rot)));
                    var v = Corners(cx, cy, r, rot, 4, Math.PI / 4);
                    return (kind, Bounds(v), (c, col) => c.ConvexPolygon(v, col));
                }
            default:
                {
                    var v = Corners(cx, cy, half, U(-20, 20) * Math.PI / 180, 3, 0);
                    var (x1, y1, x2, y2) = Bounds(v);
                    // re-centre the triangle in its extent so the box stays inside the image
                    double sx = cx - (x1 + x2) / 2, sy = cy - (y1 + y2) / 2;
                    v = v.Select(p => (p.X + sx, p.Y + sy)).ToArray();
                    return (kind, Bounds(v), (c, col) => c.ConvexPolygon(v, col));
                }
        }
    }

    /// <summary>Vertices of a regular polygon: for the square r is the half side; for the triangle the circumradius.</summary>
    private static (double X, double Y)[] Corners(double cx, double cy, double r, double rot, int n, double phase)
    {
        double radius = n == 4 ? r * Math.Sqrt(2) : r;
        return Enumerable.Range(0, n)
            .Select(k => { double a = rot + phase + 2 * Math.PI * k / n - Math.PI / 2; return (cx + radius * Math.Cos(a), cy + radius * Math.Sin(a)); })
            .ToArray();
    }

    private static (double, double, double, double) Bounds((double X, double Y)[] v) =>
        (v.Min(p => p.X), v.Min(p => p.Y), v.Max(p => p.X), v.Max(p => p.Y));

    internal static double IoU((double X1, double Y1, double X2, double Y2) a, (double X1, double Y1, double X2, double Y2) b)
    {
        double iw = Math.Max(0, Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1)), ih = Math.Max(0, Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1));
        double inter = iw * ih, union = (a.X2 - a.X1) * (a.Y2 - a.Y1) + (b.X2 - b.X1) * (b.Y2 - b.Y1) - inter;
        return union > 0 ? inter / union : 0;
    }
}
