namespace Framework.Models;

/// <summary>
/// A YOLOv3-style detection head (Redmon and Farhadi 2018): a 1x1 convolution turning a feature map
/// (N, inChannels, H, W) into A x (5 + C) channels per cell, darknet's layout a * (5 + C) + [tx, ty, tw, th,
/// objectness, class 0 .. C-1] for anchor a. Each cell of the coarse grid predicts, for each of its A anchor boxes,
/// the box's centre offset inside the cell, its size relative to the anchor, an objectness logit and class logits.
/// <para>The head holds its anchors (A, 2) as (width, height) in input pixels (buffer "anchors", so it follows
/// <c>.To(dtype)</c>, <c>.To(device)</c> and the state dict) and its stride, the input pixels per grid cell.
/// State-dict keys: conv.weight, conv.bias, anchors.</para>
/// <code>
/// var head = new YoloHead(64, numClasses: 3, anchors: [(12, 12), (20, 20)], stride: 8);
/// var raw = head.Forward(features);                          // (N, A * (5 + C), H, W)
/// var loss = head.Loss(raw, gtBoxes, gtClasses);             // assign targets, then the YOLO loss
/// var detections = head.Predict(raw, scoreThreshold: 0.3);   // decode, threshold, per-class NMS
/// </code>
/// </summary>
public sealed class YoloHead : Module
{
    /// <param name="inChannels">channels of the feature map the head reads</param>
    /// <param name="numClasses">C, the number of object classes (at least 1)</param>
    /// <param name="anchors">the A anchor boxes' (width, height) in input pixels</param>
    /// <param name="stride">input pixels per grid cell (the backbone's total downsampling)</param>
    /// <param name="objectnessPrior">when given, the objectness biases start at logit(prior), so the untrained head
    /// predicts "object" with that probability (RetinaNet's prior initialisation, section 4.1: with most anchors
    /// background, a small prior such as 0.01 keeps the first steps from being swamped by the background loss)</param>
    public YoloHead(int inChannels, int numClasses, IReadOnlyList<(double Width, double Height)> anchors, double stride, double? objectnessPrior = null)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (inChannels < 1) throw new ArgumentException($"YoloHead: inChannels must be at least 1, got {inChannels}");
        if (numClasses < 1) throw new ArgumentException($"YoloHead: numClasses must be at least 1, got {numClasses}");
        if (anchors.Count == 0) throw new ArgumentException("YoloHead: needs at least one anchor");
        foreach (var (w, h) in anchors)
            if (!(w > 0 && h > 0) || double.IsInfinity(w) || double.IsInfinity(h))
                throw new ArgumentException($"YoloHead: anchor sizes must be positive and finite, got ({w}, {h})");
        if (!(stride > 0) || double.IsInfinity(stride)) throw new ArgumentException($"YoloHead: stride must be positive and finite, got {stride}");
        if (objectnessPrior is { } p && !(p > 0 && p < 1)) throw new ArgumentException($"YoloHead: objectnessPrior must be in (0, 1), got {p}");
        InChannels = inChannels;
        NumClasses = numClasses;
        NumAnchors = anchors.Count;
        Stride = stride;
        _conv = RegisterModule("conv", new Conv2d(inChannels, NumAnchors * (5 + numClasses), 1));
        RegisterBuffer("anchors", Tensor.FromArray(anchors.SelectMany(a => new[] { (float)a.Width, (float)a.Height }).ToArray(), new Shape(NumAnchors, 2)));
        if (objectnessPrior is { } prior)
        {
            // channel a * (5 + C) + 4 is anchor a's objectness
            var bias = _conv.Bias!.AsSpan<float>();
            for (int a = 0; a < NumAnchors; a++) bias[a * (5 + numClasses) + 4] = (float)Math.Log(prior / (1 - prior));
        }
    }

    [SkipRegistration] private readonly Conv2d _conv;   // registered as "conv" above

    public int InChannels { get; }
    public int NumClasses { get; }
    public int NumAnchors { get; }
    public double Stride { get; }
    /// <summary>The 1x1 convolution (inChannels -> A * (5 + C)).</summary>
    public Conv2d Conv => _conv;

    /// <summary>The anchors (A, 2) as (width, height) in pixels, in the head's dtype and device.</summary>
    public Tensor Anchors => GetBuffer("anchors")!;

    /// <summary>The raw head output (N, A * (5 + C), H, W) of a feature map (N, inChannels, H, W).</summary>
    public override Tensor Forward(Tensor features)
    {
        if (features.Rank != 4 || features.Shape[1] != InChannels)
            throw new ArgumentException($"YoloHead: expected features of shape (N, {InChannels}, H, W), got {features.Shape}");
        return _conv.Forward(features);
    }

    /// <summary>Boxes (cx, cy, w, h) in pixels, objectness and class logits per anchor (<see cref="F.YoloDecode"/>); differentiable.</summary>
    public YoloDecoded Decode(Tensor head)
    {
        CheckHead(head);
        return F.YoloDecode(head, Anchors, Stride);
    }

    /// <summary>
    /// Labels every anchor of the head's grid for the ground truths of each image (<see cref="F.YoloAssignTargets"/>):
    /// gtBoxes[n] (objects, 4) xyxy pixels, gtClasses[n] (objects) int64; IoU &gt; posIou is an object, the best anchor
    /// of every ground truth is an object, below negIou is background, the rest are ignored.
    /// </summary>
    public YoloTargets AssignTargets(Tensor head, IReadOnlyList<Tensor> gtBoxes, IReadOnlyList<Tensor> gtClasses, double posIou = 0.7, double negIou = 0.3)
    {
        CheckHead(head);
        return F.YoloAssignTargets(gtBoxes, gtClasses, Anchors, (head.Shape[2], head.Shape[3]), Stride, NumClasses, posIou, negIou);
    }

    /// <summary>The YOLO loss of a head output against assigned targets (<see cref="F.YoloLoss"/>, same options and defaults).</summary>
    public Tensor Loss(Tensor head, YoloTargets targets, string boxLoss = "mse", string reduction = "mean",
        double boxWeight = 1, double objWeight = 1, double noObjWeight = 1, double classWeight = 1)
    {
        CheckHead(head);
        return F.YoloLoss(head, Anchors, Stride, targets, boxLoss, reduction, boxWeight, objWeight, noObjWeight, classWeight);
    }

    /// <summary>Assigns targets for the ground truths (<see cref="AssignTargets"/>), then the YOLO loss (<see cref="F.YoloLoss"/>).</summary>
    public Tensor Loss(Tensor head, IReadOnlyList<Tensor> gtBoxes, IReadOnlyList<Tensor> gtClasses, double posIou = 0.7, double negIou = 0.3,
        string boxLoss = "mse", string reduction = "mean", double boxWeight = 1, double objWeight = 1, double noObjWeight = 1, double classWeight = 1) =>
        Loss(head, AssignTargets(head, gtBoxes, gtClasses, posIou, negIou), boxLoss, reduction, boxWeight, objWeight, noObjWeight, classWeight);

    /// <summary>Detections per image: decode, score = objectness x best class probability, threshold, per-class NMS (<see cref="F.YoloPredict"/>).</summary>
    public IReadOnlyList<YoloDetections> Predict(Tensor head, double scoreThreshold = 0.25, double iouThreshold = 0.45, int maxDetections = 300)
    {
        CheckHead(head);
        return F.YoloPredict(head, Anchors, Stride, scoreThreshold, iouThreshold, maxDetections);
    }

    /// <summary>A head output of another head (other anchors or classes) would decode silently wrong: refuse it.</summary>
    private void CheckHead(Tensor head)
    {
        ArgumentNullException.ThrowIfNull(head);
        int channels = NumAnchors * (5 + NumClasses);
        if (head.Rank != 4 || head.Shape[1] != channels)
            throw new ArgumentException(
                $"YoloHead: expected a head output of shape (N, {channels}, H, W) for {NumAnchors} anchors and {NumClasses} classes, got {head.Shape}");
    }

    protected override string ExtraRepr() => $"num_anchors={NumAnchors}, num_classes={NumClasses}, stride={Py.Float(Stride)}";
}
