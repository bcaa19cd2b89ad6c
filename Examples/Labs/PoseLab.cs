using System.Diagnostics;
using Framework.Models;
using SkiaSharp;
using Spectre.Console;

namespace Framework.Examples;

/// <summary>
/// Lab: keypoints from heatmaps, and integral regression (Sun et al., "Integral Human Pose Regression", ECCV 2018).
///
/// A small conv net turns a 64 x 64 image of a stick figure into K = 11 heatmaps at 1/4 resolution (16 x 16 cells
/// of 4 x 4 pixels), one per keypoint. We train the same net, from the same initial weights on the same batches, twice:
/// (a) heatmap classification: softmax over the 256 cells of each map, cross-entropy against the cell that holds the
///     keypoint; predict the argmax cell's centre. Whatever the net learns, the answer is one of 256 cell centres:
///     a quantisation error of up to 2 px per axis that no training removes;
/// (b) integral regression: the soft-argmax (the expected position under the softmax of the heatmap, F.SoftArgmax2d)
///     is a differentiable coordinate; train it with an L1 loss in pixels and predict it. It can land between cells.
/// The held-out errors of both, in input pixels, are the lecture's point measured.
/// </summary>
public static class PoseLab
{
    private const int Size = 64, Stride = 4, Grid = Size / Stride;

    /// <summary>Conv 3x3 + BatchNorm + ReLU; stride 2 halves the resolution, dilation widens the view at no cost in resolution.</summary>
    private static Sequential Block(int cin, int cout, int stride = 1, int dilation = 1) =>
        new(new Conv2d(cin, cout, 3, stride: stride, padding: dilation, dilation: dilation, bias: false), new BatchNorm2d(cout), new ReLU());

    /// <summary>
    /// 64x64 -> 32x32 -> 16x16 feature maps, then dilated convolutions so each cell sees the whole figure (the
    /// receptive field reaches 61 px: telling a left hand from a right hand needs the body, not just the hand),
    /// then a 1x1 conv to K heatmaps.
    /// </summary>
    private static Sequential HeatmapNet(int k) => new(
        Block(1, 16), Block(16, 32, stride: 2), Block(32, 32), Block(32, 64, stride: 2),
        Block(64, 64, dilation: 2), Block(64, 64, dilation: 4), new Conv2d(64, k, 1));

    /// <summary>Heatmap cell coordinates (x = column, y = row, from the soft-argmax) to input pixels: cell j spans [4j, 4j + 4).</summary>
    private static Tensor CellsToPixels(Tensor cells) => cells * (double)Stride + Stride / 2.0;

    /// <summary>(a) Cross-entropy of each keypoint's 256-way softmax against the index of the cell holding it.</summary>
    private static Tensor ArgmaxLoss(Tensor heatmaps, Tensor targetCells) =>
        F.CrossEntropy(heatmaps.Reshape(-1, Grid * Grid), targetCells);

    /// <summary>(b) L1 distance in pixels between the soft-argmax and the keypoints.</summary>
    private static Tensor SoftArgmaxLoss(Tensor heatmaps, Tensor keypoints) =>
        F.L1Loss(CellsToPixels(F.SoftArgmax2d(heatmaps)), keypoints);

    private enum Method { Argmax, SoftArgmax }

    public static LabResult Run(LabOptions o)
    {
        var total = Stopwatch.StartNew();
        int trainCount = o.Quick ? 256 : 5000, testCount = o.Quick ? 64 : 500, batch = o.Quick ? 16 : 32;
        int epochs = o.Quick ? 1 : 3;
        int k = SyntheticFigures.KeypointCount;
        AnsiConsole.MarkupLine($"[bold]Pose lab[/]: {k} keypoints of stick figures, {Size}x{Size} images, {Grid}x{Grid} heatmaps (cells of {Stride} px)");
        var (trainX, trainY) = SyntheticFigures.Generate(trainCount, o.Seed, Size);
        var (testX, testY) = SyntheticFigures.Generate(testCount, o.Seed + 1_000_003, Size);
        var train = new TensorDataset(trainX.ToDevice(o.Device), trainY.ToDevice(o.Device), TargetCells(trainY).ToDevice(o.Device));

        var runs = new Dictionary<Method, (Sequential Net, List<double> Losses, double Seconds)>();
        foreach (var method in new[] { Method.Argmax, Method.SoftArgmax })
        {
            Sequential net;
            using (GeneratorScope.Begin(o.Seed)) net = HeatmapNet(k);   // the same initial weights for both runs
            net.To(o.Device);
            var loader = new DataLoader(train, batchSize: batch, shuffle: true, dropLast: true, generator: new Generator(o.Seed + 7));
            int steps = loader.Count * epochs;
            var opt = new Adam(net.Parameters(), lr: 2e-3);
            var schedule = new OneCycleLR(opt, maxLr: 3e-3, totalSteps: steps);
            var batches = Enumerable.Range(0, epochs).SelectMany(_ => loader).GetEnumerator();
            var sw = Stopwatch.StartNew();
            var losses = Training.Run(method == Method.Argmax ? "(a) argmax, cross-entropy" : "(b) soft-argmax, L1", steps, _ =>
            {
                batches.MoveNext();
                var (x, keypoints, cells) = batches.Current;
                opt.ZeroGrad();
                var heatmaps = net.Forward(x);                      // (N, K, 16, 16)
                var loss = method == Method.Argmax ? ArgmaxLoss(heatmaps, cells.Reshape(-1)) : SoftArgmaxLoss(heatmaps, keypoints);
                loss.Backward();
                opt.Step();
                schedule.Step();
                return loss.Item();
            });
            runs[method] = (net.Eval(), losses, sw.Elapsed.TotalSeconds);
        }

        // held-out errors in input pixels
        var truth = testY.ToDoubleArray();
        var predicted = new Dictionary<Method, double[]>();
        Tensor? softHeatmaps = null;
        foreach (var (method, run) in runs)
        {
            using var _ = Autograd.NoGrad();
            var heatmaps = run.Net.Forward(testX.ToDevice(o.Device));
            var coords = CellsToPixels(F.SoftArgmax2d(heatmaps, 1, out var normalised));
            predicted[method] = method == Method.Argmax ? ArgmaxPixels(heatmaps) : coords.ToDoubleArray();
            if (method == Method.SoftArgmax) softHeatmaps = normalised;
        }
        var floor = ArgmaxPixels(SnapToCells(testY));   // a perfect classifier: every keypoint at its cell's centre
        var errors = predicted.ToDictionary(p => p.Key, p => Distances(p.Value, truth));
        var floorErrors = Distances(floor, truth);

        var table = new Table().AddColumn("method").AddColumn("train loss").AddColumn("train s")
            .AddColumn("mean px").AddColumn("median px").AddColumn("<= 2 px");
        foreach (var (method, run) in runs)
        {
            var e = errors[method];
            table.AddRow(method == Method.Argmax ? "(a) argmax, cross-entropy" : "(b) soft-argmax, L1",
                $"{Tail(run.Losses):F3}", $"{run.Seconds:F0}", $"{e.Average():F2}", $"{Median(e):F2}", $"{e.Count(d => d <= 2) / (double)e.Length:P0}");
        }
        table.AddRow("[grey]argmax floor: truth at its cell centre[/]", "", "", $"[grey]{floorErrors.Average():F2}[/]",
            $"[grey]{Median(floorErrors):F2}[/]", $"[grey]{floorErrors.Count(d => d <= 2) / (double)floorErrors.Length:P0}[/]");
        AnsiConsole.Write(table);

        var files = new List<string>
        {
            DrawKeypoints(Path.Combine(o.OutDir, "pose-keypoints.png"), testX, truth, predicted[Method.Argmax], predicted[Method.SoftArgmax], k),
            DrawHeatmaps(Path.Combine(o.OutDir, "pose-heatmaps.png"), testX, softHeatmaps!, truth, predicted[Method.SoftArgmax], k),
        };
        AnsiConsole.MarkupLine("[grey]green dots: truth, red crosses: (a) argmax, blue crosses: (b) soft-argmax; heatmaps: softmax of (b)'s maps[/]");
        AnsiConsole.MarkupLine($"[grey]pictures: {Markup.Escape(string.Join(", ", files))}; {total.Elapsed.TotalSeconds:F0} s in all[/]");
        var soft = runs[Method.SoftArgmax].Losses;
        return new LabResult("pose", Head(soft), Tail(soft),
            $"held-out mean keypoint error: argmax {errors[Method.Argmax].Average():F2} px, soft-argmax {errors[Method.SoftArgmax].Average():F2} px " +
            $"(a perfect argmax on {Stride}-px cells: {floorErrors.Average():F2} px)", files);
    }

    // ---- targets, decoding and errors (host side) ----

    /// <summary>(N, K) int64: the index row * 16 + column of the heatmap cell holding each keypoint.</summary>
    private static Tensor TargetCells(Tensor keypoints)
    {
        var v = keypoints.ToDoubleArray();
        var cells = new long[v.Length / 2];
        for (int i = 0; i < cells.Length; i++)
            cells[i] = Math.Clamp((int)Math.Floor(v[2 * i + 1] / Stride), 0, Grid - 1) * Grid + Math.Clamp((int)Math.Floor(v[2 * i] / Stride), 0, Grid - 1);
        return Tensor.FromArray(cells, new Shape(keypoints.Shape[0], keypoints.Shape[1]));
    }

    /// <summary>One-hot heatmaps (N, K, 16, 16) at the keypoints' cells: the best any argmax can do.</summary>
    private static Tensor SnapToCells(Tensor keypoints)
    {
        var cells = TargetCells(keypoints).ToArray<long>();
        var maps = new float[cells.Length * Grid * Grid];
        for (int i = 0; i < cells.Length; i++) maps[i * Grid * Grid + cells[i]] = 1;
        return Tensor.FromArray(maps, new Shape(keypoints.Shape[0], keypoints.Shape[1], Grid, Grid));
    }

    /// <summary>The argmax cell of each heatmap, as its centre in input pixels, flat (x, y) pairs.</summary>
    private static double[] ArgmaxPixels(Tensor heatmaps)
    {
        var idx = heatmaps.Reshape(heatmaps.Shape[0], heatmaps.Shape[1], Grid * Grid).Argmax(2).ToArray<long>();
        return idx.SelectMany(c => new[] { (c % Grid + 0.5) * Stride, (c / Grid + 0.5) * Stride }).ToArray();
    }

    private static double[] Distances(double[] a, double[] b) =>
        Enumerable.Range(0, a.Length / 2).Select(i => Math.Sqrt(Sq(a[2 * i] - b[2 * i]) + Sq(a[2 * i + 1] - b[2 * i + 1]))).ToArray();

    private static double Sq(double v) => v * v;
    private static double Median(double[] v) => v.Order().ElementAt(v.Length / 2);
    private static double Head(List<double> losses) => losses.Take(Math.Min(5, losses.Count)).Average();
    private static double Tail(List<double> losses) => losses.TakeLast(Math.Min(5, losses.Count)).Average();

    // ---- pictures ----

    private static readonly SKColor Truth = SKColors.LimeGreen, ArgmaxColor = SKColors.OrangeRed, SoftColor = SKColors.DeepSkyBlue;

    /// <summary>Test images with the true keypoints (green dots), argmax's (red crosses) and soft-argmax's (blue crosses).</summary>
    private static string DrawKeypoints(string path, Tensor images, double[] truth, double[] argmax, double[] soft, int k)
    {
        int cells = Math.Min(12, images.Shape[0]);
        using var canvas = new ImageCanvas(cells, Size, Size, cols: 6, scale: 4, captionHeight: 14);
        for (int n = 0; n < cells; n++)
        {
            canvas.DrawImage(n, F.Select(F.Select(images, 0, n), 0, 0));
            double ea = 0, es = 0;
            for (int j = 0; j < k; j++)
            {
                int p = (n * k + j) * 2;
                canvas.DrawPoint(n, truth[p] - 0.5, truth[p + 1] - 0.5, Truth, 3);
                canvas.DrawCross(n, argmax[p] - 0.5, argmax[p + 1] - 0.5, ArgmaxColor);
                canvas.DrawCross(n, soft[p] - 0.5, soft[p + 1] - 0.5, SoftColor);
                ea += Math.Sqrt(Sq(argmax[p] - truth[p]) + Sq(argmax[p + 1] - truth[p + 1])) / k;
                es += Math.Sqrt(Sq(soft[p] - truth[p]) + Sq(soft[p + 1] - truth[p + 1])) / k;
            }
            canvas.DrawCaption(n, $"argmax {ea:F1} px  soft {es:F1} px");
        }
        canvas.Save(path);
        return path;
    }

    /// <summary>
    /// For a few test images: the image, the sum of the K normalised heatmaps (softmax of the soft-argmax net's maps,
    /// each summing to 1), and four single keypoints' maps with their truth (green) and soft-argmax (blue).
    /// </summary>
    private static string DrawHeatmaps(string path, Tensor images, Tensor heatmaps, double[] truth, double[] soft, int k)
    {
        int[] joints = [0, 3, 8, 6];   // head, left_hand, left_foot, hip
        int rows = Math.Min(3, images.Shape[0]), cols = 2 + joints.Length;
        var maps = heatmaps.ToDoubleArray();
        using var canvas = new ImageCanvas(rows * cols, Size, Size, cols, scale: 4, captionHeight: 14);
        for (int r = 0; r < rows; r++)
        {
            canvas.DrawImage(r * cols, F.Select(F.Select(images, 0, r), 0, 0));
            canvas.DrawCaption(r * cols, "test image");
            var sum = new double[Grid * Grid];
            for (int j = 0; j < k; j++)
                for (int c = 0; c < sum.Length; c++) sum[c] += maps[(r * k + j) * Grid * Grid + c];
            canvas.DrawImage(r * cols + 1, Upsample(sum), 0, sum.Max(), heat: true);
            canvas.DrawCaption(r * cols + 1, "all keypoints");
            for (int q = 0; q < joints.Length; q++)
            {
                int cell = r * cols + 2 + q, j = joints[q], p = (r * k + j) * 2;
                var map = maps.AsSpan((r * k + j) * Grid * Grid, Grid * Grid).ToArray();
                canvas.DrawImage(cell, Upsample(map), 0, map.Max(), heat: true);
                canvas.DrawPoint(cell, truth[p] - 0.5, truth[p + 1] - 0.5, Truth, 3);
                canvas.DrawCross(cell, soft[p] - 0.5, soft[p + 1] - 0.5, SoftColor);
                canvas.DrawCaption(cell, SyntheticFigures.KeypointNames[j]);
            }
        }
        canvas.Save(path);
        return path;
    }

    /// <summary>A 16 x 16 map as a 64 x 64 image, each cell a 4 x 4 block (so it lines up with the input pixels).</summary>
    private static Tensor Upsample(double[] map)
    {
        var v = new double[Size * Size];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++) v[y * Size + x] = map[y / Stride * Grid + x / Stride];
        return Tensor.FromArray(v, new Shape(Size, Size));
    }
}
