using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    public static IEnumerable<OpInfo> ShapeOps() =>
    [
        new OpInfo
        {
            Name = "reshape",
            Samples = OneInput(x => F.Reshape(x, -1) * 1.5, Uniform()),
            BadInputs =
            [
                new BadInput("wrong element count", () => F.Reshape(Randn([2, 3]), 4, 2), "(4, 2)", "6"),
                new BadInput("two -1", () => F.Reshape(Randn([2, 3]), -1, -1), "one dimension"),
            ],
        },
        new OpInfo
        {
            Name = "permute",
            Samples = from shape in Gens.Shape(1, 4, 1, 4)
                      from x in Gens.Tensor(shape)
                      from keys in Gen.Double.Array[shape.Length]
                      let perm = Enumerable.Range(0, shape.Length).OrderBy(i => keys[i]).ToArray()
                      select new OpSample($"permute {Shape.Format(shape)} by [{string.Join(", ", perm)}]", [x], xs => F.Permute(xs[0], perm)),
            BadInputs =
            [
                new BadInput("wrong number of dims", () => F.Permute(Randn([2, 3]), 0), "rank"),
                new BadInput("repeated dim", () => F.Permute(Randn([2, 3]), 0, 0), "repeated"),
            ],
        },
        new OpInfo
        {
            Name = "transpose",
            Samples = OneInput(x => F.Transpose(x, 0, -1), Uniform(), minRank: 1),
        },
        new OpInfo
        {
            Name = "expand",
            Samples = from shapes in Gens.BroadcastPair(3, 4)
                      let target = Shape.Broadcast(new Shape(shapes.A), new Shape(shapes.B), "expand").ToArray()
                      from x in Gens.Tensor(shapes.B)
                      select new OpSample($"expand {Shape.Format(shapes.B)} to {Shape.Format(target)}", [x], xs => F.Expand(xs[0], target)),
            BadInputs = [new BadInput("incompatible size", () => F.Expand(Randn([3]), 4), "(3)", "(4)")],
        },
        new OpInfo
        {
            Name = "slice",
            Samples = from shape in Gens.Shape(1, 3, 1, 6)
                      from x in Gens.Tensor(shape)
                      from dim in Gen.Int[0, shape.Length - 1]
                      from start in Gen.Int[-shape[dim], shape[dim] - 1]
                      from step in Gen.Int[1, 3]
                      select new OpSample($"slice {Shape.Format(shape)} dim {dim} from {start} step {step}", [x], xs => F.Slice(xs[0], dim, start, null, step)),
            BadInputs = [new BadInput("step 0", () => F.Slice(Randn([4]), 0, 0, 4, 0), "step")],
        },
        new OpInfo
        {
            Name = "narrow",
            Samples = OneInput(x => F.Narrow(x, -1, 1, x.Size(-1) - 1), Uniform(), minRank: 1),
            BadInputs = [new BadInput("past the end", () => F.Narrow(Randn([2, 3]), 1, 2, 2), "size 3")],
        },
        new OpInfo
        {
            Name = "select",
            Samples = OneInput(x => F.Select(x, 0, -1), Uniform(), minRank: 1),
            BadInputs = [new BadInput("index out of range", () => F.Select(Randn([2, 3]), 1, 3), "out of range")],
        },
        new OpInfo
        {
            Name = "index_select",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from x in Gens.Tensor(shape)
                      from idx in Gen.Long[0, shape[0] - 1].Array[1, 5]
                      select new OpSample($"index_select {Shape.Format(shape)} rows [{string.Join(", ", idx)}]", [x, Tensor.FromArray(idx)], xs => F.IndexSelect(xs[0], 0, xs[1])),
            BadInputs = [new BadInput("index out of range", () => F.IndexSelect(Randn([2, 3]), 0, Tensor.FromArray(new long[] { 2 })), "out of range")],
        },
        new OpInfo
        {
            Name = "repeat",
            Samples = OneInput(x => F.Repeat(x, [.. Enumerable.Repeat(2, x.Rank + 1)]), Uniform(), maxRank: 2),
        },
        new OpInfo
        {
            Name = "squeeze_unsqueeze",
            Samples = OneInput(x => F.Squeeze(F.Unsqueeze(x, 0) * 2.0), Uniform()),
        },
        new OpInfo
        {
            Name = "to_dtype",
            Samples = OneInput(x => F.To(F.To(x, DType.Float32), DType.Float64), Uniform()),
            // the round trip through float32 rounds values: finite differences of 1e-6 vanish in float32
            GradCheck = new GradCheckOptions { Eps = 1e-2, Atol = 1e-3, Rtol = 1e-2 },
        },
        new OpInfo
        {
            Name = "cat",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from dim in Gen.Int[0, shape.Length - 1]
                      from extra in Gen.Int[1, 3]
                      from a in Gens.Tensor(shape)
                      from b in Gens.Tensor(shape.Select((d, i) => i == dim ? extra : d).ToArray())
                      select new OpSample($"cat {Shape.Format(shape)} dim {dim}", [a, b], xs => F.Cat([xs[0], xs[1], xs[0]], dim)),
            BadInputs =
            [
                new BadInput("mismatched sizes", () => F.Cat([Randn([2, 3]), Randn([3, 2])], 1), "(2, 3)", "(3, 2)"),
                new BadInput("empty list", () => F.Cat([], 0), "non-empty"),
            ],
        },
        new OpInfo
        {
            Name = "stack",
            Samples = from shape in Gens.Shape(0, 3, 1, 4)
                      from dim in Gen.Int[0, shape.Length]
                      from a in Gens.Tensor(shape)
                      from b in Gens.Tensor(shape)
                      select new OpSample($"stack {Shape.Format(shape)} dim {dim}", [a, b], xs => F.Stack([xs[0], xs[1]], dim)),
            BadInputs = [new BadInput("unequal shapes", () => F.Stack([Randn([2]), Randn([3])]), "(2)", "(3)")],
        },
        new OpInfo
        {
            Name = "pad",
            Samples = from shape in Gens.Shape(1, 3, 2, 4)
                      from mode in Gen.OneOf("constant", "reflect", "replicate", "circular")
                      from pads in Gen.Int[0, 1].Array[2 * Math.Min(shape.Length, 2)]
                      from x in Gens.Tensor(shape)
                      select new OpSample($"pad {Shape.Format(shape)} {mode} [{string.Join(", ", pads)}]", [x], xs => F.Pad(xs[0], pads, mode, 0.5)),
            BadInputs =
            [
                new BadInput("odd pad length", () => F.Pad(Randn([2, 3]), [1]), "even"),
                new BadInput("reflect pad too large", () => F.Pad(Randn([2, 3]), [3, 0], "reflect"), "size 3"),
                new BadInput("unknown mode", () => F.Pad(Randn([2, 3]), [1, 1], "wrap"), "wrap"),
            ],
        },
        new OpInfo
        {
            Name = "where",
            Samples = from shapes in Gens.BroadcastPair(3, 4)
                      from a in Gens.Tensor(shapes.A)
                      from b in Gens.Tensor(shapes.B)
                      from c in Gen.Bool.Array[shapes.A.Aggregate(1, (p, q) => p * q)]
                      select new OpSample($"where {Shape.Format(shapes.A)} {Shape.Format(shapes.B)}", [a, b, Tensor.FromArray(c, new Shape(shapes.A))],
                          xs => F.Where(xs[2], xs[0], xs[1])),
            BadInputs = [new BadInput("float condition", () => F.Where(Randn([2]), Randn([2]), Randn([2])), "bool")],
        },
        new OpInfo
        {
            Name = "gather",
            Samples = from shape in Gens.Shape(1, 3, 1, 4)
                      from dim in Gen.Int[0, shape.Length - 1]
                      from x in Gens.Tensor(shape)
                      from idx in Gen.Long[0, shape[dim] - 1].Array[shape.Aggregate(1, (p, q) => p * q)]
                      select new OpSample($"gather {Shape.Format(shape)} dim {dim}", [x, Tensor.FromArray(idx, new Shape(shape))], xs => F.Gather(xs[0], dim, xs[1])),
            BadInputs = [new BadInput("index out of bounds", () => F.Gather(Randn([2, 3]), 1, Tensor.FromArray(new long[] { 0, 3 }, 2, 1)), "out of bounds")],
        },
    ];
}
