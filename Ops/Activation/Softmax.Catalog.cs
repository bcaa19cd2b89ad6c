using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private static Gen<OpSample> AlongDim(string label, Func<Tensor, int, Tensor> fn) =>
        from shape in Gens.Shape(1, 3, 1, 5)
        from x in Gens.Tensor(shape, -4, 4)
        from dim in Gen.Int[-shape.Length, shape.Length - 1]
        select new OpSample($"{label} {Shape.Format(shape)} dim {dim}", [x], xs => fn(xs[0], dim));

    public static IEnumerable<OpInfo> SoftmaxOps() =>
    [
        new OpInfo
        {
            Name = "softmax",
            Samples = AlongDim("softmax", F.Softmax),
            Golden = Goldens(("softmax", c => F.Softmax(c.Input("input"), c.Int("dim")))),
            BadInputs = [new BadInput("dim out of range", () => F.Softmax(Randn([2, 3]), 2), "range")],
        },
        new OpInfo
        {
            Name = "log_softmax",
            Samples = AlongDim("log_softmax", F.LogSoftmax),
            Golden = Goldens(("log_softmax", c => F.LogSoftmax(c.Input("input"), c.Int("dim")))),
            BadInputs = [new BadInput("integer input", () => F.LogSoftmax(Tensor.FromArray(new long[] { 1 }), 0), "int64")],
        },
    ];
}
