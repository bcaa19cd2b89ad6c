namespace Framework.Examples;

/// <summary>An axis-aligned box (x1, y1, x2, y2) in pixels (torchvision's xyxy, continuous coordinates).</summary>
public readonly record struct Box(double X1, double Y1, double X2, double Y2)
{
    public double Area => Math.Max(0, X2 - X1) * Math.Max(0, Y2 - Y1);

    /// <summary>Intersection over union (box_iou's, without VOC's "+1 pixel" convention); 0 when both are empty.</summary>
    public double Iou(Box o)
    {
        double inter = Math.Max(0, Math.Min(X2, o.X2) - Math.Max(X1, o.X1)) * Math.Max(0, Math.Min(Y2, o.Y2) - Math.Max(Y1, o.Y1));
        double union = Area + o.Area - inter;
        return union > 0 ? inter / union : 0;
    }
}

/// <summary>A ground-truth object of image <paramref name="Image"/>.</summary>
public readonly record struct TruthBox(int Image, int Class, Box Box);

/// <summary>A detection in image <paramref name="Image"/> with its confidence.</summary>
public readonly record struct DetectionBox(int Image, int Class, double Score, Box Box);

/// <summary>Average precision per class and its mean over classes.</summary>
/// <param name="PerClass">AP of each class; NaN for a class with no ground truth (left out of the mean).</param>
/// <param name="Mean">mAP: the mean AP over the classes that have ground truth (NaN when none has).</param>
public sealed record MapResult(double[] PerClass, double Mean);

/// <summary>
/// PASCAL VOC's detection metric (Everingham et al. 2010; devkit voc_eval, use_07_metric = False), written out:
/// <list type="number">
/// <item>for each class, take every detection of that class over all images, sorted by decreasing score (equal
/// scores keep their given order);</item>
/// <item>in that order, each detection looks at the ground truths of its class in its image and takes the one of
/// highest IoU; if that IoU is at least the threshold (0.5) and that ground truth is not matched yet, the detection
/// is a true positive and the ground truth is now matched; otherwise (too little overlap, or its best ground truth
/// already found by a higher-scoring detection: a duplicate) it is a false positive;</item>
/// <item>after the k-th detection, precision = TP(k) / k and recall = TP(k) / (ground truths of the class);</item>
/// <item>AP = the area under the precision-recall curve made monotone ("all-point interpolation"): precision at
/// recall r is replaced by the best precision at any recall &gt;= r, and the area is summed over the recall steps,
/// AP = sum over k of (r_k - r_(k-1)) * max_(j &gt;= k) p_j.</item>
/// </list>
/// Classes with no ground truth have no AP; classes with ground truth but no detections have AP 0.
/// </summary>
public static class MeanAveragePrecision
{
    public static MapResult Compute(IReadOnlyList<DetectionBox> detections, IReadOnlyList<TruthBox> truths, int numClasses, double iouThreshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(truths);
        if (numClasses < 1) throw new ArgumentException($"MeanAveragePrecision: numClasses must be at least 1, got {numClasses}");
        if (!(iouThreshold > 0 && iouThreshold <= 1)) throw new ArgumentException($"MeanAveragePrecision: iouThreshold must be in (0, 1], got {iouThreshold}");
        foreach (var c in detections.Select(d => d.Class).Concat(truths.Select(t => t.Class)))
            if (c < 0 || c >= numClasses) throw new ArgumentException($"MeanAveragePrecision: class {c} is out of range for {numClasses} classes");
        var perClass = new double[numClasses];
        for (int c = 0; c < numClasses; c++)
            perClass[c] = AveragePrecision(detections.Where(d => d.Class == c).ToList(), truths.Where(t => t.Class == c).ToList(), iouThreshold);
        var withTruth = perClass.Where(ap => !double.IsNaN(ap)).ToArray();
        return new MapResult(perClass, withTruth.Length == 0 ? double.NaN : withTruth.Average());
    }

    /// <summary>AP of one class's detections against that class's ground truths (steps 1-4 above); NaN when there are no ground truths.</summary>
    public static double AveragePrecision(IReadOnlyList<DetectionBox> detections, IReadOnlyList<TruthBox> truths, double iouThreshold = 0.5)
    {
        if (truths.Count == 0) return double.NaN;
        var (precision, recall) = PrecisionRecall(detections, truths, iouThreshold);
        return InterpolatedArea(precision, recall);
    }

    /// <summary>Precision and recall after each detection in decreasing-score order, with VOC's greedy matching.</summary>
    public static (double[] Precision, double[] Recall) PrecisionRecall(IReadOnlyList<DetectionBox> detections, IReadOnlyList<TruthBox> truths, double iouThreshold = 0.5)
    {
        var byImage = truths.GroupBy(t => t.Image).ToDictionary(g => g.Key, g => g.Select(t => t.Box).ToArray());
        var matched = byImage.ToDictionary(kv => kv.Key, kv => new bool[kv.Value.Length]);
        var ordered = detections.OrderByDescending(d => d.Score).ToList();   // a stable sort: ties keep their order
        var precision = new double[ordered.Count];
        var recall = new double[ordered.Count];
        int tp = 0;
        for (int k = 0; k < ordered.Count; k++)
        {
            var d = ordered[k];
            if (byImage.TryGetValue(d.Image, out var boxes))
            {
                int best = -1;
                double bestIou = double.NegativeInfinity;
                for (int t = 0; t < boxes.Length; t++)
                {
                    double iou = d.Box.Iou(boxes[t]);
                    if (iou > bestIou) { best = t; bestIou = iou; }
                }
                if (bestIou >= iouThreshold && !matched[d.Image][best])
                {
                    matched[d.Image][best] = true;
                    tp++;
                }
            }
            precision[k] = tp / (double)(k + 1);
            recall[k] = tp / (double)truths.Count;
        }
        return (precision, recall);
    }

    /// <summary>
    /// The all-point interpolated area: with sentinels recall 0 .. 1 and precision 0 .. 0, make precision
    /// non-increasing from the right (p_k = max(p_k, p_(k+1))), then add (r_k - r_(k-1)) * p_k wherever recall rises.
    /// </summary>
    public static double InterpolatedArea(IReadOnlyList<double> precision, IReadOnlyList<double> recall)
    {
        if (precision.Count != recall.Count) throw new ArgumentException($"MeanAveragePrecision: {precision.Count} precisions but {recall.Count} recalls");
        int n = precision.Count;
        var p = new double[n + 2];
        var r = new double[n + 2];
        for (int k = 0; k < n; k++) { p[k + 1] = precision[k]; r[k + 1] = recall[k]; }
        r[n + 1] = 1;   // VOC's sentinels: (recall 1, precision 0) at the end
        for (int k = n; k >= 0; k--) p[k] = Math.Max(p[k], p[k + 1]);
        double area = 0;
        for (int k = 1; k <= n + 1; k++)
            if (r[k] != r[k - 1]) area += (r[k] - r[k - 1]) * p[k];
        return area;
    }
}
