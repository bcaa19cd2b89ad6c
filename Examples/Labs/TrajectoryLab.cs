using Framework.Models;
using SkiaSharp;
using Spectre.Console;

namespace Framework.Examples;

/// <summary>
/// Lab: trajectory optimisation through a differentiable costmap lookup (the lecture's last example).
///
/// A robot must go from a start to a goal across a 64 x 64 costmap with obstacles (smooth Gaussian bumps).
/// The path is 11 sparse waypoints; the first and the last are fixed, the 9 between them are the parameters.
/// A fixed (21 x 11) matrix interpolates them linearly to 21 dense points (dense = M @ sparse), so the dense
/// path is a differentiable function of the waypoints. The cost of a path is
///     mean_j costmap(dense_j)  +  lambda * sum_j |dense_{j+1} - 2 dense_j + dense_{j-1}|^2
/// where costmap(p) is read with F.GridSample (bilinear): the same op a spatial transformer uses to read an
/// image, here reading the cost under each point. Its gradient with respect to the sampling position is the
/// slope of the costmap, so gradient descent (Adam) slides each point downhill, out of the obstacles, while
/// the second-difference term keeps the path smooth. Start from the straight line, which crosses obstacles.
/// Gradient descent only finds a local minimum: with --seed 2 the path's two halves slide to opposite sides of
/// the big obstacle and a few points stay inside it. Seeds 0-9: 7 end with no dense point in an obstacle.
/// </summary>
public static class TrajectoryLab
{
    private const int Size = 64, Sparse = 11, Dense = 21;
    private const double Smoothness = 2e-3;   // lambda, per pixel^2 of second difference

    public static LabResult Run(LabOptions o)
    {
        var device = o.Device;
        var (costmapHost, blobs) = MakeCostmap(new Generator(o.Seed), out var start, out var goal);
        var costmap = costmapHost.To(device);                                 // (1, 1, 64, 64)
        var interpolation = InterpolationMatrix().To(device);                 // (21, 11)
        var ends = Tensor.FromArray(new[] { start.X, start.Y, goal.X, goal.Y }, new Shape(2, 2)).To(device);

        // the parameters: the 9 free waypoints, starting on the straight line from start to goal (pixel coordinates)
        var initial = new double[(Sparse - 2) * 2];
        for (int k = 1; k < Sparse - 1; k++)
        {
            double t = k / (double)(Sparse - 1);
            initial[2 * (k - 1)] = start.X + t * (goal.X - start.X);
            initial[2 * (k - 1) + 1] = start.Y + t * (goal.Y - start.Y);
        }
        var free = Tensor.FromArray(initial, new Shape(Sparse - 2, 2)).ToDevice(device).RequiresGrad_();

        // the path and its cost, as one differentiable function of the free waypoints
        Tensor DensePath() => interpolation.Matmul(F.Cat([ends.Narrow(0, 0, 1), free, ends.Narrow(0, 1, 1)], 0));   // (21, 2)
        (Tensor Total, Tensor Obstacle, Tensor Smooth) Cost()
        {
            var dense = DensePath();
            // pixel centres sit at integers 0..63; with align_corners=True, -1 and +1 are the centres of the corner
            // pixels, so the normalised coordinate is 2 p / (size - 1) - 1; "border" reads the edge value off the map
            var grid = (dense * (2.0 / (Size - 1)) - 1.0).View(1, 1, Dense, 2);
            var sampled = F.GridSample(costmap, grid, mode: "bilinear", paddingMode: "border", alignCorners: true);   // (1, 1, 1, 21)
            var obstacle = sampled.Mean();
            var second = dense.Narrow(0, 2, Dense - 2) - 2.0 * dense.Narrow(0, 1, Dense - 2) + dense.Narrow(0, 0, Dense - 2);
            var smooth = second.Square().Sum();
            return (obstacle + Smoothness * smooth, obstacle, smooth);
        }

        var before = Snapshot(DensePath, Cost, blobs);
        var optimizer = new Adam([free], lr: 0.5);   // Adam's step is about lr pixels whatever the slope's scale
        int steps = o.Quick ? 100 : 400;
        var losses = Training.Run("trajectory", steps, _ =>
        {
            using var scope = DisposeScope.Begin();   // frees each step's device tensors (no-op on cpu)
            optimizer.ZeroGrad();
            var loss = Cost().Total;
            loss.Backward();
            optimizer.Step();
            return loss.Item();
        });
        var after = Snapshot(DensePath, Cost, blobs);

        var picture = Path.Combine(o.OutDir, "trajectory.png");
        Draw(picture, costmapHost, blobs, start, goal, before, after);
        var chart = Path.Combine(o.OutDir, "trajectory-cost.png");
        Charts.Lines(chart, "Trajectory cost during gradient descent", "step", "cost", ("cost", losses));

        var table = new Table().AddColumn("").AddColumn("cost").AddColumn("costmap term").AddColumn("smoothness").AddColumn("dense points in obstacles")
            .AddColumn("path length in obstacles");
        foreach (var (name, s) in new[] { ("before (straight line)", before), ($"after {steps} Adam steps", after) })
            table.AddRow(name, $"{s.Total:F4}", $"{s.Obstacle:F4}", $"{s.Smooth:F1} px^2", $"{s.PointsInside} of {Dense}", $"{100 * s.FractionInside:F1}%");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]an obstacle is where its bump is above half height (costmap >= 0.5); the path length inside is measured on 400 points along the polyline[/]");
        AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(picture)}[/] and [blue]{Markup.Escape(chart)}[/]");
        return new LabResult("trajectory", before.Total, after.Total,
            $"trajectory: cost {before.Total:F4} -> {after.Total:F4}, dense points in obstacles {before.PointsInside} -> {after.PointsInside} of {Dense}",
            [picture, chart]);
    }

    /// <summary>
    /// Linear interpolation as a matrix: dense point j sits at parameter u = j (Sparse - 1) / (Dense - 1) along the
    /// waypoints and is (1 - f) sparse_floor(u) + f sparse_floor(u)+1 with f = u - floor(u); here every other dense point
    /// is a waypoint and the ones between are midpoints.
    /// </summary>
    private static Tensor InterpolationMatrix()
    {
        var m = new double[Dense * Sparse];
        for (int j = 0; j < Dense; j++)
        {
            double u = j * (Sparse - 1) / (double)(Dense - 1);
            int k = Math.Min((int)Math.Floor(u), Sparse - 2);
            double f = u - k;
            m[j * Sparse + k] += 1 - f;
            m[j * Sparse + k + 1] += f;
        }
        return Tensor.FromArray(m, new Shape(Dense, Sparse));
    }

    private sealed record Blob(double X, double Y, double Sigma);

    /// <summary>
    /// cost(p) = sum_k exp(-|p - c_k|^2 / (2 sigma_k^2)), a smooth bump of height 1 per obstacle; start at the left,
    /// goal at the right, the first two bumps placed across the straight line between them (a little off it, so the
    /// slope at the line is not exactly zero), the others at random.
    /// </summary>
    private static (Tensor Costmap, Blob[] Blobs) MakeCostmap(Generator g, out (double X, double Y) start, out (double X, double Y) goal)
    {
        double U(double a, double b) => a + (b - a) * g.NextDouble();
        start = (5, U(20, 44));
        goal = (58, U(20, 44));
        var blobs = new List<Blob>();
        foreach (var t in new[] { U(0.3, 0.4), U(0.6, 0.7) })
        {
            double x = start.X + t * (goal.X - start.X), y = start.Y + t * (goal.Y - start.Y);
            blobs.Add(new Blob(x, y + (g.NextDouble() < 0.5 ? -1 : 1) * U(1, 3), U(4.5, 6.5)));
        }
        for (int k = 0; k < 3; k++) blobs.Add(new Blob(U(14, 50), U(6, 58), U(3, 5.5)));
        var v = new double[Size * Size];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
                v[y * Size + x] = CostAt(blobs, x, y);
        return (Tensor.FromArray(v, new Shape(1, 1, Size, Size)), blobs.ToArray());
    }

    private static double CostAt(IEnumerable<Blob> blobs, double x, double y) =>
        blobs.Sum(b => Math.Exp(-((x - b.X) * (x - b.X) + (y - b.Y) * (y - b.Y)) / (2 * b.Sigma * b.Sigma)));

    private sealed record State((double X, double Y)[] Points, double Total, double Obstacle, double Smooth, int PointsInside, double FractionInside);

    /// <summary>The dense path now, its cost terms, and how much of it is inside obstacles (exact costmap, not the sampled grid).</summary>
    private static State Snapshot(Func<Tensor> densePath, Func<(Tensor Total, Tensor Obstacle, Tensor Smooth)> cost, Blob[] blobs)
    {
        using var _ = Autograd.NoGrad();
        var d = densePath().ToDoubleArray();
        var points = Enumerable.Range(0, Dense).Select(j => (d[2 * j], d[2 * j + 1])).ToArray();
        var (total, obstacle, smooth) = cost();
        int inside = points.Count(p => CostAt(blobs, p.Item1, p.Item2) >= 0.5);
        // the path between the dense points: 400 points evenly spaced along the polyline
        var lengths = points.Zip(points.Skip(1), (a, b) => Math.Sqrt((b.Item1 - a.Item1) * (b.Item1 - a.Item1) + (b.Item2 - a.Item2) * (b.Item2 - a.Item2))).ToArray();
        double totalLength = lengths.Sum();
        int fine = 0;
        for (int s = 0; s < 400; s++)
        {
            double at = (s + 0.5) / 400 * totalLength;
            int seg = 0;
            while (seg < lengths.Length - 1 && at > lengths[seg]) at -= lengths[seg++];
            double f = lengths[seg] > 0 ? Math.Clamp(at / lengths[seg], 0, 1) : 0;
            var (a, b) = (points[seg], points[seg + 1]);
            if (CostAt(blobs, a.Item1 + f * (b.Item1 - a.Item1), a.Item2 + f * (b.Item2 - a.Item2)) >= 0.5) fine++;
        }
        return new State(points, total.Item(), obstacle.Item(), smooth.Item(), inside, fine / 400.0);
    }

    /// <summary>The costmap as a heat map twice: the straight path (left), the optimised one over it (right); waypoints as dots.</summary>
    private static void Draw(string path, Tensor costmap, Blob[] blobs, (double X, double Y) start, (double X, double Y) goal, State before, State after)
    {
        using var canvas = new ImageCanvas(2, Size, Size, 2, scale: 6, pad: 4, captionHeight: 16);
        var image = costmap.View(Size, Size);
        foreach (var (cell, state, caption) in new[] { (0, before, "before: the straight line"), (1, after, "after gradient descent") })
        {
            canvas.DrawImage(cell, image, 0, Math.Max(1, image.Max().Item()), heat: true);
            if (cell == 1) canvas.DrawPath(cell, before.Points, new SKColor(255, 255, 255, 110), 1.5f);
            canvas.DrawPath(cell, state.Points, SKColors.Cyan, 2.5f);
            for (int j = 0; j < Dense; j++)
            {
                var (x, y) = state.Points[j];
                bool waypoint = j % 2 == 0;
                canvas.DrawPoint(cell, x, y, CostAt(blobs, x, y) >= 0.5 ? SKColors.Red : waypoint ? SKColors.White : SKColors.LightSkyBlue, waypoint ? 3.5f : 2f);
            }
            canvas.DrawCross(cell, start.X, start.Y, SKColors.LimeGreen, 6);
            canvas.DrawCross(cell, goal.X, goal.Y, SKColors.LimeGreen, 6);
            canvas.DrawCaption(cell, $"{caption}: cost {state.Total:F3}, {state.PointsInside}/{Dense} points in obstacles");
        }
        canvas.Save(path);
    }
}
