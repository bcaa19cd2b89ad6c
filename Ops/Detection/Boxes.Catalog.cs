using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    /// <summary>n boxes (x1, y1, x2, y2) with corners in [0, 8] and sides in [0.25, 4], on a 2^-10 grid (exact in float32).</summary>
    public static Gen<double[]> BoxValues(int n) =>
        from v in Gen.Int[0, 8 << 10].Array[2 * n]
        from s in Gen.Int[1 << 8, 4 << 10].Array[2 * n]
        select Enumerable.Range(0, n).SelectMany(i => new[]
        {
            v[2 * i] / 1024.0, v[2 * i + 1] / 1024.0, (v[2 * i] + s[2 * i]) / 1024.0, (v[2 * i + 1] + s[2 * i + 1]) / 1024.0,
        }).ToArray();

    public static Tensor BoxTensor(double[] v, bool requiresGrad = true)
    {
        var t = Tensor.FromArray(v, new Shape(v.Length / 4, 4));
        t.RequiresGrad = requiresGrad;
        return t;
    }

    /// <summary>
    /// Whether no pair of boxes sits on a kink of IoU / GIoU: equal coordinates (max / min ties) or an intersection
    /// side of 0 (the clamp) within gap. Gradcheck's central differences straddle kinks closer than its eps.
    /// </summary>
    public static bool AwayFromBoxKinks(double[] a, double[] b, double gap = 1e-3)
    {
        for (int p = 0; p < a.Length; p += 4)
            for (int q = 0; q < b.Length; q += 4)
            {
                for (int d = 0; d < 4; d++)
                    if (Math.Abs(a[p + d] - b[q + d]) < gap) return false;
                double iw = Math.Min(a[p + 2], b[q + 2]) - Math.Max(a[p], b[q]);
                double ih = Math.Min(a[p + 3], b[q + 3]) - Math.Max(a[p + 1], b[q + 1]);
                if (Math.Abs(iw) < gap || Math.Abs(ih) < gap) return false;
            }
        return true;
    }

    private static Gen<(double[] A, double[] B)> BoxPairs(int minN = 1, bool sameCount = false) =>
        from n in Gen.Int[minN, 4]
        from m in Gen.Int[minN, 4]
        from a in BoxValues(n)
        from b in BoxValues(sameCount ? n : m)
        select (a, b);

    private static readonly string[] Formats = ["xyxy", "xywh", "cxcywh"];

    public static IEnumerable<OpInfo> BoxOps() =>
    [
        new OpInfo
        {
            Name = "box_convert",
            Samples = from lead in Gens.Shape(0, 2, 1, 3)
                      from x in Gens.Tensor([.. lead, 4], -4, 4)
                      from inFmt in Gen.OneOf(Formats)
                      from outFmt in Gen.OneOf(Formats)
                      select new OpSample($"box_convert {Shape.Format([.. lead, 4])} {inFmt} -> {outFmt}", [x], xs => F.BoxConvert(xs[0], inFmt, outFmt)),
            BadInputs =
            [
                new BadInput("unknown format", () => F.BoxConvert(Randn([2, 4]), "xyxy", "yxyx"), "yxyx"),
                new BadInput("last dim not 4", () => F.BoxConvert(Randn([2, 5]), "xyxy", "xywh"), "(2, 5)"),
                new BadInput("0-d", () => F.BoxConvert(Tensor.Scalar(1.0, DType.Float64), "xyxy", "xywh"), "(..., 4)"),
            ],
        },
        new OpInfo
        {
            Name = "box_area",
            Samples = from n in Gen.Int[1, 5]
                      from x in Gens.Tensor([n, 4], -4, 4)
                      select new OpSample($"box_area ({n}, 4)", [x], xs => F.BoxArea(xs[0])),
            BadInputs =
            [
                new BadInput("boxes not (N, 4)", () => F.BoxArea(Randn([3, 5])), "(3, 5)", "(N, 4)"),
                new BadInput("int64 boxes", () => F.BoxArea(Tensor.FromArray(new long[] { 0, 0, 1, 1 }, 1, 4)), "int64"),
            ],
        },
        new OpInfo
        {
            Name = "clip_boxes_to_image",
            Samples = from lead in Gens.Shape(1, 2, 1, 3)
                      from hgt in Gen.Int[1, 6]
                      from wid in Gen.Int[1, 6]
                      from x in Gens.TensorAwayFrom([.. lead, 4], [0, hgt, wid], 1e-2, -2, 8)
                      select new OpSample($"clip_boxes_to_image {Shape.Format([.. lead, 4])} to ({hgt}, {wid})", [x], xs => F.ClipBoxesToImage(xs[0], (hgt, wid))),
            BadInputs =
            [
                new BadInput("negative size", () => F.ClipBoxesToImage(Randn([2, 4]), (-1, 3)), "(-1, 3)"),
                new BadInput("last dim not 4", () => F.ClipBoxesToImage(Randn([2, 3]), (4, 4)), "(2, 3)"),
            ],
        },
        new OpInfo
        {
            Name = "remove_small_boxes",
            Differentiable = false,
            Samples = from n in Gen.Int[0, 6]
                      from v in BoxValues(n)
                      from minSize in Gen.Int[0, 12].Select(k => k / 4.0 + 1.0 / 1024)
                      select new OpSample($"remove_small_boxes ({n}, 4) minSize {minSize}", [BoxTensor(v, false)], xs => F.RemoveSmallBoxes(xs[0], minSize)),
            BadInputs = [new BadInput("boxes not (N, 4)", () => F.RemoveSmallBoxes(Randn([4]), 1), "(4)", "(N, 4)")],
        },
        new OpInfo
        {
            Name = "box_iou",
            Samples = from p in BoxPairs().Where(p => AwayFromBoxKinks(p.A, p.B))
                      select new OpSample($"box_iou ({p.A.Length / 4}, 4) x ({p.B.Length / 4}, 4)", [BoxTensor(p.A), BoxTensor(p.B)], xs => F.BoxIou(xs[0], xs[1])),
            Golden = Goldens(("box_iou", c => F.BoxIou(c.Input("boxes1"), c.Input("boxes2")))),
            BadInputs =
            [
                new BadInput("boxes1 not (N, 4)", () => F.BoxIou(Randn([3, 5]), Randn([2, 4])), "boxes1", "(3, 5)"),
                new BadInput("boxes2 1-D", () => F.BoxIou(Randn([3, 4]), Randn([4])), "boxes2", "(4)"),
                new BadInput("dtype mismatch", () => F.BoxIou(Randn([3, 4]), Randn([2, 4]).ConvertTo(DType.Float32)), "float32"),
            ],
        },
        new OpInfo
        {
            Name = "generalized_box_iou",
            Samples = from p in BoxPairs().Where(p => AwayFromBoxKinks(p.A, p.B))
                      select new OpSample($"generalized_box_iou ({p.A.Length / 4}, 4) x ({p.B.Length / 4}, 4)", [BoxTensor(p.A), BoxTensor(p.B)],
                          xs => F.GeneralizedBoxIou(xs[0], xs[1])),
            Golden = Goldens(("generalized_box_iou", c => F.GeneralizedBoxIou(c.Input("boxes1"), c.Input("boxes2")))),
            BadInputs = [new BadInput("boxes2 not (M, 4)", () => F.GeneralizedBoxIou(Randn([3, 4]), Randn([2, 2])), "boxes2", "(2, 2)")],
        },
        new OpInfo
        {
            Name = "generalized_box_iou_loss",
            Samples = from p in BoxPairs(sameCount: true).Where(p => AwayFromBoxKinks(p.A, p.B))
                      from r in Gen.OneOf("none", "mean", "sum")
                      select new OpSample($"generalized_box_iou_loss ({p.A.Length / 4}, 4) {r}", [BoxTensor(p.A), BoxTensor(p.B)],
                          xs => F.GeneralizedBoxIouLoss(xs[0], xs[1], r)),
            BadInputs =
            [
                new BadInput("shape mismatch", () => F.GeneralizedBoxIouLoss(Randn([3, 4]), Randn([2, 4])), "(3, 4)", "(2, 4)"),
                new BadInput("x2 < x1", () => F.GeneralizedBoxIouLoss(BoxTensor([2, 0, 1, 1], false), BoxTensor([0, 0, 1, 1], false)), "x1"),
                new BadInput("unknown reduction", () => F.GeneralizedBoxIouLoss(BoxTensor([0, 0, 1, 1], false), BoxTensor([0, 0, 1, 1], false), "avg"), "avg"),
            ],
        },
    ];
}
