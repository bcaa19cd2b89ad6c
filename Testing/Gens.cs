using CsCheck;

namespace Framework.Testing;

/// <summary>CsCheck generators of shapes and tensors; every generated failure shrinks toward small shapes and values.</summary>
public static class Gens
{
    /// <summary>Shapes of rank in [minRank, maxRank] with each dim in [minDim, maxDim].</summary>
    public static Gen<int[]> Shape(int minRank = 0, int maxRank = 3, int minDim = 1, int maxDim = 4) =>
        Gen.Int[minRank, maxRank].SelectMany(r => Gen.Int[minDim, maxDim].Array[r]);

    /// <summary>A float64 tensor of the shape with values uniform in [low, high].</summary>
    public static Gen<Tensor> Tensor(int[] shape, double low = -2, double high = 2, bool requiresGrad = true) =>
        Values(shape, low, high).Select(v => Make(v, shape, requiresGrad));

    /// <summary>Like <see cref="Tensor(int[], double, double, bool)"/>, with every value at least <paramref name="gap"/> from each kink.</summary>
    public static Gen<Tensor> TensorAwayFrom(int[] shape, double[] kinks, double gap = 1e-2, double low = -2, double high = 2, bool requiresGrad = true) =>
        Values(shape, low, high)
            .Select(v => v.Select(x => Nudge(x, kinks, gap)).ToArray())
            .Select(v => Make(v, shape, requiresGrad));

    /// <summary>A float64 tensor of positive values in [low, high] (for log, sqrt, division).</summary>
    public static Gen<Tensor> Positive(int[] shape, double low = 0.2, double high = 3, bool requiresGrad = true) =>
        Tensor(shape, low, high, requiresGrad);

    /// <summary>A tensor of a generated shape.</summary>
    public static Gen<Tensor> AnyTensor(int minRank = 0, int maxRank = 3, int maxDim = 4, double low = -2, double high = 2) =>
        Shape(minRank, maxRank, 1, maxDim).SelectMany(s => Tensor(s, low, high));

    /// <summary>Two shapes that broadcast together: the second drops leading dims or sets dims to 1 at random.</summary>
    public static Gen<(int[] A, int[] B)> BroadcastPair(int maxRank = 3, int maxDim = 4) =>
        from a in Shape(0, maxRank, 1, maxDim)
        from drop in Gen.Int[0, a.Length]
        from ones in Gen.Bool.Array[a.Length]
        from swap in Gen.Bool
        let b = a.Skip(drop).Select((d, i) => ones[i + drop] ? 1 : d).ToArray()
        select swap ? (b, a) : (a, b);

    /// <summary>int64 class indices in [0, classes).</summary>
    public static Gen<Tensor> Indices(int[] shape, int classes) =>
        Gen.Long[0, classes - 1].Array[ShapeNumel(shape)].Select(v => Framework.Tensor.FromArray(v, new Framework.Shape(shape)));

    /// <summary>
    /// Values on a grid of 2^-20 (exact in float32, never denormal), so float32 and float64 runs see the
    /// same numbers; shrinking moves them toward 0 (or the end of the range nearest 0).
    /// </summary>
    private static Gen<double[]> Values(int[] shape, double low, double high)
    {
        const double step = 1.0 / (1 << 20);
        long lo = (long)Math.Ceiling(low / step), hi = (long)Math.Floor(high / step);
        return Gen.Long[lo, hi].Select(k => k * step).Array[ShapeNumel(shape)];
    }

    private static int ShapeNumel(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    private static double Nudge(double x, double[] kinks, double gap)
    {
        foreach (var k in kinks)
            if (Math.Abs(x - k) < gap) x = x >= k ? k + gap : k - gap;
        return x;
    }

    private static Tensor Make(double[] v, int[] shape, bool requiresGrad)
    {
        var t = Framework.Tensor.FromArray(v, new Framework.Shape(shape));
        t.RequiresGrad = requiresGrad;
        return t;
    }
}
