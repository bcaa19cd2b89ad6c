using System.Diagnostics;
using Framework.Models;
using SkiaSharp;
using Spectre.Console;

namespace Framework.Examples;

/// <summary>
/// Lab: spatial transformer networks (Jaderberg et al., "Spatial Transformer Networks", NeurIPS 2015), after
/// PyTorch's STN tutorial.
///
/// A classifier sees digits that are rotated, scaled, sheared and shifted. In front of it we put a spatial
/// transformer: a small localisation net looks at the image and predicts an affine map theta (2 x 3);
/// F.AffineGrid turns theta into a sampling grid (where each output pixel reads from, in normalised [-1, 1]
/// coordinates) and F.GridSample reads the image there with bilinear interpolation. Bilinear sampling is
/// differentiable in the sampling positions, so the classifier's cross-entropy loss trains the localisation
/// net too, with no label saying what the "right" pose is: the transformer learns to undo the distortion
/// because an upright, centred digit is easier to classify. The same classifier without the transformer,
/// trained the same way, is the control.
/// </summary>
public static class StnLab
{
    /// <summary>The localisation net and the sampler: theta = fc_loc(loc(x)); output = grid_sample(x, affine_grid(theta)).</summary>
    public sealed class SpatialTransformer : Module
    {
        // localisation net: 28x28 -> conv7 -> 22 -> pool -> 11 -> conv5 -> 7 -> pool -> 3: 10 x 3 x 3 = 90 features
        private readonly Sequential _localization = new(
            new Conv2d(1, 8, 7), new MaxPool2d(2), new ReLU(),
            new Conv2d(8, 10, 5), new MaxPool2d(2), new ReLU());
        // regressor for theta: 90 -> 32 -> 6
        private readonly Linear _fcLoc1 = new(90, 32), _fcLoc2 = new(32, 6);

        public SpatialTransformer()
        {
            // start at the identity map (weights 0, bias [1 0 0; 0 1 0]): the transformer first changes nothing
            Init.Zeros(_fcLoc2.Weight);
            _fcLoc2.Bias!.CopyFrom(Tensor.FromArray(new float[] { 1, 0, 0, 0, 1, 0 }));
        }

        /// <summary>theta (N, 2, 3): output point (x, y) reads the input at theta (x, y, 1), both in [-1, 1] coordinates.</summary>
        public Tensor Theta(Tensor x) => _fcLoc2.Forward(F.Relu(_fcLoc1.Forward(_localization.Forward(x).View(-1, 90)))).View(-1, 2, 3);

        public override Tensor Forward(Tensor x)
        {
            var grid = F.AffineGrid(Theta(x), x.Shape.ToArray(), alignCorners: false);   // (N, 28, 28, 2)
            return F.GridSample(x, grid, alignCorners: false);                            // bilinear, zeros outside
        }
    }

    /// <summary>The tutorial's classifier: 28 -> conv5 -> 24 -> pool -> 12 -> conv5 -> 8 -> pool -> 4: 320 features -> 50 -> 10 logits.</summary>
    public sealed class Classifier : Module
    {
        private readonly Conv2d _conv1 = new(1, 10, 5), _conv2 = new(10, 20, 5);
        private readonly Linear _fc1 = new(320, 50), _fc2 = new(50, 10);

        public override Tensor Forward(Tensor x)
        {
            x = F.Relu(F.MaxPool2d(_conv1.Forward(x), 2));
            x = F.Relu(F.MaxPool2d(_conv2.Forward(x), 2));
            return _fc2.Forward(F.Relu(_fc1.Forward(x.View(-1, 320))));   // logits; cross_entropy applies log_softmax
        }
    }

    /// <summary>The spatial transformer network: the classifier reads what the transformer made of the image.</summary>
    public sealed class StnNet : Module
    {
        public SpatialTransformer Stn { get; } = new();
        public Classifier Classifier { get; } = new();
        public override Tensor Forward(Tensor x) => Classifier.Forward(Stn.Forward(x));
    }

    private sealed record Curve(List<double> Losses, List<double> EpochLoss, List<double> Accuracy, double Seconds);

    public static LabResult Run(LabOptions o)
    {
        var dataClock = Stopwatch.StartNew();
        var data = StnData.Load(o);
        AnsiConsole.MarkupLine($"[bold]Spatial transformer lab[/]: {Markup.Escape(data.Description)}; {data.Train.Count} training and " +
                               $"{data.TestImages.Shape[0]} test images (ready in {dataClock.Elapsed.TotalSeconds:F1} s), device {o.Device.Name}\n");
        int epochs = o.Quick ? 1 : data.Epochs;

        StnNet stn;
        Classifier plain;
        using (GeneratorScope.Begin(o.Seed)) stn = new StnNet().To(o.Device);     // same weights for the same --seed
        using (GeneratorScope.Begin(o.Seed)) plain = new Classifier().To(o.Device);
        var withStn = Train("with transformer", stn, data, epochs, o);
        var without = Train("without (control)", plain, data, epochs, o);

        var files = new List<string>
        {
            DrawTransformed(stn, data, o, Path.Combine(o.OutDir, "stn-transformed.png")),
            Path.Combine(o.OutDir, "stn-training.png"),
        };
        Charts.Lines(files[1], "Spatial transformer vs the same classifier alone", "epoch", "train loss / test accuracy",
            ("STN: test accuracy", withStn.Accuracy), ("alone: test accuracy", without.Accuracy),
            ("STN: train loss", withStn.EpochLoss), ("alone: train loss", without.EpochLoss));

        var table = new Table().AddColumn("model").AddColumn("params").AddColumn("steps").AddColumn("first loss").AddColumn("final loss")
            .AddColumn("test acc.").AddColumn("time");
        foreach (var (name, model, c) in new[] { ("STN + classifier", (Module)stn, withStn), ("classifier alone", plain, without) })
            table.AddRow(name, model.ParameterCount().ToString(), c.Losses.Count.ToString(), $"{c.Losses[0]:F4}", $"{c.EpochLoss[^1]:F4}",
                $"[bold]{100 * c.Accuracy[^1]:F2}%[/]", $"{c.Seconds:F1} s");
        AnsiConsole.Write(table);
        foreach (var f in files) AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(f)}[/]");
        // a quick run's "loss goes down": the first batch's loss against the mean of the last five
        double last = withStn.Losses.TakeLast(Math.Min(5, withStn.Losses.Count)).Average();
        return new LabResult("stn", withStn.Losses[0], last,
            $"stn ({data.Name}, {epochs} epoch{(epochs == 1 ? "" : "s")}): test accuracy {100 * withStn.Accuracy[^1]:F2}% with the transformer, " +
            $"{100 * without.Accuracy[^1]:F2}% without", files);
    }

    /// <summary>The training loop: shuffled batches of 64, cross-entropy, Adam; test accuracy after every epoch.</summary>
    private static Curve Train(string name, Module model, StnData data, int epochs, LabOptions o)
    {
        var loader = new DataLoader(data.Train, batchSize: 64, shuffle: true, dropLast: true, generator: new Generator(o.Seed + 1));
        int steps = o.Quick ? Math.Min(200, loader.Count) : loader.Count;   // --quick: 200 batches, enough to leave chance level
        // Adam with its rate annealed to 0 over the epochs (the tutorial's plain SGD at lr 0.01 needs 20 MNIST epochs;
        // we have two minutes). The localisation net has no target of its own: its gradient comes through grid_sample.
        var optimizer = new Adam(model.Parameters(), lr: 1e-3);
        var schedule = new CosineAnnealingLR(optimizer, tMax: epochs);
        var curve = new Curve([], [], [], 0);
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            model.Train();
            using var batches = loader.GetEnumerator();
            var losses = Training.Run($"{name}: epoch {epoch}/{epochs}", steps, _ =>
            {
                using var scope = DisposeScope.Begin();   // frees the step's device tensors (a no-op on cpu)
                batches.MoveNext();
                var (x, y) = batches.Current;
                optimizer.ZeroGrad();
                var loss = F.CrossEntropy(model.Forward(x.To(o.Device)), y.To(o.Device));
                loss.Backward();
                optimizer.Step();
                return loss.Item();
            });
            schedule.Step();
            curve.Losses.AddRange(losses);
            curve.EpochLoss.Add(losses.Average());
            curve.Accuracy.Add(Evaluate(model, data.TestImages, data.TestLabels, o.Device));
            AnsiConsole.MarkupLine($"{name}, epoch {epoch}: train loss {curve.EpochLoss[^1]:F4}, test accuracy [bold]{100 * curve.Accuracy[^1]:F2}%[/]");
        }
        return curve with { Seconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>Fraction of test images whose largest logit is the label (eval mode, no tape).</summary>
    private static double Evaluate(Module model, Tensor images, Tensor labels, Device device)
    {
        model.Eval();
        using var _ = Autograd.NoGrad();
        long correct = 0;
        int n = images.Shape[0];
        for (int start = 0; start < n; start += 500)
        {
            int len = Math.Min(500, n - start);
            using var scope = DisposeScope.Begin();
            var predicted = model.Forward(images.Narrow(0, start, len).To(device)).Argmax(1).To(Device.Cpu);
            correct += (long)F.Eq(predicted, labels.Narrow(0, start, len)).To(DType.Float64).Sum().Item();
        }
        return (double)correct / n;
    }

    /// <summary>A grid of test images (left, captioned with the label) beside what the transformer makes of them (right, the prediction).</summary>
    private static string DrawTransformed(StnNet model, StnData data, LabOptions o, string path)
    {
        const int rows = 6, perRow = 6;
        int count = Math.Min(rows * perRow, data.TestImages.Shape[0]);
        var x = data.TestImages.Narrow(0, 0, count);
        Tensor warped, predicted;
        model.Eval();
        using (Autograd.NoGrad())
        {
            warped = model.Stn.Forward(x.To(o.Device)).To(Device.Cpu);
            predicted = model.Forward(x.To(o.Device)).Argmax(1).To(Device.Cpu);
        }
        var labels = data.TestLabels.ToDoubleArray();
        var guesses = predicted.ToDoubleArray();
        int cols = 2 * perRow + 1;   // inputs | gap | transformed
        using var canvas = new ImageCanvas(rows * cols, 28, 28, cols, scale: 3, pad: 3, captionHeight: 13);
        for (int i = 0; i < count; i++)
        {
            int left = i / perRow * cols + i % perRow, right = left + perRow + 1;
            canvas.DrawImage(left, x.Select(0, i).Select(0, 0));
            canvas.DrawCaption(left, data.ClassName((int)labels[i]));
            canvas.DrawImage(right, warped.Select(0, i).Select(0, 0));
            canvas.DrawCaption(right, data.ClassName((int)guesses[i]), guesses[i] == labels[i] ? SKColors.LightGreen : SKColors.Salmon);
        }
        canvas.Save(path);
        return path;
    }
}
