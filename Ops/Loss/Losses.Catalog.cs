using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private static readonly Gen<string> Reduction = Gen.OneOf("none", "mean", "sum");

    private static Gen<OpSample> PairLoss(string label, Func<Tensor, Tensor, string, Tensor> fn, double low = -2, double high = 2) =>
        from shape in Gens.Shape(1, 3, 1, 4)
        from a in Gens.Tensor(shape, low, high)
        from b in Gens.Tensor(shape, low, high)
        from r in Reduction
        select new OpSample($"{label} {Shape.Format(shape)} {r}", [a, b], xs => fn(xs[0], xs[1], r));

    private static Gen<OpSample> ClassLoss(string label, Func<Tensor, Tensor, Tensor?, string, Tensor> fn) =>
        from n in Gen.Int[1, 4]
        from c in Gen.Int[2, 5]
        from spatial in Gens.Shape(0, 1, 1, 3)
        from logits in Gens.Tensor([n, c, .. spatial], -3, 3)
        from targets in Gens.Indices([n, .. spatial], c)
        from weighted in Gen.Bool
        from w in Gens.Positive([c], 0.5, 2, requiresGrad: false)
        from r in Reduction
        select new OpSample($"{label} ({n}, {c}{string.Concat(spatial.Select(s => ", " + s))}) weighted {weighted} {r}", [logits, w, targets],
            xs => fn(xs[0], xs[2], weighted ? xs[1] : null, r));

    public static IEnumerable<OpInfo> LossOps() =>
    [
        new OpInfo
        {
            Name = "mse_loss",
            Samples = PairLoss("mse", (a, b, r) => F.MseLoss(a, b, r)),
            Golden = Goldens(("mse_loss", c => F.MseLoss(c.Input("input"), c.Input("target"), c.Str("reduction")))),
            BadInputs =
            [
                new BadInput("shape mismatch", () => F.MseLoss(Randn([2, 3]), Randn([3, 2])), "(2, 3)", "(3, 2)"),
                new BadInput("unknown reduction", () => F.MseLoss(Randn([2]), Randn([2]), "avg"), "avg"),
            ],
        },
        new OpInfo
        {
            Name = "l1_loss",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from a in Gens.Tensor(shape)
                      from d in Gens.TensorAwayFrom(shape, [0], 0.05)
                      from r in Reduction
                      select new OpSample($"l1 {Shape.Format(shape)} {r}", [a, NoGrad((a - d).Detach())], xs => F.L1Loss(xs[0], xs[1], r)),
        },
        new OpInfo
        {
            Name = "smooth_l1_loss",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from a in Gens.Tensor(shape)
                      from d in Gens.TensorAwayFrom(shape, [-0.5, 0, 0.5], 0.05)
                      from r in Reduction
                      select new OpSample($"smooth_l1 {Shape.Format(shape)} {r}", [a, NoGrad((a - d).Detach())], xs => F.SmoothL1Loss(xs[0], xs[1], r, 0.5)),
            Golden = Goldens(("smooth_l1_loss", c => F.SmoothL1Loss(c.Input("input"), c.Input("target"), c.Str("reduction"), c.Double("beta")))),
            BadInputs = [new BadInput("negative beta", () => F.SmoothL1Loss(Randn([2]), Randn([2]), beta: -1), "beta")],
        },
        new OpInfo
        {
            Name = "nll_loss",
            Samples = ClassLoss("nll", (x, t, w, r) => F.NllLoss(F.LogSoftmax(x, 1), t, w, reduction: r)),
            BadInputs =
            [
                new BadInput("target out of range", () => F.NllLoss(Randn([2, 3]), Tensor.FromArray(new long[] { 0, 3 })), "out of bounds"),
                new BadInput("float target", () => F.NllLoss(Randn([2, 3]), Randn([2])), "int64"),
                new BadInput("target of wrong shape", () => F.NllLoss(Randn([2, 3]), Tensor.FromArray(new long[] { 0, 1, 2 })), "(3)"),
            ],
        },
        new OpInfo
        {
            Name = "cross_entropy",
            Samples = ClassLoss("cross_entropy", (x, t, w, r) => F.CrossEntropy(x, t, w, reduction: r)),
            Golden = Goldens(("cross_entropy", c => F.CrossEntropy(c.Input("input"), c.Input("target"), reduction: c.Str("reduction")))),
            BadInputs = [new BadInput("label smoothing above 1", () => F.CrossEntropy(Randn([2, 3]), Tensor.FromArray(new long[] { 0, 1 }), labelSmoothing: 2), "labelSmoothing")],
        },
        new OpInfo
        {
            Name = "cross_entropy_smoothing_ignore",
            Samples = from n in Gen.Int[2, 4]
                      from c in Gen.Int[2, 5]
                      from logits in Gens.Tensor([n, c], -3, 3)
                      from t in Gen.Long[-1, c - 1].Array[n].Where(t => t.Any(v => v >= 0))
                      from r in Reduction
                      select new OpSample($"cross_entropy ({n}, {c}) smoothing 0.2 ignore -1 {r}", [logits, Tensor.FromArray(t)],
                          xs => F.CrossEntropy(xs[0], xs[1], ignoreIndex: -1, reduction: r, labelSmoothing: 0.2)),
        },
        new OpInfo
        {
            Name = "binary_cross_entropy",
            Samples = PairLoss("bce", (p, t, r) => F.BinaryCrossEntropy(p, t, reduction: r), 0.05, 0.95),
            BadInputs = [new BadInput("probabilities outside [0, 1]", () => F.BinaryCrossEntropy(T(1.5, 0.5), T(1.0, 0.0)), "[0, 1]")],
        },
        new OpInfo
        {
            Name = "binary_cross_entropy_with_logits",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from x in Gens.Tensor(shape, -4, 4)
                      from t in Gens.Tensor(shape, 0, 1)
                      from pw in Gens.Positive([shape[^1]], 0.5, 2, requiresGrad: false)
                      from usePw in Gen.Bool
                      from r in Reduction
                      select new OpSample($"bce_with_logits {Shape.Format(shape)} posWeight {usePw} {r}", [x, t, pw],
                          xs => F.BinaryCrossEntropyWithLogits(xs[0], xs[1], posWeight: usePw ? xs[2] : null, reduction: r)),
            Golden = Goldens(("binary_cross_entropy_with_logits", c => F.BinaryCrossEntropyWithLogits(c.Input("input"), c.Input("target"), reduction: c.Str("reduction")))),
        },
    ];
}
