using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private sealed record BatchNormCase(int[] Shape, bool Training, bool UseWeight, bool UseBias, double Momentum)
    {
        public override string ToString() =>
            $"batch_norm {Framework.Shape.Format(Shape)} training {Training} weight {UseWeight} bias {UseBias} momentum {Momentum}";
    }

    private static readonly Gen<BatchNormCase> BatchNormCases =
        from n in Gen.Int[1, 3]
        from c in Gen.Int[1, 3]
        from spatial in Gens.Shape(0, 2, 1, 3)
        from training in Gen.Bool
        from useW in Gen.Bool
        from useB in Gen.Bool
        from momentum in Gen.OneOf(Gen.Const(0.1), Gen.Const(0.5))
        // training needs more than one value per channel
        let batch = training && n * spatial.Aggregate(1, (a, b) => a * b) < 2 ? 2 : n
        select new BatchNormCase([batch, c, .. spatial], training, useW, useB, momentum);

    /// <summary>x, running mean, running var (positive), weight, bias: every tensor arrives through the inputs.</summary>
    private static Gen<Tensor[]> BatchNormInputs(BatchNormCase bc) =>
        from x in DistinctTensor(bc.Shape)
        from rm in Gens.Tensor([bc.Shape[1]], -1, 1, requiresGrad: false)
        from rv in Gens.Positive([bc.Shape[1]], 0.5, 2, requiresGrad: false)
        from w in Gens.Tensor([bc.Shape[1]], 0.5, 2)
        from b in Gens.Tensor([bc.Shape[1]])
        select new[] { x, rm, rv, w, b };

    public static IEnumerable<OpInfo> NormalizationOps() =>
    [
        new OpInfo
        {
            Name = "batch_norm",
            Samples = from bc in BatchNormCases
                      from xs in BatchNormInputs(bc)
                      select new OpSample(bc.ToString(), xs, t => F.BatchNorm(t[0], t[1], t[2], bc.UseWeight ? t[3] : null, bc.UseBias ? t[4] : null, bc.Training, bc.Momentum)),
            Golden = Goldens(("batch_norm", c => F.BatchNorm(c.Input("input"), c.OptionalInput("running_mean"), c.OptionalInput("running_var"),
                c.OptionalInput("weight"), c.OptionalInput("bias"), c.Bool("training"), c.Double("momentum"), c.Double("eps")))),
            BadInputs =
            [
                new BadInput("1-D input", () => F.BatchNorm(Randn([4]), Randn([4]), Randn([4])), "2 dims", "(4)"),
                new BadInput("running mean of the wrong size", () => F.BatchNorm(Randn([2, 3, 4]), Randn([4]), Randn([3])), "running_mean", "3 elements", "(4)"),
                new BadInput("running var of the wrong size", () => F.BatchNorm(Randn([2, 3, 4]), Randn([3]), Randn([2]), training: true), "running_var", "(2)"),
                new BadInput("weight of the wrong size", () => F.BatchNorm(Randn([2, 3]), null, null, Randn([2]), training: true), "weight", "(2)"),
                new BadInput("eval without running statistics", () => F.BatchNorm(Randn([2, 3]), null, null), "evaluation mode"),
                new BadInput("one value per channel in training", () => F.BatchNorm(Randn([1, 3, 1]), null, null, training: true), "more than 1 value", "(1, 3, 1)"),
                new BadInput("float32 weight with float64 input", () => F.BatchNorm(Randn([2, 3]), null, null, Tensor.Ones(new Shape(3)), training: true), "dtype"),
                new BadInput("NaN eps", () => F.BatchNorm(Randn([2, 3]), null, null, training: true, eps: double.NaN), "eps"),
            ],
        },
        new OpInfo
        {
            // the running statistics after a training step: mean and var as updated in place, side by side
            Name = "batch_norm_running_stats",
            ErrorName = "batch_norm",
            Differentiable = false,
            Samples = from bc in BatchNormCases.Where(b => b.Training)
                      from xs in BatchNormInputs(bc)
                      select new OpSample(bc.ToString(), [NoGrad(xs[0]), xs[1], xs[2]], t =>
                      {
                          var rm = F.Clone(t[1]);
                          var rv = F.Clone(t[2]);
                          F.BatchNorm(t[0], rm, rv, training: true, momentum: bc.Momentum);
                          return F.Cat([rm, rv]);
                      }),
        },
        new OpInfo
        {
            Name = "layer_norm",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from k in Gen.Int[1, shape.Length]
                      from x in DistinctTensor(shape)
                      from w in Gens.Tensor(shape[^k..], 0.5, 2)
                      from b in Gens.Tensor(shape[^k..])
                      from useW in Gen.Bool
                      from useB in Gen.Bool
                      select new OpSample($"layer_norm {Shape.Format(shape)} over {Shape.Format(shape[^k..])} weight {useW} bias {useB}", [x, w, b],
                          t => F.LayerNorm(t[0], shape[^k..], useW ? t[1] : null, useB ? t[2] : null)),
            BadInputs =
            [
                new BadInput("normalized shape not the trailing dims", () => F.LayerNorm(Randn([3, 4]), [5]), "(5)", "(3, 4)"),
                new BadInput("normalized shape longer than the input", () => F.LayerNorm(Randn([4]), [2, 4]), "(2, 4)", "(4)"),
                new BadInput("empty normalized shape", () => F.LayerNorm(Randn([3, 4]), []), "normalized_shape"),
                new BadInput("weight of the wrong shape", () => F.LayerNorm(Randn([3, 4]), [4], Randn([3])), "weight", "(3)", "(4)"),
                new BadInput("bias of the wrong shape", () => F.LayerNorm(Randn([3, 4]), [4], null, Randn([2, 2])), "bias", "(2, 2)"),
                new BadInput("int64 input", () => F.LayerNorm(Tensor.Zeros(new Shape(3, 4), DType.Int64), [4]), "int64"),
            ],
        },
        new OpInfo
        {
            Name = "group_norm",
            Samples = from n in Gen.Int[1, 2]
                      from groups in Gen.Int[1, 3]
                      from perGroup in Gen.Int[1, 2]
                      from spatial in Gens.Shape(0, 2, 1, 3)
                      let shape = new[] { n, groups * perGroup }.Concat(spatial).ToArray()
                      from x in DistinctTensor(shape)
                      from w in Gens.Tensor([groups * perGroup], 0.5, 2)
                      from b in Gens.Tensor([groups * perGroup])
                      from useW in Gen.Bool
                      from useB in Gen.Bool
                      select new OpSample($"group_norm {Shape.Format(shape)} groups {groups} weight {useW} bias {useB}", [x, w, b],
                          t => F.GroupNorm(t[0], groups, useW ? t[1] : null, useB ? t[2] : null)),
            BadInputs =
            [
                new BadInput("groups not dividing the channels", () => F.GroupNorm(Randn([2, 5, 3]), 2), "divisible", "(2, 5, 3)", "num_groups=2"),
                new BadInput("zero groups", () => F.GroupNorm(Randn([2, 4]), 0), "num_groups", "0"),
                new BadInput("1-D input", () => F.GroupNorm(Randn([4]), 2), "2 dims", "(4)"),
                new BadInput("weight of the wrong size", () => F.GroupNorm(Randn([2, 4, 3]), 2, Randn([3])), "weight", "4 elements", "(3)"),
                new BadInput("int64 input", () => F.GroupNorm(Tensor.Zeros(new Shape(2, 4), DType.Int64), 2), "int64"),
            ],
        },
    ];
}
