using CsCheck;
using Xunit;

namespace Framework.Tests;

/// <summary>NMS and box utilities against hand-computed cases and independent reference algorithms.</summary>
public class NmsTests
{
    private static Tensor Boxes(params double[] v) => Tensor.FromArray(v, new Shape(v.Length / 4, 4));
    private static Tensor Scores(params double[] v) => Tensor.FromArray(v);
    private static long[] Kept(Tensor t) => t.ToArray<long>();

    [Fact]
    public void Overlap_above_the_threshold_suppresses_the_lower_score()
    {
        // IoU of the first two = 81 / 119 = 0.68
        var b = Boxes(0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30);
        var s = Scores(0.9, 0.8, 0.7);
        Assert.Equal([0L, 2], Kept(F.Nms(b, s, 0.5)));
        Assert.Equal([0L, 1, 2], Kept(F.Nms(b, s, 0.7)));
    }

    [Fact]
    public void Iou_equal_to_the_threshold_does_not_suppress()
    {
        var b = Boxes(0, 0, 3, 1, 1, 0, 4, 1);   // inter 2, union 4: IoU exactly 0.5
        Assert.Equal([0L, 1], Kept(F.Nms(b, Scores(0.9, 0.8), 0.5)));
        Assert.Equal([0L], Kept(F.Nms(b, Scores(0.9, 0.8), 0.49)));
    }

    [Fact]
    public void Tied_scores_keep_index_order_and_the_lower_index_wins()
    {
        var disjoint = Boxes(0, 0, 1, 1, 2, 0, 3, 1, 4, 0, 5, 1, 6, 0, 7, 1);
        Assert.Equal([1L, 0, 2, 3], Kept(F.Nms(disjoint, Scores(0.5, 0.9, 0.5, 0.5), 0.5)));
        var same = Boxes(0, 0, 2, 2, 0, 0, 2, 2, 0, 0, 2, 2);
        Assert.Equal([0L], Kept(F.Nms(same, Scores(0.5, 0.5, 0.5), 0.5)));
    }

    [Fact]
    public void Nan_scores_sort_first_as_in_torch_sort()
    {
        var disjoint = Boxes(0, 0, 1, 1, 2, 0, 3, 1, 4, 0, 5, 1);
        Assert.Equal([1L, 2, 0], Kept(F.Nms(disjoint, Scores(0.1, double.NaN, 0.3), 0.5)));
    }

    [Fact]
    public void Nms_of_no_boxes_is_an_empty_int64_tensor()
    {
        var keep = F.Nms(Tensor.Zeros(new Shape(0, 4), DType.Float64), Tensor.Zeros(new Shape(0), DType.Float64), 0.5);
        Assert.Equal(DType.Int64, keep.DType);
        Assert.Equal(new Shape(0), keep.Shape);
        var batched = F.BatchedNms(Tensor.Zeros(new Shape(0, 4), DType.Float32), Tensor.Zeros(new Shape(0), DType.Float32), Tensor.FromArray(new long[0], 0), 0.5);
        Assert.Equal(new Shape(0), batched.Shape);
    }

    [Fact]
    public void Inverted_boxes_neither_suppress_nor_are_suppressed()
    {
        // x2 < x1 (and y2 < y1 for the third): the intersection with any box is clamped to 0, so IoU is 0 (or NaN), as torchvision
        var b = Boxes(0, 0, 10, 10, 10, 0, 0, 10, 10, 10, 0, 0, 1, 1, 9, 9);
        Assert.Equal([0L, 1, 2], Kept(F.Nms(b, Scores(0.9, 0.8, 0.7, 0.6), 0.0)));
        Assert.Equal([1L, 2, 0], Kept(F.Nms(b, Scores(0.5, 0.9, 0.8, 0.1), 0.0)));
    }

    /// <summary>The textbook NMS: take the best remaining box, drop every remaining box whose box_iou with it exceeds the threshold.</summary>
    private static long[] ReferenceNms(double[] boxes, double[] scores, double threshold)
    {
        var iou = F.BoxIou(Boxes(boxes), Boxes(boxes)).ToDoubleArray();
        int n = scores.Length;
        var remaining = Enumerable.Range(0, n).ToList();
        var keep = new List<long>();
        while (remaining.Count > 0)
        {
            int best = remaining.OrderByDescending(i => scores[i]).ThenBy(i => i).First();
            keep.Add(best);
            remaining.RemoveAll(j => j == best || iou[best * n + j] > threshold);
        }
        return keep.ToArray();
    }

    private static readonly Gen<(double[] Boxes, double[] Scores, long[] Classes, double Threshold)> Cases =
        from n in Gen.Int[0, 12]
        from v in Catalog.BoxValues(n)
        from scores in Gen.Int[0, 8].Array[n]
        from classes in Gen.Long[0, 2].Array[n]
        from thr in Gen.OneOf(0.0, 0.2, 0.5, 0.8)
        select (v, scores.Select(k => k / 8.0).ToArray(), classes, thr);

    [Fact]
    public void Nms_equals_the_textbook_algorithm()
    {
        Cases.Sample(c => Assert.Equal(ReferenceNms(c.Boxes, c.Scores, c.Threshold), Kept(F.Nms(Boxes(c.Boxes), Scores(c.Scores), c.Threshold))),
            iter: 200, threads: 1);
    }

    [Fact]
    public void Batched_nms_equals_torchvisions_coordinate_offset_trick()
    {
        // coordinates are non-negative here, where offsetting each class by idx * (max + 1) separates the classes exactly
        Cases.Sample(c =>
        {
            double offset = c.Boxes.DefaultIfEmpty(0).Max() + 1;
            var shifted = c.Boxes.Select((v, k) => v + c.Classes[k / 4] * offset).ToArray();
            var expected = Kept(F.Nms(Boxes(shifted), Scores(c.Scores), c.Threshold));
            var actual = Kept(F.BatchedNms(Boxes(c.Boxes), Scores(c.Scores), Tensor.FromArray(c.Classes, c.Classes.Length), c.Threshold));
            Assert.Equal(expected, actual);
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void Batched_nms_keeps_overlapping_boxes_of_different_classes()
    {
        var b = Boxes(0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10);
        var keep = F.BatchedNms(b, Scores(0.7, 0.9, 0.8), Tensor.FromArray(new long[] { 0, 1, 0 }), 0.5);
        Assert.Equal([1L, 2], Kept(keep));
    }

    [Fact]
    public void Box_iou_and_giou_of_known_pairs()
    {
        var a = Boxes(0, 0, 2, 2, 0, 0, 1, 1);
        var b = Boxes(1, 1, 3, 3, 2, 0, 3, 1, 0, 0, 1, 1);
        var iou = F.BoxIou(a, b).ToDoubleArray();
        Approx.Equal([1 / 7.0, 0, 0.25, 0, 0, 1], iou, 1e-15);
        var giou = F.GeneralizedBoxIou(a, b).ToDoubleArray();
        // (0,0,1,1) vs (2,0,3,1): iou 0, enclosing 3, union 2: -1/3; (0,0,2,2) vs (1,1,3,3): 1/7 - (9 - 7) / 9
        Assert.Equal(1 / 7.0 - 2 / 9.0, giou[0], 1e-15);
        Assert.Equal(-1 / 3.0, giou[4], 1e-15);
        Assert.Equal(1.0, giou[5], 1e-15);
        Assert.Equal(new Shape(0, 3), F.BoxIou(Tensor.Zeros(new Shape(0, 4), DType.Float64), Boxes(0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1)).Shape);
    }

    [Fact]
    public void Giou_loss_without_eps_is_one_minus_the_diagonal_of_generalized_box_iou()
    {
        Catalog.BoxValues(5).Select(v => v).Sample(v =>
        {
            var shifted = v.Select((x, k) => k % 2 == 0 ? x + 0.5 : x - 0.25).ToArray();
            var loss = F.GeneralizedBoxIouLoss(Boxes(v), Boxes(shifted), eps: 0).ToDoubleArray();
            var giou = F.GeneralizedBoxIou(Boxes(v), Boxes(shifted)).ToDoubleArray();
            for (int i = 0; i < 5; i++) Assert.Equal(1 - giou[i * 5 + i], loss[i], 1e-12);
        }, iter: 50, threads: 1);
    }

    [Fact]
    public void Box_convert_known_values_and_round_trips()
    {
        var xyxy = Boxes(1, 2, 5, 8);
        Assert.Equal([3.0, 5, 4, 6], F.BoxConvert(xyxy, "xyxy", "cxcywh").ToDoubleArray());
        Assert.Equal([1.0, 2, 4, 6], F.BoxConvert(xyxy, "xyxy", "xywh").ToDoubleArray());
        Assert.Equal([3.0, 5, 4, 6], F.BoxConvert(Boxes(1, 2, 4, 6), "xywh", "cxcywh").ToDoubleArray());
        Assert.Equal([1.0, 2, 4, 6], F.BoxConvert(Boxes(3, 5, 4, 6), "cxcywh", "xywh").ToDoubleArray());
        Assert.Equal([1.0, 2, 5, 8], F.BoxConvert(Boxes(3, 5, 4, 6), "cxcywh", "xyxy").ToDoubleArray());
        Assert.Equal([1.0, 2, 5, 8], F.BoxConvert(Boxes(1, 2, 4, 6), "xywh", "xyxy").ToDoubleArray());
    }

    [Fact]
    public void Clip_area_and_small_box_removal_known_values()
    {
        var clipped = F.ClipBoxesToImage(Boxes(-1, 2, 12, 30, 3, -4, 5, 6), (20, 10)).ToDoubleArray();
        Assert.Equal([0.0, 2, 10, 20, 3, 0, 5, 6], clipped);
        Assert.Equal([6.0, -2], F.BoxArea(Boxes(0, 0, 2, 3, 0, 0, 2, -1)).ToDoubleArray());
        Assert.Equal([0L, 2], F.RemoveSmallBoxes(Boxes(0, 0, 2, 3, 0, 0, 0.5, 3, 1, 1, 2, 2), 1.0).ToArray<long>());
    }
}

internal static class Approx
{
    /// <summary>Same length and |e - a| &lt;= tol elementwise.</summary>
    public static void Equal(double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"at {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tol:G2})");
    }
}
