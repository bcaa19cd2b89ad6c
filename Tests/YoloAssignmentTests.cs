using CsCheck;
using Xunit;

namespace Framework.Tests;

/// <summary>
/// Properties of YoloAssignTargets on generated grids, anchors and ground truths, each checked against IoUs
/// computed independently with F.BoxIou over the anchor boxes as the doc defines them.
/// </summary>
public class YoloAssignmentTests
{
    private static readonly Gen<YoloProblem> Problems = Catalog.YoloProblems(maxN: 2, maxA: 3, maxC: 3, maxGrid: 4, maxGt: 6);

    /// <summary>Anchor boxes (A * H * W, 4), flat index (a * H + i) * W + j: anchor a centred at ((j + 0.5) s, (i + 0.5) s).</summary>
    private static double[] AnchorBoxes(YoloProblem p)
    {
        var an = p.Anchors.ToDoubleArray();
        var boxes = new List<double>();
        for (int a = 0; a < p.A; a++)
            for (int i = 0; i < p.H; i++)
                for (int j = 0; j < p.W; j++)
                {
                    double cx = (j + 0.5) * p.Stride, cy = (i + 0.5) * p.Stride;
                    boxes.AddRange([cx - an[2 * a] / 2, cy - an[2 * a + 1] / 2, cx + an[2 * a] / 2, cy + an[2 * a + 1] / 2]);
                }
        return boxes.ToArray();
    }

    /// <summary>IoU (G, K) of the image's ground truths with every anchor box.</summary>
    private static double[][] Ious(YoloProblem p, int image)
    {
        var gt = p.GtBoxes[image];
        int g = gt.Length / 4, k = p.A * p.H * p.W;
        if (g == 0) return [];
        var iou = F.BoxIou(Tensor.FromArray(gt, new Shape(g, 4)), Tensor.FromArray(AnchorBoxes(p), new Shape(k, 4))).ToDoubleArray();
        return Enumerable.Range(0, g).Select(t => iou.Skip(t * k).Take(k).ToArray()).ToArray();
    }

    private static string Key(double[] b, int at) => string.Join(",", b.Skip(at * 4).Take(4).Select(v => v.ToString("R")));

    [Fact]
    public void With_posIou_1_every_ground_truth_gets_exactly_one_positive_anchor()
    {
        Problems.Sample(p =>
        {
            var t = p.Assign(posIou: 1.0, negIou: 0.3);
            var labels = t.Labels.ToArray<long>();
            var boxes = t.Boxes.ToDoubleArray();
            int k = p.A * p.H * p.W;
            for (int b = 0; b < p.N; b++)
            {
                var positives = Enumerable.Range(b * k, k).Where(r => labels[r] == 1).ToList();
                var expected = Enumerable.Range(0, p.GtBoxes[b].Length / 4).Select(g => Key(p.GtBoxes[b], g)).OrderBy(s => s, StringComparer.Ordinal);
                var actual = positives.Select(r => Key(boxes, r)).OrderBy(s => s, StringComparer.Ordinal);
                Assert.Equal(expected, actual);
            }
        }, iter: 200, threads: 1, print: p => p.ToString());
    }

    [Fact]
    public void Every_ground_truth_owns_one_distinct_positive_anchor_its_best_unless_a_better_match_took_it()
    {
        Problems.Sample(p =>
        {
            for (int b = 0; b < p.N; b++)
            {
                var gts = Enumerable.Range(0, p.GtBoxes[b].Length / 4).Select(g => new GroundTruth(
                    p.GtBoxes[b][4 * g], p.GtBoxes[b][4 * g + 1], p.GtBoxes[b][4 * g + 2], p.GtBoxes[b][4 * g + 3], p.GtClasses[b][g])).ToArray();
                var grid = new AnchorGrid(p.Anchors.ToDoubleArray(), p.A, p.H, p.W, p.Stride);
                var r = YoloAssignment.Run(gts, grid, 0.7, 0.3);
                var iou = Ious(p, b);
                Assert.Equal(gts.Length, r.Owned.Distinct().Count());
                for (int g = 0; g < gts.Length; g++)
                {
                    int q = r.Owned[g];
                    Assert.Equal(1, r.Labels[q]);
                    Assert.Equal(g, r.Matched[q]);
                    double best = iou[g].Max();
                    if (iou[g][q] < best - 1e-12)
                    {
                        // every strictly better anchor of g is owned by a ground truth matching it at least as well
                        for (int other = 0; other < iou[g].Length; other++)
                            if (iou[g][other] > iou[g][q] + 1e-12)
                            {
                                int owner = Array.IndexOf(r.Owned, other);
                                Assert.True(owner >= 0 && iou[owner][other] >= iou[g][other] - 1e-12,
                                    $"ground truth {g} owns anchor {q} (IoU {iou[g][q]}) though anchor {other} (IoU {iou[g][other]}) is free or owned by a worse match");
                            }
                    }
                }
            }
        }, iter: 200, threads: 1, print: p => p.ToString());
    }

    [Fact]
    public void Labels_follow_the_thresholds_and_no_anchor_is_both_positive_and_background()
    {
        Problems.Sample(p =>
        {
            var t = p.Assign();
            var labels = t.Labels.ToArray<long>();
            int k = p.A * p.H * p.W;
            for (int b = 0; b < p.N; b++)
            {
                var iou = Ious(p, b);
                int owners = 0;
                for (int q = 0; q < k; q++)
                {
                    long label = labels[b * k + q];
                    double maxIou = iou.Length == 0 ? 0 : iou.Max(row => row[q]);
                    Assert.Contains(label, new long[] { -1, 0, 1 });
                    if (maxIou > 0.7) Assert.Equal(1, label);
                    if (label == 0) Assert.True(maxIou < 0.3, $"background anchor {q} has IoU {maxIou}");
                    if (label == -1) Assert.True(maxIou >= 0.3 && maxIou <= 0.7, $"ignored anchor {q} has IoU {maxIou}");
                    if (label == 1 && maxIou <= 0.7) owners++;   // positive below the threshold: only as some ground truth's own anchor
                }
                Assert.True(owners <= iou.Length, $"{owners} positives below posIou but only {iou.Length} ground truths");
            }
        }, iter: 200, threads: 1, print: p => p.ToString());
    }

    [Fact]
    public void Targets_are_invariant_to_the_order_of_the_ground_truths()
    {
        var gen = from p in Problems
                  from keys in Gen.Double.Array[p.N * 8]
                  select (p, keys);
        gen.Sample(c =>
        {
            var (p, keys) = c;
            var permuted = p with
            {
                GtBoxes = p.GtBoxes.Select((boxes, b) => Permute(boxes, 4, Order(boxes.Length / 4, keys, b))).ToArray(),
                GtClasses = p.GtClasses.Select((cls, b) => Permute(cls, 1, Order(cls.Length, keys, b))).ToArray(),
            };
            var t1 = p.Assign();
            var t2 = permuted.Assign();
            Assert.Equal(t1.Labels.ToArray<long>(), t2.Labels.ToArray<long>());
            Assert.Equal(t1.Classes.ToArray<long>(), t2.Classes.ToArray<long>());
            Assert.Equal(t1.Offsets.ToDoubleArray(), t2.Offsets.ToDoubleArray());
            Assert.Equal(t1.Boxes.ToDoubleArray(), t2.Boxes.ToDoubleArray());
        }, iter: 200, threads: 1, print: c => c.p.ToString());
    }

    private static int[] Order(int n, double[] keys, int image) => Enumerable.Range(0, n).OrderBy(i => keys[(image * 8 + i) % keys.Length]).ThenBy(i => i).ToArray();

    private static T[] Permute<T>(T[] v, int width, int[] order) => order.SelectMany(i => v.Skip(i * width).Take(width)).ToArray();

    [Fact]
    public void Offsets_of_positives_decode_back_to_their_ground_truth()
    {
        Problems.Sample(p =>
        {
            var t = p.Assign();
            var labels = t.Labels.ToArray<long>();
            var off = t.Offsets.ToDoubleArray();
            var box = t.Boxes.ToDoubleArray();
            var cls = t.Classes.ToArray<long>();
            var an = p.Anchors.ToDoubleArray();
            for (int r = 0; r < labels.Length; r++)
            {
                if (labels[r] != 1) { Assert.Equal(-1, cls[r]); continue; }
                int j = r % p.W, i = r / p.W % p.H, a = r / (p.W * p.H) % p.A, b = r / (p.W * p.H * p.A);
                double cx = (off[4 * r] + j) * p.Stride, cy = (off[4 * r + 1] + i) * p.Stride;
                double w = an[2 * a] * Math.Exp(off[4 * r + 2]), h = an[2 * a + 1] * Math.Exp(off[4 * r + 3]);
                Assert.Equal(box[4 * r], cx - w / 2, 1e-9);
                Assert.Equal(box[4 * r + 1], cy - h / 2, 1e-9);
                Assert.Equal(box[4 * r + 2], cx + w / 2, 1e-9);
                Assert.Equal(box[4 * r + 3], cy + h / 2, 1e-9);
                int g = Enumerable.Range(0, p.GtBoxes[b].Length / 4).First(g => Key(p.GtBoxes[b], g) == Key(box, r));
                Assert.Equal(p.GtClasses[b][g], cls[r]);
            }
        }, iter: 200, threads: 1, print: p => p.ToString());
    }

    [Fact]
    public void A_ground_truth_is_owned_by_the_best_shape_in_the_cell_of_its_centre()
    {
        // anchors (8, 8) and (16, 32) on an 8-pixel grid of 4 x 4 cells; a tall box centred in cell (row 2, column 1)
        var anchors = Tensor.FromArray(new[] { 8.0, 8, 16, 32 }, new Shape(2, 2));
        var t = F.YoloAssignTargets([Tensor.FromArray(new[] { 6.0, 6, 18, 34 }, new Shape(1, 4))], [Tensor.FromArray(new long[] { 2 })],
            anchors, (4, 4), 8, 3, posIou: 1.0);
        var labels = t.Labels.ToArray<long>();
        int owned = Array.IndexOf(labels, 1L);
        Assert.Equal((1 * 4 + 2) * 4 + 1, owned);
        Assert.Equal(1, labels.Count(l => l == 1));
        var off = t.Offsets.ToDoubleArray().Skip(owned * 4).Take(4).ToArray();
        Approx.Equal([12 / 8.0 - 1, 20 / 8.0 - 2, Math.Log(12 / 16.0), Math.Log(28 / 32.0)], off, 1e-12);
        Assert.Equal(2, t.Classes.ToArray<long>()[owned]);
    }
}
