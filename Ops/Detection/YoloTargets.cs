namespace Framework;

/// <summary>
/// Per-anchor training targets of a YOLO head, all indexed (N, A, H, W) like <see cref="YoloDecoded"/>:
/// Labels (int64) 1 = object (positive), 0 = background (negative), -1 = ignored;
/// Offsets (N, A, H, W, 4) = (tx*, ty*, tw*, th*): the matched ground truth's centre in cell units minus the
/// cell's column / row (the target of sigmoid(tx), sigmoid(ty)) and log(gt size / anchor size) (the target of
/// tw, th), 0 where not positive; Boxes (N, A, H, W, 4) = the matched ground truth in xyxy pixels (the anchor's
/// own box where not positive, so a GIoU of it is finite); Classes (int64) = the matched class, -1 where not positive.
/// </summary>
public sealed record YoloTargets(Tensor Labels, Tensor Offsets, Tensor Boxes, Tensor Classes)
{
    /// <summary>The objectness target: 1 on positives, 0 elsewhere (float, the Offsets' dtype).</summary>
    public Tensor Objectness => F.Eq(Labels.ConvertTo(Offsets.DType), 1.0).ConvertTo(Offsets.DType);

    /// <summary>Anchors counted in the box and class terms (the positives), bool.</summary>
    public Tensor BoxMask => F.Eq(Labels.ConvertTo(Offsets.DType), 1.0);

    /// <summary>Anchors counted in the objectness term (positives and background, not the ignored), bool.</summary>
    public Tensor ObjectnessMask => F.Ne(Labels.ConvertTo(Offsets.DType), -1.0);
}

public static partial class F
{
    /// <summary>
    /// Labels every anchor of an H x W grid for the ground truths of each image (the lecture's rule, Faster R-CNN's
    /// RPN assignment, on YOLOv3's grid). Anchor a at cell (i, j) is the box of size anchors[a] (pixels) centred at
    /// the cell centre ((j + 0.5) stride, (i + 0.5) stride); IoU is box_iou's between it and each ground truth
    /// (xyxy pixels). An anchor is positive if its IoU with some ground truth is &gt; posIou, or if it is the anchor
    /// a ground truth owns (below); background if it is not positive and its best IoU is &lt; negIou; else ignored.
    /// <para>Ownership: every ground truth owns exactly one anchor, no anchor is owned twice. Pairs are taken
    /// greedily by decreasing IoU (ties: nearer anchor centre, then lower anchor index (a, i, j) row-major, then
    /// the smaller box by (x1, y1, x2, y2, class)), so each ground truth owns its best-matching anchor unless a
    /// better-matching ground truth took it first, and then its best free one. For one anchor shape IoU falls
    /// with the distance of the centres, so the best anchor lies in the cell containing the box centre.</para>
    /// <para>Each positive anchor regresses one ground truth: the one it is owned by, else its highest-IoU one
    /// (ties by the same box order). Every rule depends on the boxes, never their order, so the targets are
    /// invariant to permutations of the ground truths. With posIou = 1 only the owned anchors are positive
    /// (YOLOv3's one prior per object). Positive anchors outside the centre's cell have tx*, ty* outside [0, 1).</para>
    /// A host algorithm (copies the boxes to the host); targets come back in the anchors' dtype and device.
    /// Ground truths must have x2 &gt; x1, y2 &gt; y1, classes in [0, numClasses) and centres inside the grid.
    /// </summary>
    public static YoloTargets YoloAssignTargets(IReadOnlyList<Tensor> gtBoxes, IReadOnlyList<Tensor> gtClasses, Tensor anchors,
        (int Height, int Width) gridSize, double stride, int numClasses, double posIou = 0.7, double negIou = 0.3)
    {
        const string op = "yolo_assign_targets";
        int a = CheckAnchors(op, anchors);
        var (h, w) = gridSize;
        if (h < 1 || w < 1) throw new ArgumentException($"{op}: gridSize must be positive, got ({h}, {w})");
        if (!(stride > 0) || double.IsInfinity(stride)) throw new ArgumentException($"{op}: stride must be positive and finite, got {stride}");
        if (numClasses < 1) throw new ArgumentException($"{op}: numClasses must be at least 1, got {numClasses}");
        if (!(negIou >= 0 && negIou <= posIou && posIou <= 1))
            throw new ArgumentException($"{op}: thresholds must satisfy 0 <= negIou <= posIou <= 1, got negIou {negIou} and posIou {posIou}");
        if (gtBoxes.Count == 0 || gtBoxes.Count != gtClasses.Count)
            throw new ArgumentException($"{op}: expected one gtBoxes and one gtClasses tensor per image, got {gtBoxes.Count} and {gtClasses.Count}");
        var grid = new AnchorGrid(anchors.ToDoubleArray(), a, h, w, stride);
        int n = gtBoxes.Count, k = grid.Count;
        var labels = new long[n * k];
        var classes = new long[n * k];
        var offsets = new double[n * k * 4];
        var boxes = new double[n * k * 4];
        for (int b = 0; b < n; b++)
        {
            var gts = ReadGroundTruths(op, gtBoxes[b], gtClasses[b], b, numClasses, grid);
            var assignment = YoloAssignment.Run(gts, grid, posIou, negIou);
            for (int q = 0; q < k; q++)
            {
                long r = (long)b * k + q;
                labels[r] = assignment.Labels[q];
                int g = assignment.Matched[q];
                var anchorBox = grid.Box(q);
                if (labels[r] != 1) { classes[r] = -1; anchorBox.CopyTo(boxes, r * 4); continue; }
                var gt = gts[g];
                classes[r] = gt.Class;
                var (ai, i, j) = grid.Split(q);
                offsets[r * 4] = gt.Cx / stride - j;
                offsets[r * 4 + 1] = gt.Cy / stride - i;
                offsets[r * 4 + 2] = Math.Log(gt.W / grid.AnchorW(ai));
                offsets[r * 4 + 3] = Math.Log(gt.H / grid.AnchorH(ai));
                boxes[r * 4] = gt.X1; boxes[r * 4 + 1] = gt.Y1; boxes[r * 4 + 2] = gt.X2; boxes[r * 4 + 3] = gt.Y2;
            }
        }
        var shape = new Shape(n, a, h, w);
        var shape4 = new Shape(n, a, h, w, 4);
        return new YoloTargets(
            Tensor.FromArray(labels, shape).ToDevice(anchors.Device),
            Tensor.FromDoubles(offsets, shape4, anchors.DType, anchors.Device),
            Tensor.FromDoubles(boxes, shape4, anchors.DType, anchors.Device),
            Tensor.FromArray(classes, shape).ToDevice(anchors.Device));
    }

    private static GroundTruth[] ReadGroundTruths(string op, Tensor boxes, Tensor classes, int image, int numClasses, AnchorGrid grid)
    {
        Check.Float(op, boxes, $"gtBoxes[{image}]");
        if (boxes.Rank != 2 || boxes.Shape[1] != 4)
            throw new ArgumentException($"{op}: gtBoxes[{image}] must have shape (G, 4) in xyxy pixels, got {boxes.Shape}");
        if (classes.DType != DType.Int64 || classes.Rank != 1 || classes.Shape[0] != boxes.Shape[0])
            throw new ArgumentException(
                $"{op}: gtClasses[{image}] must be int64 of shape ({boxes.Shape[0]}) to match gtBoxes[{image}] {boxes.Shape}, got {classes.DType.Name()} {classes.Shape}");
        int g = boxes.Shape[0];
        if (g > grid.Count)
            throw new ArgumentException($"{op}: image {image} has {g} ground truths but the grid has only {grid.Count} anchors; each needs its own");
        var v = boxes.ToDoubleArray();
        var c = classes.ToArray<long>();
        var result = new GroundTruth[g];
        for (int t = 0; t < g; t++)
        {
            var gt = new GroundTruth(v[4 * t], v[4 * t + 1], v[4 * t + 2], v[4 * t + 3], c[t]);
            if (!(gt.X2 > gt.X1 && gt.Y2 > gt.Y1) || !double.IsFinite(gt.W * gt.H))
                throw new ArgumentException(
                    $"{op}: ground truth {t} of image {image} must have x2 > x1 and y2 > y1 (finite), got ({gt.X1}, {gt.Y1}, {gt.X2}, {gt.Y2})");
            if (gt.Class < 0 || gt.Class >= numClasses)
                throw new ArgumentException($"{op}: class {gt.Class} of ground truth {t} of image {image} is out of range for {numClasses} classes");
            if (!(gt.Cx >= 0 && gt.Cx <= grid.WidthPx && gt.Cy >= 0 && gt.Cy <= grid.HeightPx))
                throw new ArgumentException(
                    $"{op}: ground truth {t} of image {image} has its centre ({gt.Cx}, {gt.Cy}) outside the grid of {grid.WidthPx} x {grid.HeightPx} pixels");
            result[t] = gt;
        }
        return result;
    }
}

internal readonly record struct GroundTruth(double X1, double Y1, double X2, double Y2, long Class)
{
    public double Cx => (X1 + X2) / 2;
    public double Cy => (Y1 + Y2) / 2;
    public double W => X2 - X1;
    public double H => Y2 - Y1;

    /// <summary>A total order on boxes that ignores their position in the list (for order-independent ties).</summary>
    public static int CompareBoxes(GroundTruth p, GroundTruth q)
    {
        int r = p.X1.CompareTo(q.X1);
        if (r == 0) r = p.Y1.CompareTo(q.Y1);
        if (r == 0) r = p.X2.CompareTo(q.X2);
        if (r == 0) r = p.Y2.CompareTo(q.Y2);
        return r != 0 ? r : p.Class.CompareTo(q.Class);
    }
}

/// <summary>The A x H x W anchor boxes of a grid, flat index q = (a * H + i) * W + j.</summary>
internal sealed class AnchorGrid(double[] anchors, int a, int h, int w, double stride)
{
    public int Count => a * h * w;
    public double WidthPx => w * stride;
    public double HeightPx => h * stride;
    public double AnchorW(int ai) => anchors[2 * ai];
    public double AnchorH(int ai) => anchors[2 * ai + 1];

    public (int A, int I, int J) Split(int q) => (q / (h * w), q / w % h, q % w);

    public (double Cx, double Cy) Centre(int q)
    {
        var (_, i, j) = Split(q);
        return ((j + 0.5) * stride, (i + 0.5) * stride);
    }

    private double[][]? _boxes;

    /// <summary>The anchor box (x1, y1, x2, y2) in pixels (computed once per grid; do not modify).</summary>
    public double[] Box(int q)
    {
        _boxes ??= Enumerable.Range(0, Count).Select(MakeBox).ToArray();
        return _boxes[q];
    }

    private double[] MakeBox(int q)
    {
        var (ai, _, _) = Split(q);
        var (cx, cy) = Centre(q);
        double hw = AnchorW(ai) / 2, hh = AnchorH(ai) / 2;
        return [cx - hw, cy - hh, cx + hw, cy + hh];
    }
}
