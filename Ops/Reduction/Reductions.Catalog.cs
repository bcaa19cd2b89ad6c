using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    /// <summary>A tensor of rank 1..3 with a random subset of its dims to reduce and a keepDim flag.</summary>
    private static Gen<OpSample> OverDims(string label, Func<Tensor, int[], bool, Tensor> fn, Func<int[], Gen<Tensor>> values, bool allowEmptyDims = true) =>
        from shape in Gens.Shape(1, 3, 1, 4)
        from x in values(shape)
        from pick in Gen.Bool.Array[shape.Length]
        from negative in Gen.Bool
        from keep in Gen.Bool
        let dims = Enumerable.Range(0, shape.Length).Where(i => pick[i]).Select(i => negative ? i - shape.Length : i).ToArray()
        where allowEmptyDims || dims.Length > 0
        select new OpSample($"{label} {Shape.Format(shape)} dims [{string.Join(", ", dims)}] keepDim {keep}", [x], xs => fn(xs[0], dims, keep));

    private static BadInput DimOutOfRange(string op, Action call) => new($"dim out of range", call, "range");

    public static IEnumerable<OpInfo> ReductionOps() =>
    [
        new OpInfo
        {
            Name = "sum",
            Samples = OverDims("sum", (x, d, k) => F.Sum(x, d, k), Uniform()),
            BadInputs = [DimOutOfRange("sum", () => F.Sum(Randn([2, 3]), [2])), new BadInput("repeated dim", () => F.Sum(Randn([2, 3]), [1, -1]), "multiple")],
        },
        new OpInfo
        {
            Name = "mean",
            Samples = OverDims("mean", (x, d, k) => F.Mean(x, d, k), Uniform()),
            Golden = Goldens(("mean", c => F.Mean(c.Input("input"), c.Ints("dim"), c.Bool("keepdim")))),
            BadInputs = [DimOutOfRange("mean", () => F.Mean(Randn([2, 3]), [-3]))],
        },
        new OpInfo
        {
            Name = "var",
            Samples = OverDims("var", (x, d, k) => F.Var(x, d, unbiased: false, keepDim: k), Uniform()),
        },
        new OpInfo
        {
            Name = "std",
            Samples = from shape in Gens.Shape(1, 3, 2, 4)
                      from x in Gens.Tensor(shape)
                      from dim in Gen.Int[0, shape.Length - 1]
                      select new OpSample($"std {Shape.Format(shape)} dim {dim}", [x], xs => F.Std(xs[0], dim)),
        },
        new OpInfo
        {
            Name = "max_dim",
            ErrorName = "max",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from x in Gens.Tensor(shape)
                      from dim in Gen.Int[0, shape.Length - 1]
                      from keep in Gen.Bool
                      select new OpSample($"max {Shape.Format(shape)} dim {dim} keepDim {keep}", [x], xs => F.Max(xs[0], dim, keep).Values),
            Golden = Goldens(("max", c => F.Max(c.Input("input"), c.Int("dim"), c.Bool("keepdim")).Values)),
            BadInputs = [DimOutOfRange("max", () => F.Max(Randn([2, 3]), 2)), new BadInput("empty dim", () => F.Max(Tensor.Zeros(new Shape(2, 0), DType.Float64), 1), "empty")],
        },
        new OpInfo
        {
            Name = "min_dim",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from x in Gens.Tensor(shape)
                      from dim in Gen.Int[0, shape.Length - 1]
                      select new OpSample($"min {Shape.Format(shape)} dim {dim}", [x], xs => F.Min(xs[0], dim).Values),
        },
        new OpInfo
        {
            Name = "amax",
            Samples = OverDims("amax", (x, d, k) => F.Amax(x, d, k), Uniform()),
            BadInputs = [new BadInput("empty tensor", () => F.Amax(Tensor.Zeros(new Shape(0), DType.Float64), null), "empty")],
        },
        new OpInfo
        {
            Name = "amin",
            Samples = OverDims("amin", (x, d, k) => F.Amin(x, d, k), Uniform()),
        },
        new OpInfo
        {
            Name = "logsumexp",
            Samples = OverDims("logsumexp", (x, d, k) => F.LogSumExp(x, d, k), Uniform(-5, 5), allowEmptyDims: false),
            Golden = Goldens(("logsumexp", c => F.LogSumExp(c.Input("input"), c.Ints("dim"), c.Bool("keepdim")))),
        },
        new OpInfo
        {
            Name = "norm",
            Samples = OverDims("norm", (x, d, k) => F.Norm(x, 2, d, k), Uniform()),
            BadInputs = [new BadInput("p <= 0", () => F.Norm(Randn([3]), -1), "p must be positive")],
        },
        new OpInfo
        {
            Name = "norm_p",
            Samples = OverDims("norm p=3", (x, d, k) => F.Norm(x, 3, d, k), AwayFrom(0)),
        },
        new OpInfo
        {
            Name = "norm_l1",
            Samples = OverDims("norm p=1", (x, d, k) => F.Norm(x, 1, d, k), AwayFrom(0)),
        },
        new OpInfo
        {
            Name = "argmax",
            Differentiable = false,
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from x in Gens.Tensor(shape, requiresGrad: false)
                      from dim in Gen.Int[0, shape.Length - 1]
                      select new OpSample($"argmax {Shape.Format(shape)} dim {dim}", [x], xs => F.Argmax(xs[0], dim).ConvertTo(DType.Float64)),
            BadInputs = [DimOutOfRange("argmax", () => F.Argmax(Randn([2, 3]), 5))],
        },
    ];
}
