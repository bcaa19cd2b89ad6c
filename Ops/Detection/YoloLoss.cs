namespace Framework;

public static partial class F
{
    /// <summary>
    /// The YOLO training loss of a head output (N, A * (5 + C), H, W) against <see cref="YoloTargets"/>:
    /// <list type="bullet">
    /// <item>box, on positives: boxLoss "mse" = sum over (x, y, w, h) of (sigmoid(tx) - tx*)^2, (sigmoid(ty) - ty*)^2,
    /// (tw - tw*)^2, (th - th*)^2 (YOLOv3's offsets); "giou" = 1 - GIoU of the decoded box and the ground truth
    /// (generalized_box_iou_loss, eps 1e-7);</item>
    /// <item>objectness: binary_cross_entropy_with_logits against 1 on positives (weight objWeight) and 0 on
    /// background (weight noObjWeight); ignored anchors add nothing;</item>
    /// <item>class, on positives: binary_cross_entropy_with_logits of each class logit against the one-hot class, summed over C.</item>
    /// </list>
    /// reduction "sum" adds boxWeight * box + classWeight * class + objectness over all anchors; "mean" (default)
    /// averages the box and class terms over the positives and the objectness term over the counted anchors
    /// (positives and background), then weights and adds them (a term with no anchors is 0); "none" gives the
    /// per-anchor sum (N, A, H, W), 0 on ignored anchors. Only the rows of counted anchors are computed (an overflowing
    /// exp of an ignored anchor cannot reach the loss or its gradient). Differentiable w.r.t. the head output.
    /// </summary>
    public static Tensor YoloLoss(Tensor headOutput, Tensor anchors, double stride, YoloTargets targets, string boxLoss = "mse",
        string reduction = "mean", double boxWeight = 1, double objWeight = 1, double noObjWeight = 1, double classWeight = 1)
    {
        const string op = "yolo_loss";
        var (n, a, c, h, w) = CheckYoloHead(op, headOutput, anchors, stride);
        CheckTargets(op, targets, headOutput, n, a, h, w);
        if (boxLoss is not ("mse" or "giou")) throw new ArgumentException($"{op}: boxLoss must be 'mse' or 'giou', got '{boxLoss}'");
        if (reduction is not ("none" or "mean" or "sum"))
            throw new ArgumentException($"{op}: reduction must be 'none', 'mean' or 'sum', got '{reduction}'");
        foreach (var (name, v) in new[] { ("boxWeight", boxWeight), ("objWeight", objWeight), ("noObjWeight", noObjWeight), ("classWeight", classWeight) })
            if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentException($"{op}: {name} must be non-negative and finite, got {v}");

        var labels = targets.Labels.ToArray<long>();
        var classes = targets.Classes.ToArray<long>();
        var pos = new List<long>();
        var counted = new List<long>();
        for (int r = 0; r < labels.Length; r++)
        {
            if (labels[r] is < -1 or > 1)
                throw new ArgumentException($"{op}: targets.Labels must hold 1 (object), 0 (background) or -1 (ignored), got {labels[r]} at flat index {r}");
            if (labels[r] == 1) pos.Add(r);
            if (labels[r] != -1) counted.Add(r);
        }
        var device = headOutput.Device;
        var dtype = headOutput.DType;
        // (N * A * H * W, 5 + C): row r is anchor r of the flat (N, A, H, W) index, as the targets
        var rows = Reshape(Permute(Reshape(headOutput, n, a, 5 + c, h, w), 0, 1, 3, 4, 2), -1, 5 + c);

        Tensor? posTerm = null, objTerm = null;
        if (pos.Count > 0)
        {
            var posIdx = Tensor.FromArray(pos.ToArray(), pos.Count).ToDevice(device);
            var p = IndexSelect(rows, 0, posIdx);
            var box = boxLoss == "mse"
                ? Sum(Square(Sub(Cat([Sigmoid(Narrow(p, 1, 0, 2)), Narrow(p, 1, 2, 2)], 1), IndexSelect(Reshape(targets.Offsets, -1, 4), 0, posIdx))), 1)
                : GiouOfRows(p, pos, targets, anchors, a, h, w, stride, posIdx);
            var oneHot = new double[pos.Count * c];
            for (int i = 0; i < pos.Count; i++)
            {
                long cls = classes[pos[i]];
                if (cls < 0 || cls >= c)
                    throw new ArgumentException($"{op}: target class {cls} of positive anchor {pos[i]} is out of range for {c} classes");
                oneHot[i * c + cls] = 1;
            }
            var cls2 = Sum(BinaryCrossEntropyWithLogits(Narrow(p, 1, 5, c), Tensor.FromDoubles(oneHot, new Shape(pos.Count, c), dtype, device), reduction: "none"), 1);
            posTerm = reduction == "mean"
                ? Div(Add(Mul(box, boxWeight), Mul(cls2, classWeight)), pos.Count)
                : Add(Mul(box, boxWeight), Mul(cls2, classWeight));
        }
        if (counted.Count > 0)
        {
            var cntIdx = Tensor.FromArray(counted.ToArray(), counted.Count).ToDevice(device);
            var logits = Select(IndexSelect(rows, 0, cntIdx), 1, 4);
            var objTarget = counted.Select(r => labels[r] == 1 ? 1.0 : 0.0).ToArray();
            var weight = counted.Select(r => (labels[r] == 1 ? objWeight : noObjWeight) / (reduction == "mean" ? counted.Count : 1)).ToArray();
            var bce = BinaryCrossEntropyWithLogits(logits, Tensor.FromDoubles(objTarget, new Shape(counted.Count), dtype, device), reduction: "none");
            objTerm = Mul(bce, Tensor.FromDoubles(weight, new Shape(counted.Count), dtype, device));
        }

        if (reduction == "none")
        {
            Tensor total = Tensor.Zeros(new Shape(labels.Length), dtype, device);
            if (posTerm is not null) total = Add(total, Spread(posTerm, pos, labels.Length));
            if (objTerm is not null) total = Add(total, Spread(objTerm, counted, labels.Length));
            if (posTerm is null && objTerm is null) total = Add(total, Mul(Sum(headOutput), 0.0));
            return Reshape(total, n, a, h, w);
        }
        Tensor? sum = null;
        if (posTerm is not null) sum = Sum(posTerm);
        if (objTerm is not null) sum = sum is null ? Sum(objTerm) : Add(sum, Sum(objTerm));
        return sum ?? Mul(Sum(headOutput), 0.0);
    }

    /// <summary>1 - GIoU of the decoded positive rows against their ground-truth boxes.</summary>
    private static Tensor GiouOfRows(Tensor p, List<long> pos, YoloTargets targets, Tensor anchors, int a, int h, int w, double stride, Tensor posIdx)
    {
        var cell = new double[pos.Count * 2];
        var anchorIdx = new long[pos.Count];
        for (int i = 0; i < pos.Count; i++)
        {
            long q = pos[i] % ((long)a * h * w);
            anchorIdx[i] = q / (h * w);
            cell[2 * i] = q % w;
            cell[2 * i + 1] = q / w % h;
        }
        var device = p.Device;
        var cellT = Tensor.FromDoubles(cell, new Shape(pos.Count, 2), p.DType, device);
        var anchorWh = IndexSelect(anchors, 0, Tensor.FromArray(anchorIdx, pos.Count).ToDevice(device));
        var decoded = DecodeBoxes(Narrow(p, 1, 0, 2), Narrow(p, 1, 2, 2), cellT, anchorWh, stride);
        var gt = IndexSelect(Reshape(targets.Boxes, -1, 4), 0, posIdx);
        return PairedGiouLoss(CxcywhToXyxy(decoded), gt, 1e-7);
    }

    /// <summary>A length-n vector with values[i] at index rows[i] and 0 elsewhere, differentiable w.r.t. values.</summary>
    private static Tensor Spread(Tensor values, List<long> rows, int n)
    {
        // gather from [0, values...]: the unpicked entries read the constant 0, so they pass no gradient on
        var map = new long[n];
        for (int i = 0; i < rows.Count; i++) map[rows[i]] = i + 1;
        var padded = Cat([Tensor.Zeros(new Shape(1), values.DType, values.Device), values], 0);
        return IndexSelect(padded, 0, Tensor.FromArray(map, n).ToDevice(values.Device));
    }

    private static void CheckTargets(string op, YoloTargets t, Tensor head, int n, int a, int h, int w)
    {
        var shape = new Shape(n, a, h, w);
        var shape4 = new Shape(n, a, h, w, 4);
        if (t.Labels.Shape != shape || t.Labels.DType != DType.Int64 || t.Classes.Shape != shape || t.Classes.DType != DType.Int64)
            throw new ArgumentException(
                $"{op}: targets.Labels and targets.Classes must be int64 {shape} for headOutput {head.Shape}, got {t.Labels.DType.Name()} {t.Labels.Shape} and {t.Classes.DType.Name()} {t.Classes.Shape}");
        if (t.Offsets.Shape != shape4 || t.Boxes.Shape != shape4)
            throw new ArgumentException($"{op}: targets.Offsets and targets.Boxes must be {shape4} for headOutput {head.Shape}, got {t.Offsets.Shape} and {t.Boxes.Shape}");
        Check.SameDTypeAndDevice(op, head, t.Offsets);
        Check.SameDTypeAndDevice(op, head, t.Boxes);
        Tensor.CheckSameDevice(op, head, t.Labels);
        Tensor.CheckSameDevice(op, head, t.Classes);
    }
}
