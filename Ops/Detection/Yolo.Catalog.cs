using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

/// <summary>A generated YOLO problem: head output, anchors (pixels), stride and the ground truths of each image.</summary>
public sealed record YoloProblem(int N, int A, int C, int H, int W, double Stride, Tensor Head, Tensor Anchors, double[][] GtBoxes, long[][] GtClasses)
{
    public IReadOnlyList<Tensor> GtBoxTensors(DType dtype = DType.Float64) =>
        GtBoxes.Select(b => Tensor.FromDoubles(b, new Shape(b.Length / 4, 4), dtype)).ToArray();

    public IReadOnlyList<Tensor> GtClassTensors() => GtClasses.Select(c => Tensor.FromArray(c, c.Length)).ToArray();

    public YoloTargets Assign(double posIou = 0.7, double negIou = 0.3) =>
        F.YoloAssignTargets(GtBoxTensors(Anchors.DType), GtClassTensors(), Anchors, (H, W), Stride, C, posIou, negIou);

    public override string ToString() =>
        $"N {N} A {A} C {C} grid ({H}, {W}) stride {Stride} anchors [{string.Join(", ", Anchors.ToDoubleArray())}] gts " +
        string.Join(" | ", GtBoxes.Select((b, i) => $"[{string.Join(", ", b)}] classes [{string.Join(", ", GtClasses[i])}]"));
}

public static partial class Catalog
{
    /// <summary>Up to maxGt ground truths with centres inside a (wPx x hPx) image, sizes in [1, 24] pixels, on a 1/16 grid.</summary>
    public static Gen<(double[] Boxes, long[] Classes)> GroundTruths(double wPx, double hPx, int classes, int maxGt) =>
        from g in Gen.Int[0, maxGt]
        from cx in Gen.Int[1, (int)(wPx * 16) - 1].Array[g]
        from cy in Gen.Int[1, (int)(hPx * 16) - 1].Array[g]
        from sw in Gen.Int[16, 24 * 16].Array[g]
        from sh in Gen.Int[16, 24 * 16].Array[g]
        from cls in Gen.Long[0, classes - 1].Array[g]
        select (Enumerable.Range(0, g).SelectMany(i => new[]
        {
            (cx[i] - sw[i] / 2.0) / 16, (cy[i] - sh[i] / 2.0) / 16, (cx[i] + sw[i] / 2.0) / 16, (cy[i] + sh[i] / 2.0) / 16,
        }).ToArray(), cls);

    public static Gen<YoloProblem> YoloProblems(int maxN = 2, int maxA = 2, int maxC = 2, int maxGrid = 2, int maxGt = 3) =>
        from n in Gen.Int[1, maxN]
        from a in Gen.Int[1, maxA]
        from c in Gen.Int[1, maxC]
        from h in Gen.Int[1, maxGrid]
        from w in Gen.Int[1, maxGrid]
        from stride in Gen.OneOf(4.0, 8.0)
        from anchorPx in Gen.Int[2, 24].Array[2 * a]
        from head in Gens.Tensor([n, a * (5 + c), h, w], -2, 2)
        from gts in GroundTruths(w * stride, h * stride, c, Math.Min(maxGt, a * h * w)).Array[n]
        select new YoloProblem(n, a, c, h, w, stride, head,
            Tensor.FromArray(anchorPx.Select(v => (double)v).ToArray(), new Shape(a, 2)),
            gts.Select(t => t.Boxes).ToArray(), gts.Select(t => t.Classes).ToArray());

    private static Tensor YoloHead(int n, int channels, int h, int w) => Randn([n, channels, h, w]);
    private static Tensor Anchors3() => Tensor.FromArray(new[] { 10.0, 13, 16, 30, 33, 23 }, new Shape(3, 2));

    private static Tensor[] TargetInputs(YoloTargets t) => [t.Labels, t.Offsets, t.Boxes, t.Classes];
    private static YoloTargets TargetsOf(Tensor[] xs, int from) => new(xs[from], xs[from + 1], xs[from + 2], xs[from + 3]);

    private static Gen<OpSample> YoloLossSamples(string boxLoss) =>
        from p in YoloProblems()
        from posIou in Gen.OneOf(0.5, 1.0)
        from r in Gen.OneOf("none", "mean", "sum")
        let t = p.Assign(posIou, 0.2)
        select new OpSample($"yolo_loss {boxLoss} {r} posIou {posIou}: {p}", [p.Head, NoGrad(p.Anchors), .. TargetInputs(t)],
            xs => F.YoloLoss(xs[0], xs[1], p.Stride, TargetsOf(xs, 2), boxLoss, r, boxWeight: 2, noObjWeight: 0.5, classWeight: 1.5));

    private static BadInput[] YoloHeadBadInputs(string op, Func<Tensor, Tensor, double, object> call) =>
    [
        new BadInput("head not 4-D", () => call(Randn([2, 18, 3]), Anchors3(), 8), op, "(2, 18, 3)"),
        new BadInput("channels not A * (5 + C)", () => call(YoloHead(1, 20, 2, 2), Anchors3(), 8), "20 channels", "A = 3"),
        new BadInput("no classes", () => call(YoloHead(1, 15, 2, 2), Anchors3(), 8), "15 channels"),
        new BadInput("anchors not (A, 2)", () => call(YoloHead(1, 18, 2, 2), Randn([3, 3]), 8), "anchors", "(3, 3)"),
        new BadInput("negative anchor", () => call(YoloHead(1, 6, 2, 2), F.Reshape(T(-4.0, 4.0), 1, 2), 8), "anchor", "-4"),
        new BadInput("stride 0", () => call(YoloHead(1, 18, 2, 2), Anchors3(), 0), "stride"),
    ];

    public static IEnumerable<OpInfo> YoloOps() =>
    [
        new OpInfo
        {
            Name = "yolo_decode",
            Samples = from p in YoloProblems(maxA: 3, maxGrid: 3)
                      from anchorsGrad in Gen.Bool
                      select new OpSample($"yolo_decode anchors grad {anchorsGrad}: {p}", [p.Head, anchorsGrad ? Grad(p.Anchors)[0] : p.Anchors], xs =>
                      {
                          var d = F.YoloDecode(xs[0], xs[1], p.Stride);
                          return F.Cat([d.Boxes, F.Unsqueeze(d.Objectness, -1), d.ClassLogits], -1);
                      }),
            BadInputs = YoloHeadBadInputs("yolo_decode", (h, a, s) => F.YoloDecode(h, a, s)),
        },
        new OpInfo
        {
            Name = "yolo_loss",
            Iterations = 5,
            Samples = YoloLossSamples("mse"),
            BadInputs =
            [
                .. YoloHeadBadInputs("yolo_loss", (h, a, s) => F.YoloLoss(h, a, s, YoloProblemTargets())),
                new BadInput("unknown box loss", () => F.YoloLoss(YoloHead(1, 18, 2, 2), Anchors3(), 8, YoloProblemTargets(), boxLoss: "l1"), "boxLoss", "l1"),
                new BadInput("unknown reduction", () => F.YoloLoss(YoloHead(1, 18, 2, 2), Anchors3(), 8, YoloProblemTargets(), reduction: "avg"), "avg"),
                new BadInput("negative weight", () => F.YoloLoss(YoloHead(1, 18, 2, 2), Anchors3(), 8, YoloProblemTargets(), boxWeight: -1), "boxWeight"),
                new BadInput("targets of another grid", () => F.YoloLoss(YoloHead(1, 18, 3, 2), Anchors3(), 8, YoloProblemTargets()), "(1, 3, 3, 2)", "(1, 3, 2, 2)"),
            ],
        },
        new OpInfo
        {
            Name = "yolo_loss_giou",
            ErrorName = "yolo_loss",
            Iterations = 5,
            Samples = YoloLossSamples("giou"),
        },
        new OpInfo
        {
            Name = "yolo_assign_targets",
            Differentiable = false,
            Samples = from p in YoloProblems(maxA: 3, maxGrid: 3, maxGt: 4)
                      from posIou in Gen.OneOf(0.5, 0.7, 1.0)
                      select new OpSample($"yolo_assign_targets posIou {posIou}: {p}",
                          [NoGrad(p.Anchors), .. p.GtBoxTensors(), .. p.GtClassTensors()], xs =>
                          {
                              var t = F.YoloAssignTargets(xs[1..(1 + p.N)], xs[(1 + p.N)..], xs[0], (p.H, p.W), p.Stride, p.C, posIou, 0.3);
                              return F.Cat([F.Unsqueeze(t.Labels.ConvertTo(t.Offsets.DType), -1), t.Offsets, t.Boxes, F.Unsqueeze(t.Classes.ConvertTo(t.Offsets.DType), -1)], -1);
                          }),
            BadInputs =
            [
                new BadInput("gt boxes not (G, 4)", () => Assign([Randn([2, 3])], [Tensor.FromArray(new long[] { 0, 0 })]), "gtBoxes[0]", "(2, 3)"),
                new BadInput("classes of the wrong length", () => Assign([BoxTensor([1, 1, 5, 5], false)], [Tensor.FromArray(new long[] { 0, 0 })]), "gtClasses[0]", "(2)"),
                new BadInput("class out of range", () => Assign([BoxTensor([1, 1, 5, 5], false)], [Tensor.FromArray(new long[] { 7 })]), "class 7"),
                new BadInput("x2 < x1", () => Assign([BoxTensor([5, 1, 1, 5], false)], [Tensor.FromArray(new long[] { 0 })]), "x2 > x1"),
                new BadInput("centre outside the grid", () => Assign([BoxTensor([40, 1, 44, 5], false)], [Tensor.FromArray(new long[] { 0 })]), "outside the grid"),
                new BadInput("thresholds crossed", () => Assign([BoxTensor([1, 1, 5, 5], false)], [Tensor.FromArray(new long[] { 0 })], 0.3, 0.7), "negIou 0.7", "posIou 0.3"),
                new BadInput("threshold above 1", () => Assign([BoxTensor([1, 1, 5, 5], false)], [Tensor.FromArray(new long[] { 0 })], 1.5, 0.3), "posIou 1.5"),
                new BadInput("lists of different lengths", () => Assign([BoxTensor([1, 1, 5, 5], false)], []), "1 and 0"),
                new BadInput("anchors not (A, 2)", () => F.YoloAssignTargets([BoxTensor([1, 1, 5, 5], false)], [Tensor.FromArray(new long[] { 0 })], Randn([2]), (2, 2), 8, 2), "(2)"),
            ],
        },
    ];

    /// <summary>Targets for a (1, 18, 2, 2) head with Anchors3 (one ground truth).</summary>
    private static YoloTargets YoloProblemTargets() => Assign([BoxTensor([1, 1, 9, 13], false)], [Tensor.FromArray(new long[] { 0 })]);

    private static YoloTargets Assign(IReadOnlyList<Tensor> boxes, IReadOnlyList<Tensor> classes, double posIou = 0.7, double negIou = 0.3) =>
        F.YoloAssignTargets(boxes, classes, Anchors3(), (2, 2), 8, 1, posIou, negIou);
}
