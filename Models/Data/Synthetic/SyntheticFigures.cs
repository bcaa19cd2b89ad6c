namespace Framework.Models;

/// <summary>
/// Stick figures with keypoints, for a pose-estimation lab that runs with no download. Each image shows one
/// figure in a random pose (limb angles, overall rotation, size, position) drawn with anti-aliased lines;
/// its left limbs are drawn brighter than its right ones so left and right can be told apart.
/// Images: float32 (N, 1, size, size) in [0, 1]; keypoints: float32 (N, K, 2) as (x, y) in pixels, where pixel
/// (row i, column j) covers [j, j+1) x [i, i+1). The keypoints are <see cref="KeypointNames"/> (K = 11).
/// </summary>
public static class SyntheticFigures
{
    public static readonly string[] KeypointNames =
        ["head", "neck", "left_elbow", "left_hand", "right_elbow", "right_hand", "hip", "left_knee", "left_foot", "right_knee", "right_foot"];

    /// <summary>The skeleton's bones as keypoint index pairs (head-neck is drawn as a neck line plus the head circle).</summary>
    public static readonly (int From, int To)[] Bones =
        [(0, 1), (1, 2), (2, 3), (1, 4), (4, 5), (1, 6), (6, 7), (7, 8), (6, 9), (9, 10)];

    public static int KeypointCount => KeypointNames.Length;

    public static (Tensor Images, Tensor Keypoints) Generate(int count, ulong seed = 0, int size = 64)
    {
        if (count < 0) throw new ArgumentException($"SyntheticFigures: count must be non-negative, got {count}");
        if (size < 16) throw new ArgumentException($"SyntheticFigures: size must be at least 16, got {size}");
        var g = new Generator(seed);
        int k = KeypointCount;
        var images = new float[(long)count * size * size];
        var keypoints = new float[(long)count * k * 2];
        for (int n = 0; n < count; n++)
        {
            var pts = Pose(g, size);
            var canvas = new Canvas(1, size, size);
            double w = Math.Max(1.2, size / 28.0);
            foreach (var (a, b) in Bones)
            {
                bool left = KeypointNames[b].StartsWith("left", StringComparison.Ordinal);
                bool right = KeypointNames[b].StartsWith("right", StringComparison.Ordinal);
                canvas.Line(pts[a].X, pts[a].Y, pts[b].X, pts[b].Y, w, left ? 1.0 : right ? 0.5 : 0.8);
            }
            double headR = Distance(pts[0], pts[1]) * 0.55;
            canvas.Ring(pts[0].X, pts[0].Y, headR, w, 0.8);
            canvas.Noise(g, 0.05);
            canvas.Pixels.CopyTo(images, (long)n * size * size);
            for (int j = 0; j < k; j++)
            {
                keypoints[((long)n * k + j) * 2] = (float)pts[j].X;
                keypoints[((long)n * k + j) * 2 + 1] = (float)pts[j].Y;
            }
        }
        return (Tensor.FromArray(images, new Shape(count, 1, size, size)), Tensor.FromArray(keypoints, new Shape(count, k, 2)));
    }

    private static double Distance((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    /// <summary>A random pose, scaled and placed to fit inside the image with a margin for the head.</summary>
    private static (double X, double Y)[] Pose(Generator g, int size)
    {
        double U(double a, double b) => a + (b - a) * g.NextDouble();
        double Deg(double d) => d * Math.PI / 180;
        // angles measured from "down" (0) towards the figure's left (+), in a body frame with y down
        (double, double) From((double X, double Y) p, double angle, double len) => (p.X + len * Math.Sin(angle), p.Y + len * Math.Cos(angle));
        var pts = new (double X, double Y)[KeypointCount];
        double torso = 1.0, upper = 0.55, lower = 0.5, thigh = 0.6, shin = 0.55;
        pts[6] = (0, 0);                                   // hip
        pts[1] = (0, -torso);                              // neck
        pts[0] = (0, -torso - 0.35);                       // head centre
        double la = Deg(U(20, 160)), ra = -Deg(U(20, 160));
        pts[2] = From(pts[1], la, upper); pts[3] = From(pts[2], la + Deg(U(-60, 60)), lower);
        pts[4] = From(pts[1], ra, upper); pts[5] = From(pts[4], ra + Deg(U(-60, 60)), lower);
        double ll = Deg(U(5, 45)), rl = -Deg(U(5, 45));
        pts[7] = From(pts[6], ll, thigh); pts[8] = From(pts[7], ll + Deg(U(-40, 10)), shin);
        pts[9] = From(pts[6], rl, thigh); pts[10] = From(pts[9], rl + Deg(U(-10, 40)), shin);
        // whole-body rotation, then fit into the image
        double rot = Deg(U(-25, 25)), c = Math.Cos(rot), s = Math.Sin(rot);
        for (int i = 0; i < pts.Length; i++) pts[i] = (c * pts[i].X - s * pts[i].Y, s * pts[i].X + c * pts[i].Y);
        double minX = pts.Min(p => p.X), maxX = pts.Max(p => p.X), minY = pts.Min(p => p.Y) - 0.25, maxY = pts.Max(p => p.Y);
        double margin = size * 0.08;
        double fit = (size - 2 * margin) / Math.Max(maxX - minX, maxY - minY);
        double scale = fit * U(0.6, 1.0);
        double w = (maxX - minX) * scale, h = (maxY - minY) * scale;
        double ox = margin + U(0, size - 2 * margin - w), oy = margin + U(0, size - 2 * margin - h);
        for (int i = 0; i < pts.Length; i++) pts[i] = (ox + (pts[i].X - minX) * scale, oy + (pts[i].Y - minY) * scale);
        return pts;
    }
}
