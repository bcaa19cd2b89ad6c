namespace Framework.Examples;

/// <summary>Images of thin curves, with the curve and its direction at every pixel (see <see cref="LineScenes"/>).</summary>
/// <param name="Images">float32 (count, 1, size, size) in [0, 1], white curves on black.</param>
/// <param name="Pixels">the same values as a flat array.</param>
/// <param name="Curve">per pixel, the curve that covers it most (0 the circle, 1 and 2 the segments), -1 where none does.</param>
/// <param name="Direction">per pixel, the angle (radians, of the (y, x) tangent) of that curve there; NaN where none.</param>
public sealed record LineScene(Tensor Images, float[] Pixels, int[] Curve, double[] Direction, int Size);

/// <summary>
/// Thin curves at every orientation for the dcn lab: each image holds one circle outline and two straight
/// segments, anti-aliased, about one pixel wide. Pixel (i, j) has its centre at (i, j): the coordinates
/// deform_conv2d samples and ImageCanvas draws in.
/// </summary>
public static class LineScenes
{
    public const double Width = 1.2;

    public static LineScene Generate(int count, int size, Generator g)
    {
        int plane = size * size;
        var v = new float[count * plane];
        var curve = new int[count * plane];
        var direction = new double[count * plane];
        Array.Fill(curve, -1);
        Array.Fill(direction, double.NaN);
        double U(double a, double b) => a + (b - a) * g.NextDouble();
        for (int n = 0; n < count; n++)
        {
            var image = new Span<float>(v, n * plane, plane);
            var cv = new Span<int>(curve, n * plane, plane);
            var dir = new Span<double>(direction, n * plane, plane);
            double cx = U(0.3, 0.7) * size, cy = U(0.3, 0.7) * size, r = U(0.15, 0.35) * size;
            Draw(image, cv, dir, size, 0, (y, x) => (Math.Abs(Math.Sqrt((y - cy) * (y - cy) + (x - cx) * (x - cx)) - r), Math.Atan2(x - cx, -(y - cy))));
            for (int s = 1; s <= 2; s++)
            {
                double angle = U(0, Math.PI), len = U(0.4, 0.9) * size, my = U(0.15, 0.85) * size, mx = U(0.15, 0.85) * size;
                double dy = Math.Sin(angle) * len / 2, dx = Math.Cos(angle) * len / 2;
                Draw(image, cv, dir, size, s, (y, x) => (SegmentDistance(y, x, my - dy, mx - dx, my + dy, mx + dx), angle));
            }
        }
        return new LineScene(Tensor.FromArray(v, new Shape(count, 1, size, size)), v, curve, direction, size);
    }

    /// <summary>Coverage of a stroke of <see cref="Width"/> around a curve (given its distance and tangent angle at a point): a one-pixel ramp, maxed into the image.</summary>
    private static void Draw(Span<float> image, Span<int> curve, Span<double> direction, int size, int id, Func<double, double, (double Distance, double Angle)> geometry)
    {
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
            {
                var (distance, angle) = geometry(i, j);
                double c = Math.Clamp(Width / 2 + 0.5 - distance, 0, 1);
                if (c <= image[i * size + j]) continue;
                image[i * size + j] = (float)c;
                curve[i * size + j] = id;
                direction[i * size + j] = angle;
            }
    }

    private static double SegmentDistance(double y, double x, double ay, double ax, double by, double bx)
    {
        double dy = by - ay, dx = bx - ax, len2 = dy * dy + dx * dx;
        double t = len2 > 0 ? Math.Clamp(((y - ay) * dy + (x - ax) * dx) / len2, 0, 1) : 0;
        double ey = y - (ay + t * dy), ex = x - (ax + t * dx);
        return Math.Sqrt(ey * ey + ex * ex);
    }
}
