using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

/// <summary>The YoloHead module: shapes, registration, gradients w.r.t. its parameters, and that it can learn one image.</summary>
public class YoloHeadTests
{
    private static readonly (double, double)[] TwoAnchors = [(8, 8), (16, 24)];

    private static YoloHead Head(ulong seed = 0, int inChannels = 4, int classes = 3, double? prior = null)
    {
        using var _ = GeneratorScope.Begin(seed);
        return new YoloHead(inChannels, classes, TwoAnchors, stride: 8, objectnessPrior: prior);
    }

    [Fact]
    public void Forward_gives_anchors_times_5_plus_classes_channels_and_decode_splits_them()
    {
        var head = Head();
        var x = Tensor.Randn(new Shape(2, 4, 3, 5), DType.Float32, new Generator(1));
        var raw = head.Forward(x);
        Assert.Equal(new Shape(2, 2 * (5 + 3), 3, 5), raw.Shape);
        var d = head.Decode(raw);
        Assert.Equal(new Shape(2, 2, 3, 5, 4), d.Boxes.Shape);
        Assert.Equal(new Shape(2, 2, 3, 5), d.Objectness.Shape);
        Assert.Equal(new Shape(2, 2, 3, 5, 3), d.ClassLogits.Shape);
        // the decode is the op's, with the head's anchors and stride
        var direct = F.YoloDecode(raw, head.Anchors, 8);
        Assert.Equal(direct.Boxes.ToDoubleArray(), d.Boxes.ToDoubleArray());
        Assert.Equal(new[] { 8.0, 8, 16, 24 }, head.Anchors.ToDoubleArray());
        var targets = head.AssignTargets(raw, [Box(4, 4, 12, 12), Box(20, 2, 36, 22)], [Cls(0), Cls(2)]);
        Assert.Equal(new Shape(2, 2, 3, 5), targets.Labels.Shape);
    }

    [Fact]
    public void Parameters_buffers_and_state_dict_use_pytorch_style_keys_and_follow_dtype_conversion()
    {
        var head = Head();
        Assert.Equal(["conv.weight", "conv.bias"], head.NamedParameters().Select(p => p.Name).ToArray());
        // PyTorch's order: the module's own parameters and buffers, then its children's
        Assert.Equal(["anchors", "conv.weight", "conv.bias"], head.StateDict().Keys.ToArray());
        Assert.Equal(new Shape(16, 4, 1, 1), head.Conv.Weight.Shape);
        head.Double();
        Assert.Equal(DType.Float64, head.Anchors.DType);
        Assert.Equal(DType.Float64, head.Conv.Weight.DType);
        var copy = Head(seed: 7).Double();
        Assert.NotEqual(head.Conv.Weight.ToDoubleArray(), copy.Conv.Weight.ToDoubleArray());
        var result = copy.LoadStateDict(head.StateDict());
        Assert.Empty(result.MissingKeys);
        Assert.Equal(head.Conv.Weight.ToDoubleArray(), copy.Conv.Weight.ToDoubleArray());
        Assert.Contains("num_anchors=2, num_classes=3, stride=8.0", head.ToString());
        Assert.Contains("(conv): Conv2d(4, 16, kernel_size=(1, 1)", head.ToString());
    }

    [Fact]
    public void The_objectness_prior_sets_only_the_objectness_biases()
    {
        var head = Head(prior: 0.01);
        var plain = Head();
        var bias = head.Conv.Bias!.ToDoubleArray();
        var plainBias = plain.Conv.Bias!.ToDoubleArray();
        for (int ch = 0; ch < bias.Length; ch++)
        {
            if (ch % 8 == 4) Assert.Equal(Math.Log(0.01 / 0.99), bias[ch], 1e-6);
            else Assert.Equal(plainBias[ch], bias[ch]);
        }
    }

    [Fact]
    public void A_head_output_of_the_wrong_layout_is_refused()
    {
        var head = Head();
        var other = Tensor.Zeros(new Shape(1, 2 * (5 + 2), 3, 3));   // two classes, not three
        var e = Assert.Throws<ArgumentException>(() => head.Predict(other));
        Assert.Contains("(N, 16, H, W)", e.Message);
        Assert.Throws<ArgumentException>(() => head.Forward(Tensor.Zeros(new Shape(1, 5, 3, 3))));
        Assert.Throws<ArgumentException>(() => new YoloHead(4, 3, [(8, -1)], 8));
        Assert.Throws<ArgumentException>(() => new YoloHead(4, 3, TwoAnchors, 0));
        Assert.Throws<ArgumentException>(() => new YoloHead(4, 0, TwoAnchors, 8));
    }

    private static Tensor Box(double x1, double y1, double x2, double y2) => Tensor.FromArray(new[] { x1, y1, x2, y2 }, new Shape(1, 4)).ConvertTo(DType.Float32);
    private static Tensor Cls(long c) => Tensor.FromArray(new[] { c });

    private static double LossOf(YoloHead head, Tensor features, YoloTargets targets, string boxLoss) =>
        head.Loss(head.Forward(features), targets, boxLoss: boxLoss, noObjWeight: 0.5).Item();

    /// <summary>
    /// Gradcheck of the loss w.r.t. the head's own parameters: the gradient Backward leaves in conv.weight.Grad and
    /// conv.bias.Grad against central differences of the loss, perturbing each parameter in place (float64).
    /// </summary>
    [Theory]
    [InlineData("mse")]
    [InlineData("giou")]
    public void The_loss_is_differentiable_wrt_the_head_parameters(string boxLoss)
    {
        var head = Head(seed: 3, inChannels: 2, classes: 2).Double();
        var features = Tensor.Randn(new Shape(1, 2, 2, 3), DType.Float64, new Generator(4));
        var raw = head.Forward(features);
        var targets = head.AssignTargets(raw,
            [Tensor.FromArray(new[] { 2.0, 3, 13, 12, 9, 1, 23, 15 }, new Shape(2, 4))], [Tensor.FromArray(new long[] { 1, 0 })], posIou: 0.5, negIou: 0.1);
        Assert.Contains(-1L, targets.Labels.ToArray<long>());   // the ignore band is exercised too
        head.ZeroGrad();
        head.Loss(raw, targets, boxLoss: boxLoss, noObjWeight: 0.5).Backward();
        const double eps = 1e-6;
        int compared = 0;
        foreach (var (name, p) in head.NamedParameters())
        {
            var analytic = p.Grad!.ToDoubleArray();
            var data = p.AsSpan<double>();
            for (int i = 0; i < analytic.Length; i++)
            {
                double keep = data[i];
                double plus, minus;
                using (Autograd.NoGrad())
                {
                    data[i] = keep + eps;
                    plus = LossOf(head, features, targets, boxLoss);
                    data[i] = keep - eps;
                    minus = LossOf(head, features, targets, boxLoss);
                }
                data[i] = keep;
                double numerical = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(analytic[i] - numerical) <= 1e-5 + 1e-3 * Math.Abs(numerical),
                    $"{boxLoss}: d loss / d {name}[{i}]: analytic {analytic[i]}, numerical {numerical}");
                compared++;
            }
        }
        Assert.Equal(14 * 2 + 14, compared);
        // and through the features, with the framework's gradcheck
        var check = GradCheck.Run(xs => head.Loss(head.Forward(xs[0]), targets, boxLoss: boxLoss), [features.CloneData().RequiresGrad_()]);
        Assert.True(check.Passed, check.Report);
    }

    /// <summary>A tiny head on fixed features learns one image's boxes: the loss goes near zero and Predict finds them.</summary>
    [Fact]
    public void A_tiny_head_overfits_one_image_and_predict_recovers_its_boxes()
    {
        var head = Head(seed: 5, inChannels: 8, classes: 3, prior: 0.05);
        var features = Tensor.Randn(new Shape(1, 8, 4, 4), DType.Float32, new Generator(6));
        var boxes = Tensor.FromArray(new float[] { 3, 4, 12, 13, 14, 9, 31, 31 }, new Shape(2, 4));
        var classes = Tensor.FromArray(new long[] { 2, 0 });
        var opt = new Adam(head.Parameters(), lr: 0.05);
        double first = double.NaN, last = double.NaN;
        for (int step = 0; step < 400; step++)
        {
            opt.ZeroGrad();
            // no ignore band (negIou = posIou): ignored anchors are never trained, so here they would keep the
            // random boxes and objectness of their initialisation and Predict would report them
            var loss = head.Loss(head.Forward(features), [boxes], [classes], posIou: 0.7, negIou: 0.7);
            loss.Backward();
            opt.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < 0.01 * first && last < 0.02, $"loss went from {first} to {last}");
        YoloDetections found;
        using (Autograd.NoGrad()) found = head.Predict(head.Forward(features), scoreThreshold: 0.5)[0];
        Assert.True(found.Count == 2, $"found {found.Boxes} {found.Scores} {found.Classes}");
        var iou = F.BoxIou(found.Boxes, boxes).ToDoubleArray();   // (2 found, 2 truth)
        var cls = found.Classes.ToArray<long>();
        for (int t = 0; t < 2; t++)
        {
            int k = iou[t] > iou[2 + t] ? 0 : 1;   // the detection matching truth t
            Assert.True(iou[k * 2 + t] > 0.9, $"truth {t}: IoU {iou[k * 2 + t]}");
            Assert.Equal(classes.ToArray<long>()[t], cls[k]);
        }
        Assert.All(found.Scores.ToDoubleArray(), s => Assert.True(s > 0.9, $"score {s}"));
    }

    /// <summary>The whole head (conv, assignment, loss, backward, predict) on ILGPU's CPU accelerator agrees with the CPU.</summary>
    [Fact]
    public void The_head_on_ilgpu_agrees_with_the_cpu()
    {
        var features = Tensor.Randn(new Shape(1, 4, 3, 3), DType.Float64, new Generator(8));
        var boxes = Tensor.FromArray(new[] { 2.0, 3, 13, 12 }, new Shape(1, 4));
        var classes = Tensor.FromArray(new long[] { 1 });
        (double Loss, double[] Grad, double[] Boxes) RunOn(Device device)
        {
            var head = Head(seed: 9, prior: 0.3).Double().To(device);
            var raw = head.Forward(features.ToDevice(device));
            var loss = head.Loss(raw, [boxes.ToDevice(device)], [classes.ToDevice(device)], boxLoss: "giou");
            loss.Backward();
            var found = head.Predict(raw.Detach(), scoreThreshold: 0.1)[0];
            return (loss.Item(), head.Conv.Weight.Grad!.ToDoubleArray(), found.Boxes.ToDoubleArray());
        }
        var cpu = RunOn(Device.Cpu);
        var gpu = RunOn(Device.IlgpuCpu);
        Assert.Equal(cpu.Loss, gpu.Loss, 1e-10);
        Approx.Equal(cpu.Grad, gpu.Grad, 1e-10);
        Approx.Equal(cpu.Boxes, gpu.Boxes, 1e-10);
        Assert.NotEmpty(cpu.Boxes);
    }
}
