namespace Framework;

/// <summary>The detections of one image: Boxes (K, 4) xyxy pixels, Scores (K), Classes (K, int64), by decreasing score.</summary>
public sealed record YoloDetections(Tensor Boxes, Tensor Scores, Tensor Classes)
{
    public int Count => Scores.Shape[0];
}

public static partial class F
{
    /// <summary>
    /// Detections of a YOLO head output (N, A * (5 + C), H, W), one list entry per image: decode (<see cref="YoloDecode"/>),
    /// score = sigmoid(objectness) * max_c sigmoid(class logit c) with that c as the class (YOLOv3's class-specific
    /// confidence), keep scores &gt; scoreThreshold, per-class NMS (<see cref="BatchedNms"/>) at iouThreshold, then the
    /// maxDetections best. Runs without gradient; NMS and the filtering run on the host, results go back to the
    /// head's device in its dtype. Boxes are not clipped to the image (use <see cref="ClipBoxesToImage"/>).
    /// </summary>
    public static IReadOnlyList<YoloDetections> YoloPredict(Tensor headOutput, Tensor anchors, double stride,
        double scoreThreshold = 0.25, double iouThreshold = 0.45, int maxDetections = 300)
    {
        const string op = "yolo_predict";
        var (n, a, c, h, w) = CheckYoloHead(op, headOutput, anchors, stride);
        if (!(scoreThreshold >= 0 && scoreThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(scoreThreshold), scoreThreshold, $"{op}: scoreThreshold must be in [0, 1], got {scoreThreshold}");
        if (!(iouThreshold >= 0 && iouThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, $"{op}: iouThreshold must be in [0, 1], got {iouThreshold}");
        if (maxDetections < 0) throw new ArgumentException($"{op}: maxDetections must be non-negative, got {maxDetections}");
        double[] boxes, obj, cls;
        using (Autograd.NoGrad())
        {
            var d = YoloDecode(headOutput, anchors, stride);
            boxes = BoxConvert(d.Boxes, "cxcywh", "xyxy").ToDoubleArray();
            obj = Sigmoid(d.Objectness).ToDoubleArray();
            cls = Sigmoid(d.ClassLogits).ToDoubleArray();
        }
        int perImage = a * h * w;
        var result = new YoloDetections[n];
        for (int b = 0; b < n; b++)
        {
            var rows = new List<int>();
            var scores = new List<double>();
            var classes = new List<long>();
            for (int q = 0; q < perImage; q++)
            {
                int r = b * perImage + q;
                int best = 0;
                for (int k = 1; k < c; k++) if (cls[r * c + k] > cls[r * c + best]) best = k;
                double score = obj[r] * cls[r * c + best];
                if (!(score > scoreThreshold)) continue;
                rows.Add(r);
                scores.Add(score);
                classes.Add(best);
            }
            var candBoxes = new double[rows.Count * 4];
            for (int i = 0; i < rows.Count; i++) Array.Copy(boxes, rows[i] * 4, candBoxes, i * 4, 4);
            var boxT = Tensor.FromDoubles(candBoxes, new Shape(rows.Count, 4), headOutput.DType);
            var scoreT = Tensor.FromDoubles(scores.ToArray(), new Shape(rows.Count), headOutput.DType);
            var keep = BatchedNms(boxT, scoreT, Tensor.FromArray(classes.ToArray(), rows.Count), iouThreshold).ToArray<long>();
            var top = keep.Take(maxDetections).ToArray();
            var topBoxes = new double[top.Length * 4];
            for (int i = 0; i < top.Length; i++) Array.Copy(candBoxes, top[i] * 4, topBoxes, i * 4, 4);
            result[b] = new YoloDetections(
                Tensor.FromDoubles(topBoxes, new Shape(top.Length, 4), headOutput.DType, headOutput.Device),
                Tensor.FromDoubles(top.Select(i => scores[(int)i]).ToArray(), new Shape(top.Length), headOutput.DType, headOutput.Device),
                Tensor.FromArray(top.Select(i => classes[(int)i]).ToArray(), top.Length).ToDevice(headOutput.Device));
        }
        return result;
    }
}
