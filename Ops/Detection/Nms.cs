using System.Numerics;

namespace Framework;

/// <summary>
/// Non-maximum suppression with torchvision's semantics (torchvision/csrc/ops/cpu/nms_kernel.cpp).
/// NMS is inherently sequential (whether a box survives depends on every higher-scoring survivor), so it is a
/// host algorithm on every device: the (small) boxes and scores are copied to the host explicitly, suppressed
/// there in the boxes' own precision, and the kept indices go back to the boxes' device. No gradient.
/// </summary>
public static partial class F
{
    /// <summary>
    /// Indices (int64) of the boxes (N, 4, xyxy) kept by NMS, sorted by decreasing score (ties: lower index first,
    /// torchvision's stable sort; NaN scores sort first, as torch.sort). A box is suppressed when its IoU with a
    /// kept higher-scoring box is &gt; iouThreshold. IoU is torchvision's: inter / (area_i + area_j - inter) with
    /// area = (x2 - x1)(y2 - y1). Boxes with x2 &lt; x1 or y2 &lt; y1 are allowed: their intersection with any
    /// box is 0, so they never suppress nor are suppressed (same as torchvision). Zero boxes give an empty result.
    /// </summary>
    public static Tensor Nms(Tensor boxes, Tensor scores, double iouThreshold)
    {
        CheckNmsInputs("nms", boxes, scores, iouThreshold);
        return NmsDispatch(boxes, scores, null, iouThreshold);
    }

    /// <summary>
    /// NMS done independently per category idxs (int64, (N)): boxes of different categories never suppress each
    /// other (torchvision.ops.batched_nms). Kept indices are sorted by decreasing score over all categories.
    /// Implemented as exact per-category suppression over one stable score order, which equals torchvision's
    /// coordinate-offset trick whenever that trick separates the categories (it can fail for negative coordinates;
    /// this cannot), up to the rounding the offsets add to IoUs at exactly the threshold.
    /// </summary>
    public static Tensor BatchedNms(Tensor boxes, Tensor scores, Tensor idxs, double iouThreshold)
    {
        CheckNmsInputs("batched_nms", boxes, scores, iouThreshold);
        if (idxs.DType != DType.Int64 || idxs.Rank != 1 || idxs.Shape[0] != boxes.Shape[0])
            throw new ArgumentException(
                $"batched_nms: idxs must be an int64 tensor of shape ({boxes.Shape[0]}) (one category per box of {boxes.Shape}), got {idxs.DType.Name()} {idxs.Shape}");
        return NmsDispatch(boxes, scores, idxs.ToArray<long>(), iouThreshold);
    }

    private static void CheckNmsInputs(string op, Tensor boxes, Tensor scores, double iouThreshold)
    {
        if (boxes.Rank != 2 || boxes.Shape[1] != 4)
            throw new ArgumentException($"{op}: boxes must have shape (N, 4), got {boxes.Shape}");
        Check.Float(op, boxes, "boxes");
        if (scores.Rank != 1 || scores.Shape[0] != boxes.Shape[0])
            throw new ArgumentException($"{op}: scores must have shape ({boxes.Shape[0]}) to match boxes {boxes.Shape}, got {scores.Shape}");
        if (scores.DType != boxes.DType)
            throw new ArgumentException($"{op}: boxes ({boxes.DType.Name()}) and scores ({scores.DType.Name()}) must have the same dtype");
        Tensor.CheckSameDevice(op, boxes, scores);
        // torchvision does not check; a threshold outside [0, 1] is a bug in the caller (negative suppresses all overlaps of 0)
        if (!(iouThreshold >= 0 && iouThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, $"{op}: iouThreshold must be in [0, 1], got {iouThreshold}");
    }

    private static Tensor NmsDispatch(Tensor boxes, Tensor scores, long[]? classes, double iouThreshold)
    {
        long[] keep = boxes.DType == DType.Float32
            ? NmsHost.Run(boxes.ToArray<float>(), scores.ToArray<float>(), classes, iouThreshold)
            : NmsHost.Run(boxes.ToArray<double>(), scores.ToArray<double>(), classes, iouThreshold);
        return Tensor.FromArray(keep, keep.Length).ToDevice(boxes.Device);
    }
}

/// <summary>The sequential NMS loop of torchvision's CPU kernel, in the boxes' precision T.</summary>
internal static class NmsHost
{
    /// <summary>Kept indices in decreasing score order; with classes, suppression stays inside each class.</summary>
    public static long[] Run<T>(T[] boxes, T[] scores, long[]? classes, double threshold) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = scores.Length;
        if (n == 0) return [];
        var order = DescendingStableOrder(scores);
        var areas = new T[n];
        for (int i = 0; i < n; i++) areas[i] = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
        var suppressed = new bool[n];
        if (classes is null) Suppress(boxes, areas, order, suppressed, threshold);
        else
            // one pass per class over that class's boxes in the global order: O(sum n_c^2), not O(N^2)
            foreach (var group in order.GroupBy(i => classes[i]))
                Suppress(boxes, areas, group.ToArray(), suppressed, threshold);
        var keep = new List<long>();
        foreach (var i in order) if (!suppressed[i]) keep.Add(i);
        return keep.ToArray();
    }

    private static void Suppress<T>(T[] b, T[] areas, int[] order, bool[] suppressed, double threshold) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int oi = 0; oi < order.Length; oi++)
        {
            int i = order[oi];
            if (suppressed[i]) continue;
            T ix1 = b[4 * i], iy1 = b[4 * i + 1], ix2 = b[4 * i + 2], iy2 = b[4 * i + 3], iarea = areas[i];
            for (int oj = oi + 1; oj < order.Length; oj++)
            {
                int j = order[oj];
                if (suppressed[j]) continue;
                T xx1 = StdMax(ix1, b[4 * j]), yy1 = StdMax(iy1, b[4 * j + 1]);
                T xx2 = StdMin(ix2, b[4 * j + 2]), yy2 = StdMin(iy2, b[4 * j + 3]);
                T w = StdMax(T.Zero, xx2 - xx1), h = StdMax(T.Zero, yy2 - yy1);
                T inter = w * h;
                T ovr = inter / (iarea + areas[j] - inter);
                // NaN IoU (two empty boxes: 0 / 0) is not > threshold, as in C++
                if (double.CreateTruncating(ovr) > threshold) suppressed[j] = true;
            }
        }
    }

    // std::max / std::min exactly (NaN handling included): max(a, b) = a < b ? b : a, min(a, b) = b < a ? b : a
    private static T StdMax<T>(T a, T b) where T : IFloatingPointIeee754<T> => a < b ? b : a;
    private static T StdMin<T>(T a, T b) where T : IFloatingPointIeee754<T> => b < a ? b : a;

    /// <summary>Indices by decreasing score, ties by increasing index (stable), NaN first (torch.sort descending).</summary>
    internal static int[] DescendingStableOrder<T>(T[] scores) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (i, j) =>
        {
            T a = scores[i], c = scores[j];
            bool an = T.IsNaN(a), cn = T.IsNaN(c);
            if (an != cn) return an ? -1 : 1;
            if (!an && a != c) return a > c ? -1 : 1;
            return i.CompareTo(j);
        });
        return order;
    }
}
