using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private static readonly Gen<double> DropoutP = Gen.OneOf(Gen.Const(0.0), Gen.Const(0.25), Gen.Const(0.5), Gen.Const(0.9), Gen.Const(1.0));

    // Each evaluation draws its mask from a fresh generator of the same seed, so gradcheck sees one function.
    public static IEnumerable<OpInfo> DropoutOps() =>
    [
        new OpInfo
        {
            Name = "dropout",
            Samples = from shape in Gens.Shape(0, 3, 1, 5)
                      from x in Gens.Tensor(shape)
                      from p in DropoutP
                      from training in Gen.Bool
                      from seed in Gen.ULong
                      select new OpSample($"dropout {Shape.Format(shape)} p {p} training {training} seed {seed}", [x],
                          t => F.Dropout(t[0], p, training, new Generator(seed))),
            BadInputs =
            [
                new BadInput("negative p", () => F.Dropout(Randn([3]), -0.1), "between 0 and 1", "-0.1"),
                new BadInput("p above 1", () => F.Dropout(Randn([3]), 1.5), "between 0 and 1", "1.5"),
                new BadInput("NaN p", () => F.Dropout(Randn([3]), double.NaN), "NaN"),
                new BadInput("int64 input", () => F.Dropout(Tensor.Zeros(new Shape(3), DType.Int64)), "int64"),
            ],
        },
        new OpInfo
        {
            Name = "dropout2d",
            Samples = from shape in Gen.OneOf(Gens.Shape(3, 3, 1, 4), Gens.Shape(4, 4, 1, 3))
                      from x in Gens.Tensor(shape)
                      from p in DropoutP
                      from training in Gen.Bool
                      from seed in Gen.ULong
                      select new OpSample($"dropout2d {Shape.Format(shape)} p {p} training {training} seed {seed}", [x],
                          t => F.Dropout2d(t[0], p, training, new Generator(seed))),
            BadInputs =
            [
                new BadInput("2-D input", () => F.Dropout2d(Randn([3, 4])), "3-D", "(3, 4)"),
                new BadInput("5-D input", () => F.Dropout2d(Randn([1, 2, 3, 4, 5])), "(1, 2, 3, 4, 5)"),
                new BadInput("p above 1", () => F.Dropout2d(Randn([2, 3, 4]), 2), "between 0 and 1", "2"),
            ],
        },
    ];
}
