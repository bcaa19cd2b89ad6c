namespace Framework;

/// <summary>
/// A YOLOv3 head's output decoded per anchor: Boxes (N, A, H, W, 4) as (cx, cy, w, h) in pixels, Objectness
/// (N, A, H, W) logits, ClassLogits (N, A, H, W, C).
/// </summary>
public sealed record YoloDecoded(Tensor Boxes, Tensor Objectness, Tensor ClassLogits);

public static partial class F
{
    /// <summary>
    /// Decodes a YOLOv3 head (N, A * (5 + C), H, W) (YOLOv3, Redmon and Farhadi 2018, section 2.1). The channels
    /// of anchor a are a * (5 + C) + [tx, ty, tw, th, objectness, class 0 .. C-1] (darknet's layout). With the cell
    /// (i = row, j = column), anchors (A, 2) holding (width, height) in pixels and stride the cell size in pixels:
    /// cx = (sigmoid(tx) + j) * stride, cy = (sigmoid(ty) + i) * stride, w = anchor_w * exp(tw), h = anchor_h * exp(th).
    /// A composite of primitive ops: differentiable w.r.t. the head output (and the anchors), on every device.
    /// </summary>
    public static YoloDecoded YoloDecode(Tensor headOutput, Tensor anchors, double stride)
    {
        var (n, a, c, h, w) = CheckYoloHead("yolo_decode", headOutput, anchors, stride);
        var x = Permute(Reshape(headOutput, n, a, 5 + c, h, w), 0, 1, 3, 4, 2);   // (N, A, H, W, 5 + C)
        var cells = CellIndices(h, w, headOutput.DType, headOutput.Device);       // (H, W, 2) as (j, i)
        var boxes = DecodeBoxes(Narrow(x, 4, 0, 2), Narrow(x, 4, 2, 2), cells, Reshape(anchors, 1, a, 1, 1, 2), stride);
        return new YoloDecoded(boxes, Select(x, 4, 4), Narrow(x, 4, 5, c));
    }

    /// <summary>(cx, cy, w, h) = ((sigmoid(txy) + cell) * stride, anchor * exp(twh)), broadcasting cell and anchor.</summary>
    internal static Tensor DecodeBoxes(Tensor txy, Tensor twh, Tensor cellXY, Tensor anchorWH, double stride) =>
        Cat([Mul(Add(Sigmoid(txy), cellXY), stride), Mul(Exp(twh), anchorWH)], -1);

    /// <summary>(H, W, 2): at [i, j] the pair (j, i), the cell's column and row.</summary>
    internal static Tensor CellIndices(int h, int w, DType dtype, Device device)
    {
        var v = new double[h * w * 2];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                v[(i * w + j) * 2] = j;
                v[(i * w + j) * 2 + 1] = i;
            }
        return Tensor.FromDoubles(v, new Shape(h, w, 2), dtype, device);
    }

    /// <summary>Checks a head output against its anchors; returns (N, A, C, H, W).</summary>
    internal static (int N, int A, int C, int H, int W) CheckYoloHead(string op, Tensor head, Tensor anchors, double stride)
    {
        Check.Float(op, head, "headOutput");
        if (head.Rank != 4)
            throw new ArgumentException($"{op}: headOutput must be 4-D (N, A * (5 + C), H, W), got {head.Shape}");
        int a = CheckAnchors(op, anchors);
        Check.SameDTypeAndDevice(op, head, anchors);
        int ch = head.Shape[1];
        if (ch % a != 0 || ch / a < 6)
            throw new ArgumentException(
                $"{op}: headOutput {head.Shape} has {ch} channels, expected A * (5 + C) with A = {a} anchors ({anchors.Shape}) and C >= 1 classes");
        if (head.Shape[2] == 0 || head.Shape[3] == 0 || head.Shape[0] == 0)
            throw new ArgumentException($"{op}: headOutput {head.Shape} must have a non-empty batch and grid");
        if (!(stride > 0) || double.IsInfinity(stride)) throw new ArgumentException($"{op}: stride must be positive and finite, got {stride}");
        return (head.Shape[0], a, ch / a - 5, head.Shape[2], head.Shape[3]);
    }

    /// <summary>Anchors must be (A, 2) of positive finite (width, height); returns A.</summary>
    internal static int CheckAnchors(string op, Tensor anchors)
    {
        Check.Float(op, anchors, "anchors");
        if (anchors.Rank != 2 || anchors.Shape[1] != 2 || anchors.Shape[0] == 0)
            throw new ArgumentException($"{op}: anchors must have shape (A, 2) of (width, height) with A >= 1, got {anchors.Shape}");
        foreach (var v in anchors.ToDoubleArray())
            if (!(v > 0) || double.IsInfinity(v))
                throw new ArgumentException($"{op}: anchor sizes must be positive and finite, got {v} in anchors {anchors.Shape}");
        return anchors.Shape[0];
    }
}
