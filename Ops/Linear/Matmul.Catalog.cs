using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    public static IEnumerable<OpInfo> LinearOps() =>
    [
        new OpInfo
        {
            Name = "matmul",
            Samples = from m in Gen.Int[1, 5]
                      from k in Gen.Int[1, 5]
                      from n in Gen.Int[1, 5]
                      from batchA in Gens.Shape(0, 2, 1, 3)
                      from dropB in Gen.Int[0, batchA.Length]
                      from form in Gen.Int[0, 3]
                      let batchB = batchA.Skip(dropB).ToArray()
                      let aShape = form == 1 || form == 3 ? new[] { k } : [.. batchA, m, k]
                      let bShape = form == 2 || form == 3 ? new[] { k } : [.. batchB, k, n]
                      from a in Gens.Tensor(aShape)
                      from b in Gens.Tensor(bShape)
                      select new OpSample($"matmul {Shape.Format(aShape)} @ {Shape.Format(bShape)}", [a, b], xs => F.Matmul(xs[0], xs[1])),
            Golden = Goldens(("matmul", c => F.Matmul(c.Input("a"), c.Input("b")))),
            BadInputs =
            [
                new BadInput("inner sizes differ", () => F.Matmul(Randn([2, 3]), Randn([4, 2])), "(2, 3)", "(4, 2)"),
                new BadInput("0-d operand", () => F.Matmul(Randn([]), Randn([2])), "1 dimension"),
                new BadInput("batch dims do not broadcast", () => F.Matmul(Randn([2, 2, 3]), Randn([3, 3, 2])), "broadcast"),
            ],
        },
        new OpInfo
        {
            Name = "linear",
            Samples = from batch in Gens.Shape(0, 2, 1, 3)
                      from inF in Gen.Int[1, 5]
                      from outF in Gen.Int[1, 4]
                      from bias in Gen.Bool
                      from x in Gens.Tensor([.. batch, inF])
                      from w in Gens.Tensor([outF, inF])
                      from b in Gens.Tensor([outF])
                      select new OpSample($"linear {Shape.Format([.. batch, inF])} -> {outF} bias {bias}", bias ? [x, w, b] : [x, w],
                          xs => F.Linear(xs[0], xs[1], xs.Length > 2 ? xs[2] : null)),
            Golden = Goldens(("linear", c => F.Linear(c.Input("input"), c.Input("weight"), c.OptionalInput("bias")))),
            BadInputs =
            [
                new BadInput("feature mismatch", () => F.Linear(Randn([2, 3]), Randn([4, 5])), "(2, 3)", "(4, 5)"),
                new BadInput("bias of wrong size", () => F.Linear(Randn([2, 3]), Randn([4, 3]), Randn([3])), "bias"),
            ],
        },
    ];
}
