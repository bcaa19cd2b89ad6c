using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private static OpInfo Pointwise(string name, Func<Tensor, Tensor> fn, Func<int[], Gen<Tensor>> values, params (string, Func<GoldenCase, Tensor>)[] golden) => new()
    {
        Name = name,
        ErrorName = name switch { "gelu_tanh" => "gelu", "pow_scalar" or "pow_fractional" => "pow", _ => null },
        Samples = OneInput(fn, values),
        Golden = Goldens(golden),
        BadInputs = [new BadInput("integer input", () => fn(Tensor.FromArray(new long[] { 1, 2 })), "int64")],
    };

    public static IEnumerable<OpInfo> PointwiseOps() =>
    [
        Pointwise("neg", F.Neg, Uniform()),
        Pointwise("exp", F.Exp, Uniform()),
        Pointwise("log", F.Log, s => Gens.Positive(s)),
        Pointwise("sqrt", F.Sqrt, s => Gens.Positive(s)),
        Pointwise("abs", F.Abs, AwayFrom(0)),
        Pointwise("sin", F.Sin, Uniform(-4, 4)),
        Pointwise("cos", F.Cos, Uniform(-4, 4)),
        Pointwise("relu", F.Relu, AwayFrom(0)),
        Pointwise("leaky_relu", x => F.LeakyRelu(x, 0.1), AwayFrom(0)),
        Pointwise("elu", x => F.Elu(x, 0.7), AwayFrom(0)),
        Pointwise("gelu", x => F.Gelu(x), Uniform(-4, 4), ("gelu", c => F.Gelu(c.Input("input"), c.Str("approximate", "none")))),
        Pointwise("gelu_tanh", x => F.Gelu(x, "tanh"), Uniform(-4, 4)),
        Pointwise("sigmoid", F.Sigmoid, Uniform(-6, 6), ("sigmoid", c => F.Sigmoid(c.Input("input")))),
        Pointwise("tanh", F.Tanh, Uniform(-3, 3), ("tanh", c => F.Tanh(c.Input("input")))),
        Pointwise("softplus", x => F.Softplus(x, 2, 3), AwayFrom(1.5)),
        Pointwise("clamp", x => F.Clamp(x, -0.5, 0.7), AwayFrom(-0.5, 0.7)),
        Pointwise("pow_scalar", x => F.Pow(x, 3), Uniform()),
        Pointwise("pow_fractional", x => F.Pow(x, 1.5), s => Gens.Positive(s)),
        Pointwise("square", F.Square, Uniform()),
    ];
}
