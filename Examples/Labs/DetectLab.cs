using System.Diagnostics;
using Framework.Models;
using SkiaSharp;
using Spectre.Console;

namespace Framework.Examples;

/// <summary>
/// Lab: a tiny YOLO-style detector (YOLOv3, Redmon and Farhadi 2018) on generated scenes of circles, squares and triangles.
///
/// The lecture's recipe: a CNN turns the 64 x 64 image into a coarse 8 x 8 feature map (stride 8); each cell predicts,
/// for each of 3 anchor boxes, an objectness logit, the box centre's offset inside the cell, its width and height
/// relative to the anchor, and class logits (<see cref="YoloHead"/>). For training, anchors whose box overlaps a ground
/// truth with IoU &gt; 0.7 are objects (and each ground truth's best anchor is one even below that), IoU &lt; 0.3 is
/// background, the rest are ignored; the loss is GIoU on the boxes of the objects plus binary cross-entropy on
/// objectness and classes. To predict, score = objectness x class probability, threshold, per-class NMS.
/// We report VOC's mAP@0.5 (<see cref="MeanAveragePrecision"/>) on held-out scenes.
/// </summary>
public static class DetectLab
{
    private const int Size = 64, Stride = 8;

    /// <summary>Anchor sizes in pixels, spread over the objects' sizes (10 to 26 px, about square).</summary>
    private static readonly (double, double)[] Anchors = [(11, 11), (16, 16), (23, 23)];

    private static Sequential Block(int cin, int cout, int stride = 1) =>
        new(new Conv2d(cin, cout, 3, stride: stride, padding: 1, bias: false), new BatchNorm2d(cout), new ReLU());

    /// <summary>The detector: a backbone halving the resolution three times (64 -> 8 cells) and the YOLO head.</summary>
    private sealed class Detector : Module
    {
        public Sequential Backbone { get; } = new(
            Block(3, 16), Block(16, 32, stride: 2), Block(32, 32), Block(32, 64, stride: 2), Block(64, 64),
            Block(64, 96, stride: 2), Block(96, 96));

        // objectness starts at 1% (most anchors are background), so the first steps are not spent learning that
        public YoloHead Head { get; } = new(96, SyntheticShapes.ClassNames.Length, Anchors, Stride, objectnessPrior: 0.01);

        public override Tensor Forward(Tensor images) => Head.Forward(Backbone.Forward(images));   // (N, 3 x 8, 8, 8)
    }

    public static LabResult Run(LabOptions o)
    {
        var total = Stopwatch.StartNew();
        int trainCount = o.Quick ? 256 : 4000, testCount = o.Quick ? 32 : 300, batch = o.Quick ? 16 : 32, epochs = o.Quick ? 1 : 5;
        int classes = SyntheticShapes.ClassNames.Length;
        AnsiConsole.MarkupLine($"[bold]Detection lab[/]: {string.Join(", ", SyntheticShapes.ClassNames)} in {Size}x{Size} scenes, " +
                               $"a {Size / Stride}x{Size / Stride} grid with {Anchors.Length} anchors per cell");
        var train = SyntheticShapes.Generate(trainCount, o.Seed, Size);
        var test = SyntheticShapes.Generate(testCount, o.Seed + 1_000_003, Size);

        Detector net;
        using (GeneratorScope.Begin(o.Seed)) net = new Detector();
        net.To(o.Device);
        var opt = new Adam(net.Parameters(), lr: 2e-3);
        int perEpoch = trainCount / batch, steps = perEpoch * epochs;
        var schedule = new OneCycleLR(opt, maxLr: 3e-3, totalSteps: steps);
        var order = new Generator(o.Seed + 7);
        int[] permutation = [];
        var sw = Stopwatch.StartNew();
        var losses = Training.Run("YOLO loss (GIoU + BCE)", steps, step =>
        {
            if (step % perEpoch == 0) permutation = order.Permutation(trainCount);   // a new order each epoch
            var idx = permutation[(step % perEpoch * batch)..(step % perEpoch * batch + batch)];
            var (images, boxes, labels) = Batch(train, idx, o.Device);
            opt.ZeroGrad();
            var head = net.Forward(images);
            var loss = net.Head.Loss(head, boxes, labels, boxLoss: "giou");   // assign targets (0.7 / 0.3), then the loss
            loss.Backward();
            opt.Step();
            schedule.Step();
            return loss.Item();
        });
        double trainSeconds = sw.Elapsed.TotalSeconds;

        // held-out scenes: every detection above a low score enters the precision-recall curve, as in VOC
        net.Eval();
        var detections = new List<DetectionBox>();
        var truths = new List<TruthBox>();
        var predicted = new List<YoloDetections>();
        using (Autograd.NoGrad())
            for (int start = 0; start < testCount; start += 50)
            {
                var idx = Enumerable.Range(start, Math.Min(50, testCount - start)).ToArray();
                var (images, _, _) = Batch(test, idx, o.Device);
                predicted.AddRange(net.Head.Predict(net.Forward(images), scoreThreshold: 0.05, iouThreshold: 0.45));
            }
        for (int n = 0; n < testCount; n++)
        {
            detections.AddRange(Read(predicted[n]).Select(d => new DetectionBox(n, d.Class, d.Score, d.Box)));
            var b = test.Boxes[n].ToDoubleArray();
            var c = test.Labels[n].ToArray<long>();
            for (int t = 0; t < c.Length; t++) truths.Add(new TruthBox(n, (int)c[t], new Box(b[4 * t], b[4 * t + 1], b[4 * t + 2], b[4 * t + 3])));
        }
        var map = MeanAveragePrecision.Compute(detections, truths, classes, iouThreshold: 0.5);

        var table = new Table().AddColumn("class").AddColumn("test objects").AddColumn("detections (score > 0.05)").AddColumn("AP@0.5");
        for (int c = 0; c < classes; c++)
            table.AddRow(SyntheticShapes.ClassNames[c], $"{truths.Count(t => t.Class == c)}", $"{detections.Count(d => d.Class == c)}", $"{map.PerClass[c]:F3}");
        table.AddRow("[bold]mAP@0.5[/]", $"{truths.Count}", $"{detections.Count}", $"[bold]{map.Mean:F3}[/]");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]trained {steps} steps of {batch} scenes in {trainSeconds:F0} s; loss {losses.Take(5).Average():F3} -> {losses.TakeLast(5).Average():F3}[/]");

        var files = new List<string> { DrawDetections(Path.Combine(o.OutDir, "detect-boxes.png"), test, predicted) };
        Charts.Lines(Path.Combine(o.OutDir, "detect-loss.png"), "YOLO training loss", "step", "loss", ("loss", losses));
        files.Add(Path.Combine(o.OutDir, "detect-loss.png"));
        AnsiConsole.MarkupLine($"[grey]pictures: {Markup.Escape(string.Join(", ", files))}; {total.Elapsed.TotalSeconds:F0} s in all[/]");
        return new LabResult("detect", losses.Take(Math.Min(5, losses.Count)).Average(), losses.TakeLast(Math.Min(5, losses.Count)).Average(),
            $"held-out mAP@0.5 {map.Mean:F3} ({string.Join(", ", SyntheticShapes.ClassNames.Select((name, c) => $"{name} {map.PerClass[c]:F2}"))})", files);
    }

    /// <summary>Images (N, 3, 64, 64) and the per-image box and class lists of the chosen scenes.</summary>
    private static (Tensor Images, Tensor[] Boxes, Tensor[] Labels) Batch(ShapeScenes scenes, int[] idx, Device device)
    {
        using var _ = Autograd.NoGrad();
        var images = F.IndexSelect(scenes.Images, 0, Tensor.FromArray(idx.Select(i => (long)i).ToArray())).ToDevice(device);
        return (images, idx.Select(i => scenes.Boxes[i].ToDevice(device)).ToArray(), idx.Select(i => scenes.Labels[i].ToDevice(device)).ToArray());
    }

    private static IEnumerable<(int Class, double Score, Box Box)> Read(YoloDetections d)
    {
        var b = d.Boxes.ToDoubleArray();
        var s = d.Scores.ToDoubleArray();
        var c = d.Classes.ToArray<long>();
        for (int k = 0; k < d.Count; k++) yield return ((int)c[k], s[k], new Box(b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]));
    }

    private static readonly SKColor[] ClassColors = [SKColors.Gold, SKColors.DeepSkyBlue, SKColors.Magenta];

    /// <summary>Test scenes with their ground truth (thin grey) and the detections scoring above 0.5 (class colour, "class score").</summary>
    private static string DrawDetections(string path, ShapeScenes scenes, IReadOnlyList<YoloDetections> predicted)
    {
        int cells = Math.Min(12, scenes.Images.Shape[0]);
        using var canvas = new ImageCanvas(cells, Size, Size, cols: 6, scale: 4, captionHeight: 14);
        for (int n = 0; n < cells; n++)
        {
            canvas.DrawColorImage(n, F.Select(scenes.Images, 0, n));
            var b = scenes.Boxes[n].ToDoubleArray();
            for (int t = 0; t < b.Length / 4; t++) canvas.DrawBox(n, b[4 * t], b[4 * t + 1], b[4 * t + 2], b[4 * t + 3], SKColors.Gray);
            var shown = Read(predicted[n]).Where(d => d.Score > 0.5).ToList();
            foreach (var (cls, score, box) in shown)
                canvas.DrawBox(n, box.X1, box.Y1, box.X2, box.Y2, ClassColors[cls], $"{SyntheticShapes.ClassNames[cls]} {score:F2}");
            canvas.DrawCaption(n, $"{b.Length / 4} objects, {shown.Count} detections");
        }
        canvas.Save(path);
        return path;
    }
}
