using Framework.Examples;
using Xunit;

namespace Framework.Tests;

/// <summary>The detection lab's VOC-style mAP on hand-made cases whose answers are worked out in the comments.</summary>
public class MapTests
{
    private static readonly Box A = new(0, 0, 10, 10), B = new(20, 20, 30, 30), C = new(40, 0, 50, 10);

    private static TruthBox T(int image, Box box, int cls = 0) => new(image, cls, box);
    private static DetectionBox D(int image, double score, Box box, int cls = 0) => new(image, cls, score, box);
    private static Box Shift(Box b, double dx) => new(b.X1 + dx, b.Y1, b.X2 + dx, b.Y2);

    [Fact]
    public void Perfect_detections_give_ap_1_and_no_detections_give_ap_0()
    {
        TruthBox[] truths = [T(0, A), T(0, B), T(1, C)];
        Assert.Equal(1.0, MeanAveragePrecision.AveragePrecision([D(0, 0.9, A), D(0, 0.8, B), D(1, 0.7, C)], truths), 12);
        Assert.Equal(0.0, MeanAveragePrecision.AveragePrecision([], truths), 12);
        // detections that all miss
        Assert.Equal(0.0, MeanAveragePrecision.AveragePrecision([D(0, 0.9, C), D(1, 0.9, A)], truths), 12);
    }

    [Fact]
    public void A_false_positive_between_two_hits_follows_the_interpolated_curve()
    {
        // scores 0.9 hit, 0.8 miss, 0.7 hit of 2 truths: precision 1, 1/2, 2/3; recall 1/2, 1/2, 1.
        // Interpolated: precision 1 up to recall 1/2, then max(2/3) up to 1: AP = 0.5 * 1 + 0.5 * 2/3 = 5/6.
        var ap = MeanAveragePrecision.AveragePrecision([D(0, 0.9, A), D(0, 0.8, C), D(0, 0.7, B)], [T(0, A), T(0, B)]);
        Assert.Equal(5.0 / 6, ap, 12);
        var (p, r) = MeanAveragePrecision.PrecisionRecall([D(0, 0.7, B), D(0, 0.9, A), D(0, 0.8, C)], [T(0, A), T(0, B)]);
        Assert.Equal([1, 0.5, 2.0 / 3], p);   // sorted by score whatever the input order
        Assert.Equal([0.5, 0.5, 1], r);
    }

    [Fact]
    public void The_interpolation_takes_the_best_precision_to_the_right()
    {
        // miss, hit, hit of 2 truths: precision 0, 1/2, 2/3, recall 0, 1/2, 1: the dip at the start is lifted to 2/3,
        // AP = 1/2 * 2/3 + 1/2 * 2/3 = 2/3 (without interpolation the first half would count 1/2)
        Assert.Equal(2.0 / 3, MeanAveragePrecision.InterpolatedArea([0, 0.5, 2.0 / 3], [0, 0.5, 1]), 12);
        // recall that stops short of 1 adds nothing beyond it: one hit of 4 truths at precision 1
        Assert.Equal(0.25, MeanAveragePrecision.InterpolatedArea([1], [0.25]), 12);
    }

    [Fact]
    public void A_duplicate_detection_of_a_matched_truth_is_a_false_positive()
    {
        // the second detection of A finds A already matched: hit, miss of 1 truth: AP 1 (the miss comes after full recall)
        Assert.Equal(1.0, MeanAveragePrecision.AveragePrecision([D(0, 0.9, A), D(0, 0.8, Shift(A, 1))], [T(0, A)]), 12);
        // ranked before another truth's hit it lowers the precision there: hit A, duplicate of A (miss), hit B give
        // precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1: AP = 0.5 * 1 + 0.5 * 2/3
        var ap = MeanAveragePrecision.AveragePrecision([D(0, 0.9, A), D(0, 0.8, Shift(A, 1)), D(0, 0.7, B)], [T(0, A), T(0, B)]);
        Assert.Equal(0.5 + 0.5 * 2.0 / 3, ap, 12);
    }

    [Fact]
    public void Matching_is_greedy_by_score_not_by_overlap()
    {
        // truth A; a loose detection (IoU 0.6) scored 0.9 and a tight one (IoU 1) scored 0.8: the loose one takes A,
        // the tight one is a duplicate. Hit then miss: AP 1, but the precision after two detections is 1/2.
        var loose = new Box(0, 0, 10, 6);   // IoU with A = 60 / 100
        Assert.Equal(0.6, loose.Iou(A), 12);
        var (p, _) = MeanAveragePrecision.PrecisionRecall([D(0, 0.8, A), D(0, 0.9, loose)], [T(0, A)]);
        Assert.Equal([1, 0.5], p);
    }

    [Fact]
    public void Voc_matching_does_not_fall_back_to_the_second_best_truth()
    {
        // truths P and Q overlap; detection 1 is Q itself (takes Q); detection 2 overlaps Q best (0.6) and P at 0.5:
        // VOC compares only with its best truth, Q, already matched: a false positive even though P is free.
        var p = new Box(0, 0, 10, 10);
        var q = new Box(4, 0, 14, 10);
        var d2 = new Box(3, 0, 13, 10);   // IoU with P: 70 / 130 = 0.538; with Q: 90 / 110 = 0.818
        Assert.True(d2.Iou(p) >= 0.5 && d2.Iou(q) > d2.Iou(p));
        var (prec, rec) = MeanAveragePrecision.PrecisionRecall([D(0, 0.9, q), D(0, 0.8, d2)], [T(0, p), T(0, q)]);
        Assert.Equal([1, 0.5], prec);
        Assert.Equal([0.5, 0.5], rec);
    }

    [Fact]
    public void The_threshold_is_iou_at_least_one_half()
    {
        var half = new Box(0, 0, 10, 20);        // IoU with A = 100 / 200 = 0.5: a hit
        var less = new Box(0, 0, 10, 20.001);    // just below 0.5: a miss
        Assert.Equal(0.5, half.Iou(A), 12);
        Assert.Equal(1.0, MeanAveragePrecision.AveragePrecision([D(0, 0.9, half)], [T(0, A)]), 12);
        Assert.Equal(0.0, MeanAveragePrecision.AveragePrecision([D(0, 0.9, less)], [T(0, A)]), 12);
        Assert.Equal(1.0, MeanAveragePrecision.AveragePrecision([D(0, 0.9, less)], [T(0, A)], iouThreshold: 0.4), 12);
    }

    [Fact]
    public void Detections_match_only_truths_of_their_own_image_and_class()
    {
        TruthBox[] truths = [T(0, A, cls: 0), T(1, B, cls: 1)];
        // class 0: a detection of A in image 1 misses, the one in image 0 hits: miss then hit, AP = 1 * 1/2 = 0.5
        // class 1: B in image 1 hits: AP 1. Class 2 has no truth: NaN, left out of the mean, its detections ignored.
        DetectionBox[] dets = [D(1, 0.9, A, cls: 0), D(0, 0.8, A, cls: 0), D(1, 0.7, B, cls: 1), D(0, 0.95, C, cls: 2)];
        var result = MeanAveragePrecision.Compute(dets, truths, numClasses: 3);
        Assert.Equal(0.5, result.PerClass[0], 12);
        Assert.Equal(1.0, result.PerClass[1], 12);
        Assert.True(double.IsNaN(result.PerClass[2]));
        Assert.Equal(0.75, result.Mean, 12);
        Assert.Throws<ArgumentException>(() => MeanAveragePrecision.Compute(dets, truths, numClasses: 2));
    }

    /// <summary>
    /// Against an independent formula on random cases: with all-point interpolation,
    /// AP = (1 / truths) * sum over the true positives k of max_(j &gt;= k) precision_j.
    /// </summary>
    [Fact]
    public void Ap_equals_the_mean_over_true_positives_of_the_best_precision_from_there_on()
    {
        var g = new Generator(11);
        for (int trial = 0; trial < 200; trial++)
        {
            int images = 1 + (int)g.NextLong(0, 3);
            var truths = new List<TruthBox>();
            var dets = new List<DetectionBox>();
            for (int i = 0; i < images; i++)
                for (int t = 0, n = (int)g.NextLong(0, 4); t < n; t++)
                {
                    var box = new Box(30 * t, 0, 30 * t + 10, 10);
                    truths.Add(T(i, box));
                    for (int copies = (int)g.NextLong(0, 3); copies > 0; copies--)
                        dets.Add(D(i, Math.Round(g.NextDouble(), 2), Shift(box, g.NextDouble() * 6)));   // IoU from 1 down to 0.25
                }
            for (int f = (int)g.NextLong(0, 3); f > 0; f--) dets.Add(D((int)g.NextLong(0, images), g.NextDouble(), new Box(200, 200, 210, 210)));
            if (truths.Count == 0) continue;
            var (p, r) = MeanAveragePrecision.PrecisionRecall(dets, truths);
            double expected = 0;
            for (int k = 0; k < p.Length; k++)
                if (r[k] > (k == 0 ? 0 : r[k - 1])) expected += p.Skip(k).Max() / truths.Count;
            Assert.Equal(expected, MeanAveragePrecision.AveragePrecision(dets, truths), 12);
        }
    }
}
