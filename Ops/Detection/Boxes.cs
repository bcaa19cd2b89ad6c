namespace Framework;

/// <summary>
/// Box utilities with torchvision.ops' semantics (box_convert, box_area, clip_boxes_to_image, remove_small_boxes,
/// box_iou, generalized_box_iou, generalized_box_iou_loss). Boxes are rows of 4 coordinates; "xyxy" is
/// (x1, y1, x2, y2), "xywh" is (x1, y1, w, h), "cxcywh" is (cx, cy, w, h). The float-valued ops are composites
/// of primitive ops (so they are differentiable and run on every device those run on); the formulas follow
/// torchvision/ops/boxes.py line by line so float64 results agree with torchvision to rounding.
/// </summary>
public static partial class F
{
    private static readonly string[] BoxFormats = ["xyxy", "xywh", "cxcywh"];

    /// <summary>Converts boxes (..., 4) between "xyxy", "xywh" and "cxcywh" (torchvision.ops.box_convert).</summary>
    public static Tensor BoxConvert(Tensor boxes, string inFmt, string outFmt)
    {
        if (!BoxFormats.Contains(inFmt) || !BoxFormats.Contains(outFmt))
            throw new ArgumentException(
                $"box_convert: unsupported bounding box conversion from in_fmt '{inFmt}' to out_fmt '{outFmt}'; formats are xyxy, xywh, cxcywh");
        CheckBoxesLastDim("box_convert", boxes, "boxes");
        if (inFmt == outFmt) return Clone(boxes);
        var xyxy = inFmt switch
        {
            "xywh" => XywhToXyxy(boxes),
            "cxcywh" => CxcywhToXyxy(boxes),
            _ => boxes,
        };
        return outFmt switch
        {
            "xywh" => XyxyToXywh(xyxy),
            "cxcywh" => XyxyToCxcywh(xyxy),
            _ => xyxy,
        };
    }

    // (x, y, x + w, y + h)
    private static Tensor XywhToXyxy(Tensor b)
    {
        var (x, y, w, h) = Columns(b);
        return Stack([x, y, Add(x, w), Add(y, h)], -1);
    }

    // (cx - w/2, cy - h/2, cx + w/2, cy + h/2), written as torchvision: cx - 0.5 * w
    private static Tensor CxcywhToXyxy(Tensor b)
    {
        var (cx, cy, w, h) = Columns(b);
        Tensor halfW = Mul(w, 0.5), halfH = Mul(h, 0.5);
        return Stack([Sub(cx, halfW), Sub(cy, halfH), Add(cx, halfW), Add(cy, halfH)], -1);
    }

    private static Tensor XyxyToXywh(Tensor b)
    {
        var (x1, y1, x2, y2) = Columns(b);
        return Stack([x1, y1, Sub(x2, x1), Sub(y2, y1)], -1);
    }

    // ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)
    private static Tensor XyxyToCxcywh(Tensor b)
    {
        var (x1, y1, x2, y2) = Columns(b);
        return Stack([Div(Add(x1, x2), 2.0), Div(Add(y1, y2), 2.0), Sub(x2, x1), Sub(y2, y1)], -1);
    }

    private static (Tensor, Tensor, Tensor, Tensor) Columns(Tensor b) =>
        (Select(b, -1, 0), Select(b, -1, 1), Select(b, -1, 2), Select(b, -1, 3));

    /// <summary>Areas (x2 - x1) * (y2 - y1) of boxes (N, 4) in xyxy (torchvision.ops.box_area); negative for inverted boxes.</summary>
    public static Tensor BoxArea(Tensor boxes)
    {
        CheckBoxes("box_area", boxes, "boxes");
        return AreaOf(boxes);
    }

    private static Tensor AreaOf(Tensor b)
    {
        var (x1, y1, x2, y2) = Columns(b);
        return Mul(Sub(x2, x1), Sub(y2, y1));
    }

    /// <summary>
    /// Clamps x coordinates of boxes (..., 4) in xyxy into [0, width] and y coordinates into [0, height]
    /// (torchvision.ops.clip_boxes_to_image; size is (height, width) as there).
    /// </summary>
    public static Tensor ClipBoxesToImage(Tensor boxes, (int Height, int Width) size)
    {
        CheckBoxesLastDim("clip_boxes_to_image", boxes, "boxes");
        if (size.Height < 0 || size.Width < 0)
            throw new ArgumentException($"clip_boxes_to_image: size (height, width) must be non-negative, got ({size.Height}, {size.Width})");
        var (x1, y1, x2, y2) = Columns(boxes);
        double w = size.Width, h = size.Height;
        return Stack([Clamp(x1, 0, w), Clamp(y1, 0, h), Clamp(x2, 0, w), Clamp(y2, 0, h)], -1);
    }

    /// <summary>
    /// int64 indices (ascending) of the boxes (N, 4, xyxy) whose width and height are both at least minSize
    /// (torchvision.ops.remove_small_boxes). No gradient; the boxes are read on the host.
    /// </summary>
    public static Tensor RemoveSmallBoxes(Tensor boxes, double minSize)
    {
        CheckBoxes("remove_small_boxes", boxes, "boxes");
        if (double.IsNaN(minSize)) throw new ArgumentException("remove_small_boxes: minSize must not be NaN");
        var b = boxes.ToDoubleArray();
        var keep = new List<long>();
        for (int i = 0; i < boxes.Shape[0]; i++)
            if (b[4 * i + 2] - b[4 * i] >= minSize && b[4 * i + 3] - b[4 * i + 1] >= minSize) keep.Add(i);
        return Tensor.FromArray(keep.ToArray(), keep.Count).ToDevice(boxes.Device);
    }

    /// <summary>
    /// Pairwise intersection over union (N, M) of boxes1 (N, 4) and boxes2 (M, 4) in xyxy (torchvision.ops.box_iou):
    /// inter / (area1 + area2 - inter) with the intersection's sides clamped at 0. Inverted boxes (x2 &lt; x1) have
    /// negative areas and give what the formula gives, as in torchvision; two empty boxes give NaN (0 / 0).
    /// Differentiable (a composite), though torchvision's tests treat it as a metric.
    /// </summary>
    public static Tensor BoxIou(Tensor boxes1, Tensor boxes2)
    {
        CheckBoxPair("box_iou", boxes1, boxes2);
        var (inter, union) = InterUnion(boxes1, boxes2);
        return Div(inter, union);
    }

    /// <summary>
    /// Pairwise generalized IoU (N, M) of boxes1 (N, 4) and boxes2 (M, 4) in xyxy (torchvision.ops.generalized_box_iou):
    /// iou - (C - union) / C with C the area of the smallest enclosing box. Differentiable w.r.t. both box sets.
    /// </summary>
    public static Tensor GeneralizedBoxIou(Tensor boxes1, Tensor boxes2)
    {
        CheckBoxPair("generalized_box_iou", boxes1, boxes2);
        var (inter, union) = InterUnion(boxes1, boxes2);
        var iou = Div(inter, union);
        var lti = Minimum(Unsqueeze(Narrow(boxes1, 1, 0, 2), 1), Narrow(boxes2, 1, 0, 2));
        var rbi = Maximum(Unsqueeze(Narrow(boxes1, 1, 2, 2), 1), Narrow(boxes2, 1, 2, 2));
        var whi = Clamp(Sub(rbi, lti), min: 0);
        var areai = Mul(Select(whi, 2, 0), Select(whi, 2, 1));
        return Sub(iou, Div(Sub(areai, union), areai));
    }

    /// <summary>torchvision's _box_inter_union: (N, M) intersections and unions.</summary>
    private static (Tensor Inter, Tensor Union) InterUnion(Tensor boxes1, Tensor boxes2)
    {
        var area1 = AreaOf(boxes1);
        var area2 = AreaOf(boxes2);
        var lt = Maximum(Unsqueeze(Narrow(boxes1, 1, 0, 2), 1), Narrow(boxes2, 1, 0, 2));
        var rb = Minimum(Unsqueeze(Narrow(boxes1, 1, 2, 2), 1), Narrow(boxes2, 1, 2, 2));
        var wh = Clamp(Sub(rb, lt), min: 0);
        var inter = Mul(Select(wh, 2, 0), Select(wh, 2, 1));
        var union = Sub(Add(Unsqueeze(area1, 1), area2), inter);
        return (inter, union);
    }

    /// <summary>
    /// 1 - GIoU of matching boxes (..., 4) in xyxy, elementwise (torchvision.ops.generalized_box_iou_loss):
    /// iou = inter / (union + eps), giou = iou - (C - union) / (C + eps). reduction "none" (default, as
    /// torchvision), "mean" (0 for no boxes) or "sum". Boxes with x2 &lt; x1 or y2 &lt; y1 are refused.
    /// </summary>
    public static Tensor GeneralizedBoxIouLoss(Tensor boxes1, Tensor boxes2, string reduction = "none", double eps = 1e-7)
    {
        const string op = "generalized_box_iou_loss";
        CheckBoxesLastDim(op, boxes1, "boxes1");
        CheckBoxesLastDim(op, boxes2, "boxes2");
        if (boxes1.Shape != boxes2.Shape)
            throw new ArgumentException($"{op}: boxes1 {boxes1.Shape} and boxes2 {boxes2.Shape} must have the same shape");
        Check.SameDTypeAndDevice(op, boxes1, boxes2);
        if (reduction is not ("none" or "mean" or "sum"))
            throw new ArgumentException($"{op}: reduction must be 'none', 'mean' or 'sum', got '{reduction}'");
        RefuseInverted(op, boxes1, "boxes1");
        RefuseInverted(op, boxes2, "boxes2");
        var loss = PairedGiouLoss(boxes1, boxes2, eps);
        if (reduction == "mean" && loss.Numel == 0) return Mul(Sum(loss), 0.0);
        return Reduce(op, loss, reduction);
    }

    /// <summary>The elementwise GIoU loss of torchvision (fvcore) on boxes already checked.</summary>
    internal static Tensor PairedGiouLoss(Tensor boxes1, Tensor boxes2, double eps)
    {
        var (x1, y1, x2, y2) = Columns(boxes1);
        var (x1g, y1g, x2g, y2g) = Columns(boxes2);
        Tensor xkis1 = Maximum(x1, x1g), ykis1 = Maximum(y1, y1g), xkis2 = Minimum(x2, x2g), ykis2 = Minimum(y2, y2g);
        // intersection only where the boxes overlap in both axes (torchvision's masked assignment)
        var inter = Where(Gt(ykis2, ykis1), Where(Gt(xkis2, xkis1), Mul(Sub(xkis2, xkis1), Sub(ykis2, ykis1)), 0.0), 0.0);
        var union = Sub(Add(Mul(Sub(x2, x1), Sub(y2, y1)), Mul(Sub(x2g, x1g), Sub(y2g, y1g))), inter);
        var iou = Div(inter, Add(union, eps));
        Tensor xc1 = Minimum(x1, x1g), yc1 = Minimum(y1, y1g), xc2 = Maximum(x2, x2g), yc2 = Maximum(y2, y2g);
        var areaC = Mul(Sub(xc2, xc1), Sub(yc2, yc1));
        var giou = Sub(iou, Div(Sub(areaC, union), Add(areaC, eps)));
        return Sub(1.0, giou);
    }

    private static void RefuseInverted(string op, Tensor boxes, string what)
    {
        var b = boxes.ToDoubleArray();
        for (int i = 0; i + 3 < b.Length; i += 4)
        {
            if (b[i + 2] < b[i]) throw new ArgumentException($"{op}: bad box in {what} {boxes.Shape}: x1 {b[i]} larger than x2 {b[i + 2]} at row {i / 4}");
            if (b[i + 3] < b[i + 1]) throw new ArgumentException($"{op}: bad box in {what} {boxes.Shape}: y1 {b[i + 1]} larger than y2 {b[i + 3]} at row {i / 4}");
        }
    }

    /// <summary>Boxes must be a float (N, 4) tensor.</summary>
    internal static void CheckBoxes(string op, Tensor boxes, string what)
    {
        Check.Float(op, boxes, what);
        if (boxes.Rank != 2 || boxes.Shape[1] != 4)
            throw new ArgumentException($"{op}: {what} must have shape (N, 4), got {boxes.Shape}");
    }

    private static void CheckBoxesLastDim(string op, Tensor boxes, string what)
    {
        Check.Float(op, boxes, what);
        if (boxes.Rank < 1 || boxes.Shape[^1] != 4)
            throw new ArgumentException($"{op}: {what} must have shape (..., 4), got {boxes.Shape}");
    }

    private static void CheckBoxPair(string op, Tensor boxes1, Tensor boxes2)
    {
        CheckBoxes(op, boxes1, "boxes1");
        CheckBoxes(op, boxes2, "boxes2");
        Check.SameDTypeAndDevice(op, boxes1, boxes2);
    }
}
