namespace Framework.Models;

/// <summary>
/// Anti-aliased drawing into a float image (C, H, W) for the synthetic datasets. Coordinates are continuous:
/// pixel (row i, column j) covers [j, j+1) x [i, i+1), so its centre is (j + 0.5, i + 0.5) — the convention of
/// torchvision boxes. Coverage comes from the distance of the pixel centre to the shape's edge (a one-pixel ramp).
/// </summary>
internal sealed class Canvas(int channels, int height, int width)
{
    public int Channels { get; } = channels;
    public int Height { get; } = height;
    public int Width { get; } = width;
    public float[] Pixels { get; } = new float[channels * height * width];

    /// <summary>Blends colour into the pixel by coverage (0..1): p = p + (c - p) * coverage.</summary>
    private void Blend(int i, int j, double coverage, ReadOnlySpan<double> color)
    {
        if (coverage <= 0) return;
        coverage = Math.Min(coverage, 1);
        for (int c = 0; c < Channels; c++)
        {
            int k = (c * Height + i) * Width + j;
            Pixels[k] += (float)((color[c % color.Length] - Pixels[k]) * coverage);
        }
    }

    private (int I0, int I1, int J0, int J1) Box(double x0, double y0, double x1, double y1) =>
        (Math.Max(0, (int)Math.Floor(y0 - 1)), Math.Min(Height - 1, (int)Math.Ceiling(y1 + 1)),
         Math.Max(0, (int)Math.Floor(x0 - 1)), Math.Min(Width - 1, (int)Math.Ceiling(x1 + 1)));

    /// <summary>A segment of the given width with round caps.</summary>
    public void Line(double ax, double ay, double bx, double by, double width, params double[] color)
    {
        double r = width / 2;
        var (i0, i1, j0, j1) = Box(Math.Min(ax, bx) - r, Math.Min(ay, by) - r, Math.Max(ax, bx) + r, Math.Max(ay, by) + r);
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        for (int i = i0; i <= i1; i++)
            for (int j = j0; j <= j1; j++)
            {
                double px = j + 0.5, py = i + 0.5;
                double t = len2 > 0 ? Math.Clamp(((px - ax) * dx + (py - ay) * dy) / len2, 0, 1) : 0;
                double ex = px - (ax + t * dx), ey = py - (ay + t * dy);
                Blend(i, j, r + 0.5 - Math.Sqrt(ex * ex + ey * ey), color);
            }
    }

    public void Polyline(IReadOnlyList<(double X, double Y)> points, double width, params double[] color)
    {
        for (int k = 0; k + 1 < points.Count; k++)
            Line(points[k].X, points[k].Y, points[k + 1].X, points[k + 1].Y, width, color);
    }

    /// <summary>A filled disc.</summary>
    public void Disc(double cx, double cy, double radius, params double[] color)
    {
        var (i0, i1, j0, j1) = Box(cx - radius, cy - radius, cx + radius, cy + radius);
        for (int i = i0; i <= i1; i++)
            for (int j = j0; j <= j1; j++)
            {
                double ex = j + 0.5 - cx, ey = i + 0.5 - cy;
                Blend(i, j, radius + 0.5 - Math.Sqrt(ex * ex + ey * ey), color);
            }
    }

    /// <summary>A circle outline.</summary>
    public void Ring(double cx, double cy, double radius, double width, params double[] color)
    {
        double r = width / 2;
        var (i0, i1, j0, j1) = Box(cx - radius - r, cy - radius - r, cx + radius + r, cy + radius + r);
        for (int i = i0; i <= i1; i++)
            for (int j = j0; j <= j1; j++)
            {
                double ex = j + 0.5 - cx, ey = i + 0.5 - cy;
                Blend(i, j, r + 0.5 - Math.Abs(Math.Sqrt(ex * ex + ey * ey) - radius), color);
            }
    }

    /// <summary>A filled convex polygon (vertices in either winding).</summary>
    public void ConvexPolygon(IReadOnlyList<(double X, double Y)> v, params double[] color)
    {
        double area = 0;
        for (int k = 0; k < v.Count; k++)
        {
            var (x0, y0) = v[k];
            var (x1, y1) = v[(k + 1) % v.Count];
            area += x0 * y1 - x1 * y0;
        }
        double sign = area >= 0 ? 1 : -1;
        var (i0, i1, j0, j1) = Box(v.Min(p => p.X), v.Min(p => p.Y), v.Max(p => p.X), v.Max(p => p.Y));
        for (int i = i0; i <= i1; i++)
            for (int j = j0; j <= j1; j++)
            {
                double px = j + 0.5, py = i + 0.5, outside = double.NegativeInfinity;
                for (int k = 0; k < v.Count; k++)
                {
                    var (x0, y0) = v[k];
                    var (x1, y1) = v[(k + 1) % v.Count];
                    double ex = x1 - x0, ey = y1 - y0, len = Math.Sqrt(ex * ex + ey * ey);
                    if (len == 0) continue;
                    // signed distance to the edge's line, positive outside
                    double d = -sign * (ex * (py - y0) - ey * (px - x0)) / len;
                    outside = Math.Max(outside, d);
                }
                Blend(i, j, 0.5 - outside, color);
            }
    }

    /// <summary>Adds uniform noise in [0, amplitude) and clamps to [0, 1].</summary>
    public void Noise(Generator g, double amplitude)
    {
        for (int k = 0; k < Pixels.Length; k++)
            Pixels[k] = (float)Math.Clamp(Pixels[k] + amplitude * g.NextDouble(), 0, 1);
    }
}
