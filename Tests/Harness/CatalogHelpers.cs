using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    /// <summary>Samples of a one-input op over generated shapes.</summary>
    public static Gen<OpSample> OneInput(Func<Tensor, Tensor> fn, Func<int[], Gen<Tensor>> values, int minRank = 0, int maxRank = 3, int maxDim = 4) =>
        from shape in Gens.Shape(minRank, maxRank, 1, maxDim)
        from x in values(shape)
        select new OpSample(Shape.Format(shape), [x], xs => fn(xs[0]));

    /// <summary>Samples of a broadcasting two-input op.</summary>
    public static Gen<OpSample> TwoInputsBroadcast(Func<Tensor, Tensor, Tensor> fn, Func<int[], Gen<Tensor>> aValues, Func<int[], Gen<Tensor>> bValues, int maxRank = 3) =>
        from shapes in Gens.BroadcastPair(maxRank, 4)
        from a in aValues(shapes.A)
        from b in bValues(shapes.B)
        select new OpSample($"{Shape.Format(shapes.A)} with {Shape.Format(shapes.B)}", [a, b], xs => fn(xs[0], xs[1]));

    public static Func<int[], Gen<Tensor>> Uniform(double low = -2, double high = 2) => s => Gens.Tensor(s, low, high);
    public static Func<int[], Gen<Tensor>> AwayFrom(params double[] kinks) => s => Gens.TensorAwayFrom(s, kinks, 1e-2);

    public static Dictionary<string, Func<GoldenCase, Tensor>> Goldens(params (string Op, Func<GoldenCase, Tensor> Run)[] runs) =>
        runs.ToDictionary(r => r.Op, r => r.Run);

    public static Tensor T(params double[] v) => Tensor.FromArray(v);
    public static Tensor Randn(int[] shape) => Tensor.Randn(shape.Length == 0 ? Shape.Scalar : new Shape(shape), DType.Float64);
}
