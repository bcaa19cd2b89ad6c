using Framework.Models;
using SkiaSharp;
using Spectre.Console;

namespace Framework.Examples;

/// <summary>
/// Lab: deformable convolution (DCN) learns where to look, and the points-collection op shows where.
///
/// The task: denoise thin curves (a circle and two segments, about a pixel wide, at every orientation) under heavy
/// Gaussian noise. The best estimate of a curve pixel averages along the curve, not across it, so the geometry that
/// matters is the curve's direction, which differs from pixel to pixel. A plain stack of 3x3 convs averages over a
/// fixed square that is mostly background; a deformable stack can bend its taps along the curve, whatever its angle.
/// The net: a plain 3x3 conv (the stem, so the offset predictors see features, not raw noise), two stacked 3x3
/// DeformConv2d (their offsets predicted by zero-initialised convs: training starts from a plain conv net), a 1x1
/// head. The same net with Conv2d in place of DeformConv2d (same seed, same initial weights) is the baseline.
/// After training, F.PointsCollection chains the two layers' offsets into the 9 x 9 = 81 points each output pixel
/// really reads (in the stem's output grid, which is the image grid: see <see cref="DcnPoints"/>), and we measure
/// how the point cloud stretches along the curve.
/// </summary>
public static class DcnLab
{
    /// <summary>noisy image -> conv 3x3 -> ReLU -> (deformable) conv 3x3 -> ReLU -> (deformable) conv 3x3 -> ReLU -> conv 1x1 -> clean image.</summary>
    public sealed class Denoiser : Module
    {
        public readonly Conv2d Stem, Head;
        public readonly Module Layer1, Layer2;

        public Denoiser(int width, bool deformable)
        {
            Stem = new Conv2d(1, width, 3, padding: 1);
            Layer1 = deformable ? new DeformConv2d(width, width, 3, padding: 1) : new Conv2d(width, width, 3, padding: 1);
            Layer2 = deformable ? new DeformConv2d(width, width, 3, padding: 1) : new Conv2d(width, width, 3, padding: 1);
            Head = new Conv2d(width, 1, 1);
        }

        public override Tensor Forward(Tensor noisy) =>
            Head.Forward(F.Relu(Layer2.Forward(F.Relu(Layer1.Forward(F.Relu(Stem.Forward(noisy)))))));

        public DeformConv2d Dcn1 => (DeformConv2d)Layer1;
        public DeformConv2d Dcn2 => (DeformConv2d)Layer2;
    }

    private const double NoiseStd = 0.5;
    private const int Size = 32, Width = 16, Batch = 32;

    public static LabResult Run(LabOptions o)
    {
        int steps = o.Quick ? 30 : 800;
        var train = LineScenes.Generate(o.Quick ? 512 : 4096, Size, new Generator(o.Seed)).Images;
        var scenes = LineScenes.Generate(o.Quick ? 32 : 256, Size, new Generator(o.Seed + 1000));
        var test = scenes.Images;
        var testNoisy = test + NoiseStd * Tensor.Randn(test.Shape, DType.Float32, new Generator(o.Seed + 2000));
        AnsiConsole.MarkupLine($"[bold]DCN lab[/]: denoise thin curves (noise std {NoiseStd}) with two stacked 3x3 deformable convs, on {o.Device.Name}");

        Denoiser dcn, plain;
        using (GeneratorScope.Begin(o.Seed)) dcn = new Denoiser(Width, deformable: true).To(o.Device);
        using (GeneratorScope.Begin(o.Seed)) plain = new Denoiser(Width, deformable: false).To(o.Device);   // the same start
        var before = PointsOn(dcn, testNoisy, o.Device);

        // the training loop: fresh noise every step, mean squared error to the clean image, Adam
        List<double> Train(Denoiser net, string title)
        {
            var g = new Generator(o.Seed + 1);
            var opt = new Adam(net.Parameters(), lr: 5e-3);
            return Training.Run(title, steps, step =>
            {
                using var scope = DisposeScope.Begin();
                var idx = Tensor.FromArray(Enumerable.Range(0, Batch).Select(_ => g.NextLong(0, train.Shape[0])).ToArray());
                var clean = F.IndexSelect(train, 0, idx);
                var noisy = clean + NoiseStd * Tensor.Randn(clean.Shape, DType.Float32, g);
                opt.ZeroGrad();
                var loss = F.MseLoss(net.Forward(noisy.ToDevice(o.Device)), clean.ToDevice(o.Device));
                loss.Backward();
                opt.Step();
                return loss.Item();
            });
        }
        var dcnLosses = Train(dcn, "deformable");
        var plainLosses = Train(plain, "plain conv");

        double dcnMse = TestMse(dcn, testNoisy, test, o.Device), plainMse = TestMse(plain, testNoisy, test, o.Device);
        double noisyMse = F.MseLoss(testNoisy, test).Item();
        var after = PointsOn(dcn, testNoisy, o.Device);
        double spreadBefore = AlongAcross(before.Points, scenes), spreadAfter = AlongAcross(after.Points, scenes);
        var checks = Checks(dcn, before.Points, after);

        int[] shown = [0, 1, 2];
        var files = new List<string>
        {
            DrawPoints(Path.Combine(o.OutDir, "dcn_points.png"), testNoisy, scenes, Denoise(dcn, testNoisy, shown, o.Device), before, after, shown),
            Path.Combine(o.OutDir, "dcn_loss.png"),
        };
        Charts.Lines(files[1], "denoising loss (MSE)", "step", "loss", ("deformable", Smooth(dcnLosses)), ("plain conv", Smooth(plainLosses)));

        var table = new Table().AddColumn("").AddColumn("deformable").AddColumn("plain conv");
        table.AddRow($"test MSE (noisy input {noisyMse:F4})", $"{dcnMse:F4}", $"{plainMse:F4}");
        table.AddRow("test PSNR dB", $"{Psnr(dcnMse):F2}", $"{Psnr(plainMse):F2}");
        table.AddRow("81 points: spread along / across the curve", $"{spreadBefore:F2} -> {spreadAfter:F2}", $"{spreadBefore:F2}");
        table.AddRow("mean |offset| px, layer 1 / layer 2", $"{after.MeanOffset1:F2} / {after.MeanOffset2:F2}", "0 / 0");
        AnsiConsole.Write(table);
        var checkTable = new Table().AddColumn("check of the effective points").AddColumn("result");
        foreach (var (name, result) in checks) checkTable.AddRow(Markup.Escape(name), Markup.Escape(result));
        AnsiConsole.Write(checkTable);
        AnsiConsole.MarkupLine($"pictures in [blue]{Markup.Escape(o.OutDir)}[/]");
        return new LabResult("dcn", dcnLosses[0], dcnLosses.Skip(dcnLosses.Count - 5).Average(),
            $"dcn: test PSNR {Psnr(dcnMse):F2} dB deformable vs {Psnr(plainMse):F2} dB plain conv; the 81 sampling points stretch along the curve {spreadBefore:F2} -> {spreadAfter:F2} (along / across)",
            files);
    }

    private sealed record PointsSnapshot(Tensor Points, Tensor Offsets1, Tensor Offsets2, double MeanOffset1, double MeanOffset2);

    /// <summary>Runs the net on the test images and keeps its offsets and effective points (on the CPU).</summary>
    private static PointsSnapshot PointsOn(Denoiser net, Tensor noisy, Device device)
    {
        using var _ = Autograd.NoGrad();
        net.Forward(noisy.ToDevice(device));
        var o1 = net.Dcn1.LastOffsets!.ToDevice(Device.Cpu);
        var o2 = net.Dcn2.LastOffsets!.ToDevice(Device.Cpu);
        static double MeanNorm(Tensor off) => F.Sqrt(F.Square(F.Slice(off, 1, 0, null, 2)) + F.Square(F.Slice(off, 1, 1, null, 2))).Mean().Item();
        return new PointsSnapshot(DcnPoints.Effective(net.Dcn1, net.Dcn2, o1, o2), o1, o2, MeanNorm(o1), MeanNorm(o2));
    }

    private static double TestMse(Denoiser net, Tensor noisy, Tensor clean, Device device)
    {
        using var _ = Autograd.NoGrad();
        return F.MseLoss(net.Forward(noisy.ToDevice(device)).ToDevice(Device.Cpu), clean).Item();
    }

    private static Tensor Denoise(Denoiser net, Tensor noisy, int[] shown, Device device)
    {
        using var _ = Autograd.NoGrad();
        return net.Forward(F.IndexSelect(noisy, 0, Tensor.FromArray(shown.Select(i => (long)i).ToArray())).ToDevice(device)).ToDevice(Device.Cpu);
    }

    private static double Psnr(double mse) => 10 * Math.Log10(1 / mse);

    private static List<double> Smooth(List<double> v, int k = 10) =>
        v.Select((_, i) => v.Skip(Math.Max(0, i - k + 1)).Take(Math.Min(k, i + 1)).Average()).ToList();

    /// <summary>
    /// How much the 81 points stretch along the stroke: at every stroke-centre pixel away from other curves, the
    /// root-mean-square spread of the points (about their mean) along the stroke's direction over the spread
    /// across it; the median over those pixels. A square grid gives 1 in every direction.
    /// </summary>
    private static double AlongAcross(Tensor points, LineScene scenes)
    {
        int b = points.Shape[0], size = scenes.Size, pairs = points.Shape[1] / 2;
        long plane = (long)size * size;
        var p = points.ToDoubleArray();
        var ratios = new List<double>();
        for (int n = 0; n < b; n++)
            foreach (var (i, j) in Isolated(scenes, n, -1))
            {
                double angle = scenes.Direction[n * plane + i * size + j], uy = Math.Sin(angle), ux = Math.Cos(angle);
                double my = 0, mx = 0;
                for (int k = 0; k < pairs; k++)
                {
                    my += p[(n * 2L * pairs + 2 * k) * plane + i * size + j] / pairs;
                    mx += p[(n * 2L * pairs + 2 * k + 1) * plane + i * size + j] / pairs;
                }
                double along = 0, across = 0;
                for (int k = 0; k < pairs; k++)
                {
                    double dy = p[(n * 2L * pairs + 2 * k) * plane + i * size + j] - my, dx = p[(n * 2L * pairs + 2 * k + 1) * plane + i * size + j] - mx;
                    along += Math.Pow(dy * uy + dx * ux, 2);
                    across += Math.Pow(dy * ux - dx * uy, 2);
                }
                ratios.Add(Math.Sqrt(along / Math.Max(across, 1e-12)));
            }
        ratios.Sort();
        return ratios.Count == 0 ? double.NaN : ratios[ratios.Count / 2];
    }

    /// <summary>Stroke-centre pixels (coverage > 0.8) of curve <paramref name="curve"/> (-1: any) of image n with no other curve within 3 px, 4 px inside the image.</summary>
    private static IEnumerable<(int I, int J)> Isolated(LineScene scenes, int n, int curve)
    {
        int size = scenes.Size, plane = size * size;
        for (int i = 4; i < size - 4; i++)
            for (int j = 4; j < size - 4; j++)
            {
                int id = scenes.Curve[n * plane + i * size + j];
                if (id < 0 || (curve >= 0 && id != curve) || scenes.Pixels[n * plane + i * size + j] <= 0.8) continue;
                bool alone = true;
                for (int a = -3; a <= 3 && alone; a++)
                    for (int c = -3; c <= 3 && alone; c++)
                        alone = scenes.Curve[n * plane + (i + a) * size + j + c] is var other && (other < 0 || other == id);
                if (alone) yield return (i, j);
            }
    }

    /// <summary>Three checks that the points are the image coordinates the stack reads (see the lab's README entry).</summary>
    private static List<(string, string)> Checks(Denoiser net, Tensor initialPoints, PointsSnapshot after)
    {
        var list = new List<(string, string)>();
        // 1. zero offsets: pair (n, m) of location (i, j) is (i + n_i + m_i - 2, j + n_j + m_j - 2), the 81 regular taps
        var p0 = initialPoints.ToDoubleArray();
        int h = initialPoints.Shape[2], w = initialPoints.Shape[3];
        long plane = (long)h * w;
        double worst = 0;
        for (long e = 0; e < p0.Length; e++)
        {
            long l = e % plane, ch = e / plane % 162;
            int pair = (int)(ch / 2), n = pair / 9, m = pair % 9;
            double expected = ch % 2 == 0 ? l / w + n / 3 + m / 3 - 2 : l % w + n % 3 + m % 3 - 2;
            worst = Math.Max(worst, Math.Abs(p0[e] - expected));
        }
        list.Add(("untrained (zero offsets): the 81 regular taps of two 3x3 convs", $"max |diff| {worst:G3} px"));
        // 2. the fused op against its composition from grid_sample
        var t = after.Offsets2 + DcnPoints.TapBase(net.Dcn2);
        var fused = F.PointsCollection(t, after.Offsets1);
        var composed = DcnPoints.Composed(t, after.Offsets1);
        double diff = (fused - composed).Abs().Max().Item();
        list.Add(("trained: F.PointsCollection vs composed grid_sample", $"max |diff| {diff:G3} px"));
        // 3. the stack itself, with one-hot kernels on ramp images, reads the image at those points
        var (probe, compared, total) = DcnPoints.Probe(net.Dcn1, net.Dcn2, after.Offsets1, after.Offsets2, after.Points);
        list.Add(("trained: the two DeformConv2d read a ramp image at the points", $"max |diff| {probe:G3} px over {compared} of {total} pairs (all reads inside)"));
        return list;
    }

    /// <summary>Rows: test digits; columns: noisy input, denoised, the points of two locations before and after training.</summary>
    private static string DrawPoints(string path, Tensor noisy, LineScene scenes, Tensor denoised, PointsSnapshot before, PointsSnapshot after, int[] shown)
    {
        var clean = scenes.Images;
        int h = clean.Shape[2], w = clean.Shape[3];
        using var canvas = new ImageCanvas(4 * shown.Length, h, w, cols: 4, scale: 8, pad: 4, captionHeight: 14);
        SKColor[] colors = [new(255, 170, 0), new(0, 200, 255)];
        for (int r = 0; r < shown.Length; r++)
        {
            int b = shown[r];
            var image = F.Select(F.Select(clean, 0, b), 0, 0);
            canvas.DrawImage(4 * r, F.Select(F.Select(noisy, 0, b), 0, 0));
            canvas.DrawCaption(4 * r, "noisy input");
            canvas.DrawImage(4 * r + 1, F.Select(F.Select(denoised, 0, r), 0, 0));
            canvas.DrawCaption(4 * r + 1, "deformable output");
            var locations = Locations(scenes, b);
            foreach (var (cell, snap, caption) in new[] { (4 * r + 2, before, "before training"), (4 * r + 3, after, "after training") })
            {
                canvas.DrawImage(cell, image, 0, 1.6);
                canvas.DrawCaption(cell, caption + ": 81 dots, 9 layer-1 x");
                for (int k = 0; k < locations.Count; k++)
                {
                    var (i, j) = locations[k];
                    var p = F.Select(snap.Points, 0, b).ToDoubleArray();
                    long plane = (long)h * w, l = i * w + j;
                    for (int pair = 0; pair < 81; pair++)
                        canvas.DrawPoint(cell, p[(2 * pair + 1) * plane + l], p[2 * pair * plane + l], colors[k].WithAlpha(190), 2.2f);
                    // a single deformable layer's 9 points at the same location: layer 1's taps
                    var o1 = F.Select(snap.Offsets1, 0, b).ToDoubleArray();
                    for (int m = 0; m < 9; m++)
                        canvas.DrawCross(cell, j + m % 3 - 1 + o1[(2 * m + 1) * plane + l], i + m / 3 - 1 + o1[2 * m * plane + l], SKColors.White, 3);
                    canvas.DrawBox(cell, j, i, j + 1, i + 1, colors[k]);
                }
            }
        }
        canvas.Save(path);
        return path;
    }

    /// <summary>Two locations of image n: the isolated segment pixel nearest the centre, and the isolated circle pixel farthest from it.</summary>
    private static List<(int I, int J)> Locations(LineScene scenes, int n)
    {
        double c = scenes.Size / 2.0;
        var segment = Isolated(scenes, n, 1).Concat(Isolated(scenes, n, 2)).DefaultIfEmpty((I: (int)c, J: (int)c))
            .MinBy(p => Math.Pow(p.I - c, 2) + Math.Pow(p.J - c, 2));
        var circle = Isolated(scenes, n, 0).DefaultIfEmpty((I: (int)c, J: (int)c))
            .MaxBy(p => Math.Pow(p.I - segment.I, 2) + Math.Pow(p.J - segment.J, 2));
        return [segment, circle];
    }
}
