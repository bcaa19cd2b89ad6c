using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private static OpInfo BinaryEntry(string name, Func<Tensor, Tensor, Tensor> fn, Func<int[], Gen<Tensor>> a, Func<int[], Gen<Tensor>> b) => new()
    {
        Name = name,
        Samples = TwoInputsBroadcast(fn, a, b),
        BadInputs =
        [
            new BadInput("shapes that do not broadcast", () => fn(Randn([2, 3]), Randn([4])), "(2, 3)", "(4)"),
            new BadInput("mixed dtypes", () => fn(Randn([2]), Randn([2]).ConvertTo(DType.Float32)), "float32", "float64"),
        ],
    };

    public static IEnumerable<OpInfo> BinaryOps() =>
    [
        BinaryEntry("add", F.Add, Uniform(), Uniform()),
        BinaryEntry("sub", F.Sub, Uniform(), Uniform()),
        BinaryEntry("mul", F.Mul, Uniform(), Uniform()),
        BinaryEntry("div", F.Div, Uniform(), s => Gens.Positive(s, 0.5, 2)),
        BinaryEntry("pow", F.Pow, s => Gens.Positive(s, 0.5, 2), Uniform(-2, 2)),
        // ties are kinks; independent uniform values almost never tie, and the tie rule has its own unit test
        BinaryEntry("maximum", F.Maximum, Uniform(), Uniform()),
        BinaryEntry("minimum", F.Minimum, Uniform(), Uniform()),
        new OpInfo
        {
            Name = "add_scalar",
            Samples = OneInput(x => F.Add(F.Mul(x, 2.5), 1.5) - 3.0 * x / 2.0, Uniform()),
        },
    ];
}
