using CsCheck;
using Xunit;

namespace Framework.Tests;

/// <summary>YOLO decode, loss and predict against hand-computed values and their documented definitions.</summary>
public class YoloTests
{
    private static readonly Tensor Anchors = Tensor.FromArray(new[] { 8.0, 8, 16, 32 }, new Shape(2, 2));

    /// <summary>A (1, 2 * (5 + 2), H, W) head filled with fill, with value at channel ch of anchor a, cell (i, j).</summary>
    private static Tensor Head(int h, int w, double fill, params (int A, int Ch, int I, int J, double V)[] set)
    {
        var v = Enumerable.Repeat(fill, 2 * 7 * h * w).ToArray();
        foreach (var (a, ch, i, j, value) in set) v[((a * 7 + ch) * h + i) * w + j] = value;
        return Tensor.FromArray(v, new Shape(1, 14, h, w));
    }

    [Fact]
    public void Decode_follows_yolov3_formulas_and_darknet_channel_layout()
    {
        var head = Head(2, 3, 0, (1, 0, 1, 2, 2.0), (1, 2, 1, 2, Math.Log(3)), (1, 4, 1, 2, 5), (1, 6, 1, 2, -7));
        var d = F.YoloDecode(head, Anchors, 8);
        Assert.Equal(new Shape(1, 2, 2, 3, 4), d.Boxes.Shape);
        Assert.Equal(new Shape(1, 2, 2, 3), d.Objectness.Shape);
        Assert.Equal(new Shape(1, 2, 2, 3, 2), d.ClassLogits.Shape);
        var boxes = d.Boxes.ToDoubleArray();
        // untouched anchor 0 at (row 0, column 1): sigmoid(0) = 0.5, exp(0) = 1
        Approx.Equal([(0.5 + 1) * 8, 0.5 * 8, 8, 8], boxes.Skip(4 * 1).Take(4).ToArray(), 1e-12);
        // anchor 1 at (row 1, column 2)
        int r = (1 * 2 + 1) * 3 + 2;
        Approx.Equal([(1 / (1 + Math.Exp(-2)) + 2) * 8, (0.5 + 1) * 8, 16 * 3, 32], boxes.Skip(4 * r).Take(4).ToArray(), 1e-12);
        Assert.Equal(5, d.Objectness.ToDoubleArray()[r]);
        Assert.Equal([0, -7], d.ClassLogits.ToDoubleArray().Skip(2 * r).Take(2).ToArray());
    }

    private static YoloTargets OneBox(Tensor anchors, double posIou = 0.7) =>
        F.YoloAssignTargets([Tensor.FromArray(new[] { 6.0, 6, 18, 34 }, new Shape(1, 4))], [Tensor.FromArray(new long[] { 1 })], anchors, (4, 4), 8, 2, posIou);

    /// <summary>A head whose positive anchors predict their targets exactly (sigmoid^-1 of the offsets) and the right class.</summary>
    private static Tensor PerfectHead(YoloTargets t, int h, int w)
    {
        var labels = t.Labels.ToArray<long>();
        var off = t.Offsets.ToDoubleArray();
        var cls = t.Classes.ToArray<long>();
        var v = new double[2 * 7 * h * w];
        for (int r = 0; r < labels.Length; r++)
        {
            int a = r / (h * w), cell = r % (h * w);
            double[] ch = labels[r] == 1
                ? [Math.Log(off[4 * r] / (1 - off[4 * r])), Math.Log(off[4 * r + 1] / (1 - off[4 * r + 1])), off[4 * r + 2], off[4 * r + 3], 30, cls[r] == 0 ? 30 : -30, cls[r] == 1 ? 30 : -30]
                : [0, 0, 0, 0, -30, -30, -30];
            for (int c = 0; c < 7; c++) v[(a * 7 + c) * h * w + cell] = ch[c];
        }
        return Tensor.FromArray(v, new Shape(1, 14, h, w));
    }

    [Fact]
    public void A_perfect_prediction_has_almost_zero_loss_with_either_box_loss()
    {
        var t = OneBox(Anchors, posIou: 1.0);
        var head = PerfectHead(t, 4, 4);
        foreach (var boxLoss in new[] { "mse", "giou" })
        {
            double loss = F.YoloLoss(head, Anchors, 8, t, boxLoss, "sum").Item();
            Assert.True(loss < 1e-6 * 32 + 1e-5, $"{boxLoss}: loss of a perfect prediction is {loss}");
        }
    }

    [Fact]
    public void Sum_is_the_sum_of_none_and_mean_averages_each_term_over_its_anchors()
    {
        var gen = from p in Catalog.YoloProblems(maxN: 2, maxA: 2, maxC: 2, maxGrid: 3, maxGt: 3) select p;
        gen.Sample(p =>
        {
            var t = p.Assign(0.5, 0.2);
            var none = F.YoloLoss(p.Head, p.Anchors, p.Stride, t, "giou", "none", boxWeight: 2, noObjWeight: 0.5);
            var sum = F.YoloLoss(p.Head, p.Anchors, p.Stride, t, "giou", "sum", boxWeight: 2, noObjWeight: 0.5);
            Assert.Equal(none.Sum().Item(), sum.Item(), 1e-9);
            var labels = t.Labels.ToArray<long>();
            Assert.All(labels.Zip(none.ToDoubleArray()), z => Assert.True(z.First != -1 || z.Second == 0));
            // objectness only: the mean of BCE over the counted anchors
            var objOnly = F.YoloLoss(p.Head, p.Anchors, p.Stride, t, "mse", "mean", boxWeight: 0, classWeight: 0).Item();
            var obj = F.YoloDecode(p.Head, p.Anchors, p.Stride).Objectness.ToDoubleArray();
            var counted = Enumerable.Range(0, labels.Length).Where(r => labels[r] != -1).ToArray();
            double expected = counted.Length == 0 ? 0 : counted.Average(r => Bce(obj[r], labels[r] == 1 ? 1 : 0));
            Assert.Equal(expected, objOnly, 1e-9);
            // box only (mse): the mean over positives of the summed squared offset errors, read straight from the head's channels
            var boxOnly = F.YoloLoss(p.Head, p.Anchors, p.Stride, t, "mse", "mean", objWeight: 0, noObjWeight: 0, classWeight: 0).Item();
            var head = p.Head.ToDoubleArray();
            var off = t.Offsets.ToDoubleArray();
            int hw = p.H * p.W;
            double Channel(int r, int ch) => head[((r / hw) * (5 + p.C) + ch) * hw + r % hw];   // r / hw = image * A + anchor
            var positives = Enumerable.Range(0, labels.Length).Where(r => labels[r] == 1).ToArray();
            double expectedBox = positives.Length == 0 ? 0 : positives.Average(r =>
                Math.Pow(1 / (1 + Math.Exp(-Channel(r, 0))) - off[4 * r], 2) + Math.Pow(1 / (1 + Math.Exp(-Channel(r, 1))) - off[4 * r + 1], 2) +
                Math.Pow(Channel(r, 2) - off[4 * r + 2], 2) + Math.Pow(Channel(r, 3) - off[4 * r + 3], 2));
            Assert.Equal(expectedBox, boxOnly, 1e-9);
        }, iter: 30, threads: 1, print: p => p.ToString());
    }

    private static double Bce(double logit, double target) => Math.Max(logit, 0) - logit * target + Math.Log(1 + Math.Exp(-Math.Abs(logit)));

    [Fact]
    public void An_overflowing_ignored_or_background_anchor_leaves_the_loss_and_gradient_finite()
    {
        var t = OneBox(Anchors, posIou: 1.0);
        var labels = t.Labels.ToArray<long>();
        int negative = Array.IndexOf(labels, 0L);
        var v = PerfectHead(t, 4, 4).ToDoubleArray();
        int a = negative / 16, cell = negative % 16;
        v[(a * 7 + 2) * 16 + cell] = 1e4;   // tw: exp overflows
        var head = Tensor.FromArray(v, new Shape(1, 14, 4, 4));
        head.RequiresGrad = true;
        var loss = F.YoloLoss(head, Anchors, 8, t, "giou", "mean");
        loss.Backward();
        Assert.True(double.IsFinite(loss.Item()));
        Assert.All(head.Grad!.ToDoubleArray(), g => Assert.True(double.IsFinite(g)));
    }

    /// <summary>A (1, 14, 4, 4) head predicting nothing (objectness and class logits -8, box logits 0) but the given anchors.</summary>
    private static Tensor Quiet(params (int A, int I, int J, double Tx, double Obj, int Cls)[] confident)
    {
        var v = new double[14 * 16];
        for (int a = 0; a < 2; a++)
            for (int c = 4; c < 7; c++)
                for (int cell = 0; cell < 16; cell++) v[(a * 7 + c) * 16 + cell] = -8;
        foreach (var (a, i, j, tx, obj, cls) in confident)
        {
            v[(a * 7) * 16 + i * 4 + j] = tx;
            v[(a * 7 + 4) * 16 + i * 4 + j] = obj;
            v[(a * 7 + 5 + cls) * 16 + i * 4 + j] = 6;
        }
        return Tensor.FromArray(v, new Shape(1, 14, 4, 4));
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Predict_keeps_confident_boxes_and_suppresses_same_class_duplicates()
    {
        // anchor 1 (16 x 32) at (row 2, column 1) pushed right and at (row 2, column 2) pushed left: nearly the same box
        var head = Quiet((1, 2, 1, 6, 6, 0), (1, 2, 2, -6, 5, 0), (0, 0, 0, 0, 5.5, 1));
        var dets = F.YoloPredict(head, Anchors, 8, scoreThreshold: 0.5, iouThreshold: 0.45);
        Assert.Single(dets);
        var d = dets[0];
        Assert.Equal(2, d.Count);
        Assert.Equal([0L, 1], d.Classes.ToArray<long>());
        Approx.Equal([Sigmoid(6) * Sigmoid(6), Sigmoid(5.5) * Sigmoid(6)], d.Scores.ToDoubleArray(), 1e-12);
        double cx = (Sigmoid(6) + 1) * 8, cy = (0.5 + 2) * 8;
        Approx.Equal([cx - 8, cy - 16, cx + 8, cy + 16], d.Boxes.ToDoubleArray().Take(4).ToArray(), 1e-12);
        Approx.Equal([4 - 4, 4 - 4, 4 + 4, 4 + 4], d.Boxes.ToDoubleArray().Skip(4).ToArray(), 1e-12);

        var none = F.YoloPredict(head, Anchors, 8, scoreThreshold: 0.999);
        Assert.Equal(new Shape(0, 4), none[0].Boxes.Shape);
        Assert.Equal(1, F.YoloPredict(head, Anchors, 8, scoreThreshold: 0.5, maxDetections: 1)[0].Count);
    }

    [Fact]
    public void Predict_keeps_overlapping_boxes_of_different_classes()
    {
        var head = Quiet((1, 2, 1, 6, 6, 0), (1, 2, 2, -6, 5, 1));
        var d = F.YoloPredict(head, Anchors, 8, scoreThreshold: 0.5, iouThreshold: 0.3)[0];
        Assert.Equal(2, d.Count);
        Assert.Equal([0L, 1], d.Classes.ToArray<long>());
    }

    [Fact]
    public void Target_masks_follow_the_labels()
    {
        var t = OneBox(Anchors);
        var labels = t.Labels.ToArray<long>();
        Assert.Equal(labels.Select(l => l == 1 ? 1.0 : 0.0), t.Objectness.ToDoubleArray());
        Assert.Equal(labels.Select(l => l == 1 ? 1.0 : 0.0), t.BoxMask.ToDoubleArray());
        Assert.Equal(labels.Select(l => l != -1 ? 1.0 : 0.0), t.ObjectnessMask.ToDoubleArray());
        Assert.Contains(-1L, labels);
        Assert.Contains(0L, labels);
    }

    [Fact]
    public void Predict_refuses_thresholds_outside_0_1()
    {
        var head = Quiet();
        foreach (var call in new Action[]
        {
            () => F.YoloPredict(head, Anchors, 8, scoreThreshold: 1.5),
            () => F.YoloPredict(head, Anchors, 8, iouThreshold: -0.5),
            () => F.YoloPredict(head, Anchors, 8, iouThreshold: double.NaN),
        })
        {
            var ex = Assert.ThrowsAny<ArgumentException>(call);
            Assert.StartsWith("yolo_predict: ", ex.Message);
            Assert.Contains("Threshold must be in [0, 1]", ex.Message);
        }
        Assert.StartsWith("yolo_predict: ", Assert.ThrowsAny<ArgumentException>(() => F.YoloPredict(Randn(1, 13, 4, 4), Anchors, 8)).Message);
    }

    private static Tensor Randn(params int[] shape) => Tensor.Randn(new Shape(shape), DType.Float64);
}

/// <summary>Predict on ILGPU's CPU accelerator: decode runs there, NMS on the host, detections come back to the device.</summary>
[Collection("Ilgpu")]
public class YoloDeviceTests
{
    [Fact, Trait("Category", "Ilgpu")]
    public void Predict_on_an_ilgpu_device_matches_the_cpu()
    {
        var anchors = Tensor.FromArray(new[] { 8.0, 8, 16, 32 }, new Shape(2, 2));
        var head = Tensor.Randn(new Shape(2, 14, 3, 3), DType.Float64, new Generator(3)) * 3.0;
        var cpu = F.YoloPredict(head, anchors, 8, scoreThreshold: 0.3, iouThreshold: 0.4);
        var gpu = F.YoloPredict(head.ToDevice(Device.IlgpuCpu), anchors.ToDevice(Device.IlgpuCpu), 8, scoreThreshold: 0.3, iouThreshold: 0.4);
        Assert.True(cpu.Sum(d => d.Count) > 0);
        for (int b = 0; b < 2; b++)
        {
            Assert.Equal(Device.IlgpuCpu, gpu[b].Boxes.Device);
            Assert.Equal(cpu[b].Classes.ToArray<long>(), gpu[b].Classes.ToArray<long>());
            Approx.Equal(cpu[b].Boxes.ToDoubleArray(), gpu[b].Boxes.ToDoubleArray(), 1e-10);
            Approx.Equal(cpu[b].Scores.ToDoubleArray(), gpu[b].Scores.ToDoubleArray(), 1e-12);
        }
    }
}
