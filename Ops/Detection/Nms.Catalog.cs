using CsCheck;

namespace Framework.Tests;

public static partial class Catalog
{
    /// <summary>
    /// Whether no IoU between two of the boxes lies within gap of the threshold (there float32 and float64
    /// may decide differently, so the precision and device checks would compare different, both right, answers).
    /// </summary>
    public static bool IousAwayFrom(double[] boxes, double threshold, double gap = 1e-4)
    {
        int n = boxes.Length / 4;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double w = Math.Max(0, Math.Min(boxes[4 * i + 2], boxes[4 * j + 2]) - Math.Max(boxes[4 * i], boxes[4 * j]));
                double h = Math.Max(0, Math.Min(boxes[4 * i + 3], boxes[4 * j + 3]) - Math.Max(boxes[4 * i + 1], boxes[4 * j + 1]));
                double inter = w * h;
                double ai = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
                double aj = (boxes[4 * j + 2] - boxes[4 * j]) * (boxes[4 * j + 3] - boxes[4 * j + 1]);
                if (Math.Abs(inter / (ai + aj - inter) - threshold) < gap) return false;
            }
        return true;
    }

    /// <summary>Boxes on a small canvas (many overlaps), scores from few levels (many ties), a threshold from [0, 1].</summary>
    private static Gen<(double[] Boxes, double[] Scores, double Threshold)> NmsCase(int maxN) =>
        (from n in Gen.Int[0, maxN]
         from v in Gen.Int[0, 4 << 4].Array[2 * n]
         from s in Gen.Int[1 << 3, 4 << 4].Array[2 * n]
         from scores in Gen.Int[0, 4].Array[n]
         from thr in Gen.OneOf(0.0, 0.3, 0.5, 0.7, 1.0)
         let boxes = Enumerable.Range(0, n).SelectMany(i => new[]
         {
             v[2 * i] / 16.0, v[2 * i + 1] / 16.0, (v[2 * i] + s[2 * i]) / 16.0, (v[2 * i + 1] + s[2 * i + 1]) / 16.0,
         }).ToArray()
         select (boxes, scores.Select(k => k / 4.0).ToArray(), thr))
        .Where(c => IousAwayFrom(c.boxes, c.thr));

    private static Tensor Boxes(double[] v) => Tensor.FromArray(v, new Shape(v.Length / 4, 4));

    public static IEnumerable<OpInfo> NmsOps() =>
    [
        new OpInfo
        {
            Name = "nms",
            Differentiable = false,
            Iterations = 20,
            Samples = from c in NmsCase(8)
                      select new OpSample($"nms ({c.Boxes.Length / 4}, 4) iou {c.Threshold}", [Boxes(c.Boxes), Tensor.FromArray(c.Scores)],
                          xs => F.Nms(xs[0], xs[1], c.Threshold)),
            Golden = Goldens(("nms", c => F.Nms(c.Input("boxes"), c.Input("scores"), c.Double("iou_threshold")))),
            BadInputs =
            [
                new BadInput("boxes not (N, 4)", () => F.Nms(Randn([3, 5]), Randn([3]), 0.5), "boxes", "(3, 5)"),
                new BadInput("boxes 1-D", () => F.Nms(Randn([4]), Randn([1]), 0.5), "boxes", "(4)"),
                new BadInput("scores of the wrong length", () => F.Nms(Randn([3, 4]), Randn([2]), 0.5), "scores", "(2)", "(3, 4)"),
                new BadInput("scores 2-D", () => F.Nms(Randn([3, 4]), Randn([3, 1]), 0.5), "scores", "(3, 1)"),
                new BadInput("threshold above 1", () => F.Nms(Randn([3, 4]), Randn([3]), 1.5), "iouThreshold", "1.5"),
                new BadInput("threshold below 0", () => F.Nms(Randn([3, 4]), Randn([3]), -0.1), "iouThreshold", "-0.1"),
                new BadInput("threshold NaN", () => F.Nms(Randn([3, 4]), Randn([3]), double.NaN), "iouThreshold", "NaN"),
                new BadInput("int64 boxes", () => F.Nms(Tensor.FromArray(new long[] { 0, 0, 1, 1 }, 1, 4), Randn([1]), 0.5), "int64"),
                new BadInput("dtype mismatch", () => F.Nms(Randn([3, 4]), Randn([3]).ConvertTo(DType.Float32), 0.5), "float32", "float64"),
            ],
        },
        new OpInfo
        {
            Name = "batched_nms",
            Differentiable = false,
            Iterations = 20,
            Samples = from c in NmsCase(8)
                      from idxs in Gen.Long[0, 2].Array[c.Scores.Length]
                      select new OpSample($"batched_nms ({c.Boxes.Length / 4}, 4) classes [{string.Join(", ", idxs)}] iou {c.Threshold}",
                          [Boxes(c.Boxes), Tensor.FromArray(c.Scores), Tensor.FromArray(idxs, idxs.Length)],
                          xs => F.BatchedNms(xs[0], xs[1], xs[2], c.Threshold)),
            Golden = Goldens(("batched_nms", c => F.BatchedNms(c.Input("boxes"), c.Input("scores"), c.Input("idxs"), c.Double("iou_threshold")))),
            BadInputs =
            [
                new BadInput("idxs of the wrong length", () => F.BatchedNms(Randn([3, 4]), Randn([3]), Tensor.FromArray(new long[] { 0, 1 }), 0.5), "idxs", "(2)"),
                new BadInput("float idxs", () => F.BatchedNms(Randn([3, 4]), Randn([3]), Randn([3]), 0.5), "idxs", "int64"),
                new BadInput("scores of the wrong length", () => F.BatchedNms(Randn([3, 4]), Randn([4]), Tensor.FromArray(new long[] { 0, 1, 2 }), 0.5), "scores", "(4)"),
            ],
        },
    ];
}
