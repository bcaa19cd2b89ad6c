namespace Framework;

public static partial class F
{
    /// <summary>Normalises and sorts dims; null or empty means all dims (torch.sum(x) semantics).</summary>
    internal static int[] ReductionDims(string op, Tensor x, int[]? dims)
    {
        if (dims is null || dims.Length == 0) return Enumerable.Range(0, x.Rank).ToArray();
        var n = dims.Select(d => Shape.NormalizeDim(d, x.Rank, op)).ToArray();
        if (n.Distinct().Count() != n.Length)
            throw new ArgumentException($"{op}: dim {string.Join(", ", dims)} appears multiple times in the list of dims");
        return x.Rank == 0 ? [] : n.OrderBy(d => d).ToArray();
    }

    internal static Shape ReducedShape(Shape shape, int[] dims, bool keepDim)
    {
        var list = new List<int>();
        for (int i = 0; i < shape.Rank; i++)
        {
            if (Array.IndexOf(dims, i) < 0) list.Add(shape[i]);
            else if (keepDim) list.Add(1);
        }
        return new Shape(list.ToArray());
    }

    /// <summary>Sum over dims (all when none are given), keeping them as size 1 when keepDim.</summary>
    public static Tensor Sum(Tensor x, int[]? dims = null, bool keepDim = false)
    {
        Check.Float("sum", x);
        var d = ReductionDims("sum", x, dims);
        Tensor y;
        if (d.Length == x.Rank && !keepDim) y = ReduceKernels.SumAll(x);
        else
        {
            y = x;
            foreach (var dim in d) y = ReduceKernels.SumDim(y, dim);
            y = y.ViewAs(ReducedShape(x.Shape, d, keepDim));
            if (d.Length == 0) y = y.CloneData();
        }
        var inShape = x.Shape;
        return Autograd.Record("sum", y, [x], g => [BroadcastTo(g.ViewAs(ReducedShape(inShape, d, true)), inShape)]);
    }

    public static Tensor Sum(Tensor x, int dim, bool keepDim = false) => Sum(x, [dim], keepDim);

    public static Tensor Mean(Tensor x, int[]? dims = null, bool keepDim = false)
    {
        Check.Float("mean", x);
        var d = ReductionDims("mean", x, dims);
        long count = 1;
        foreach (var dim in d) count *= x.Shape[dim];
        return Div(Sum(x, d, keepDim), count);
    }

    public static Tensor Mean(Tensor x, int dim, bool keepDim = false) => Mean(x, [dim], keepDim);

    /// <summary>Variance with Bessel's correction when unbiased (torch's default).</summary>
    public static Tensor Var(Tensor x, int[]? dims = null, bool unbiased = true, bool keepDim = false)
    {
        Check.Float("var", x);
        var d = ReductionDims("var", x, dims);
        long count = 1;
        foreach (var dim in d) count *= x.Shape[dim];
        var centered = Sub(x, Mean(x, d, keepDim: true));
        // torch returns NaN for the unbiased variance of a single element (0/0); so do we
        return Div(Sum(Square(centered), d, keepDim), Math.Max(count - (unbiased ? 1 : 0), 0));
    }

    public static Tensor Var(Tensor x, int dim, bool unbiased = true, bool keepDim = false) => Var(x, [dim], unbiased, keepDim);

    public static Tensor Std(Tensor x, int[]? dims = null, bool unbiased = true, bool keepDim = false) =>
        Sqrt(Var(x, dims, unbiased, keepDim));

    public static Tensor Std(Tensor x, int dim, bool unbiased = true, bool keepDim = false) => Std(x, [dim], unbiased, keepDim);

    /// <summary>Max along dim with the indices of the maxima (torch.max(x, dim)); the gradient goes to those indices.</summary>
    public static (Tensor Values, Tensor Indices) Max(Tensor x, int dim, bool keepDim = false) => Extreme("max", x, dim, keepDim, true);

    public static (Tensor Values, Tensor Indices) Min(Tensor x, int dim, bool keepDim = false) => Extreme("min", x, dim, keepDim, false);

    private static (Tensor, Tensor) Extreme(string op, Tensor x, int dim, bool keepDim, bool max)
    {
        Check.Float(op, x);
        int d = Shape.NormalizeDim(dim, x.Rank, op);
        if (x.Rank == 0)
        {
            // torch.max(scalar, 0) is the scalar itself at index 0
            var same = Autograd.Record(op, x.CloneData(), [x], g => [g]);
            return (same, Tensor.Zeros(Shape.Scalar, DType.Int64, x.Device));
        }
        if (x.Shape[d] == 0)
            throw new ArgumentException($"{op}: cannot reduce over the empty dimension {d} of shape {x.Shape}");
        var (v, idx) = ReduceKernels.ExtremeDim(x, d, max);
        var outShape = x.Rank == 0 ? x.Shape : ReducedShape(x.Shape, [d], keepDim);
        var keptIdx = idx;
        var values = Autograd.Record(op, v.ViewAs(outShape), [x],
            g => [ScatterAlongDim(g.ViewAs(keptIdx.Shape), keptIdx, d, x.Shape)]);
        return (values, idx.ViewAs(outShape));
    }

    /// <summary>The largest element (full reduction); ties share the gradient evenly, as torch.max(x).</summary>
    public static Tensor Max(Tensor x) => Amax(x, null);
    public static Tensor Min(Tensor x) => Amin(x, null);

    /// <summary>Max over dims; ties share the gradient evenly (torch.amax).</summary>
    public static Tensor Amax(Tensor x, int[]? dims, bool keepDim = false) => ExtremeEven("amax", x, dims, keepDim, true);
    public static Tensor Amin(Tensor x, int[]? dims, bool keepDim = false) => ExtremeEven("amin", x, dims, keepDim, false);
    public static Tensor Amax(Tensor x, int dim, bool keepDim = false) => Amax(x, [dim], keepDim);
    public static Tensor Amin(Tensor x, int dim, bool keepDim = false) => Amin(x, [dim], keepDim);

    private static Tensor ExtremeEven(string op, Tensor x, int[]? dims, bool keepDim, bool max)
    {
        Check.Float(op, x);
        if (x.Numel == 0) throw new ArgumentException($"{op}: cannot reduce the empty tensor {x.Shape}");
        var d = ReductionDims(op, x, dims);
        Tensor y = x;
        using (Autograd.NoGrad())
            foreach (var dim in d) y = ReduceKernels.ExtremeDim(y, dim, max).Values;
        var kept = y.ViewAs(ReducedShape(x.Shape, d, true));
        var result = kept.ViewAs(ReducedShape(x.Shape, d, keepDim));
        if (d.Length == 0) result = result.CloneData();
        var inShape = x.Shape;
        return Autograd.Record(op, result, [x], g =>
        {
            // mask of the elements equal to the extreme, each taking g / (number of ties)
            var mask = EqualMask(x, BroadcastTo(kept, inShape));
            var count = BroadcastTo(Sum(mask, d, keepDim: true), inShape);
            return [Div(Mul(mask, BroadcastTo(g.ViewAs(kept.Shape), inShape)), count)];
        });
    }

    /// <summary>Log of the sum of exponentials over dims, stable for large values.</summary>
    public static Tensor LogSumExp(Tensor x, int[] dims, bool keepDim = false)
    {
        Check.Float("logsumexp", x);
        var d = ReductionDims("logsumexp", x, dims);
        Tensor m;
        using (Autograd.NoGrad())
        {
            m = x.Numel == 0 ? Tensor.Zeros(ReducedShape(x.Shape, d, true), x.DType, x.Device) : Amax(x, d, keepDim: true);
            // an all -inf slice would give -inf - -inf = NaN; shift it by 0 instead (m - m is NaN only for infinities)
            m = Where(Eq(Sub(m, m), 0), m, 0.0);
        }
        var s = Log(Sum(Exp(Sub(x, m)), d, keepDim: true));
        var r = Add(s, m);
        return keepDim ? r : Reshape(r, ReducedShape(x.Shape, d, false).ToArray());
    }

    public static Tensor LogSumExp(Tensor x, int dim, bool keepDim = false) => LogSumExp(x, [dim], keepDim);

    /// <summary>Vector p-norm over dims (all by default): p = 2 (with a zero gradient at 0, as torch), 1, inf, or any p &gt; 0.</summary>
    public static Tensor Norm(Tensor x, double p = 2, int[]? dims = null, bool keepDim = false)
    {
        Check.Float("norm", x);
        var d = ReductionDims("norm", x, dims);
        if (double.IsPositiveInfinity(p)) return Amax(Abs(x), d, keepDim);
        if (p == 1) return Sum(Abs(x), d, keepDim);
        if (!(p > 0)) throw new ArgumentException($"norm: p must be positive, got {p}");
        if (p == 2)
        {
            Tensor n;
            using (Autograd.NoGrad()) n = Sqrt(Sum(Square(x), d, keepDim: true));
            var outShape = ReducedShape(x.Shape, d, keepDim);
            var inShape = x.Shape;
            return Autograd.Record("norm", n.ViewAs(outShape), [x], g =>
            {
                // d||x|| / dx = x / ||x||, and 0 where ||x|| = 0
                var zero = Eq(n, 0);
                var scale = Where(zero, 0.0, Div(g.ViewAs(n.Shape), Where(zero, 1.0, n)));
                return [Mul(x, BroadcastTo(scale, inShape))];
            });
        }
        return Pow(Sum(Pow(Abs(x), p), d, keepDim), 1 / p);
    }

    /// <summary>Index of the max along dim (of the flattened tensor when dim is null); int64.</summary>
    public static Tensor Argmax(Tensor x, int? dim = null, bool keepDim = false)
    {
        if (dim is not null) Shape.NormalizeDim(dim.Value, x.Rank, "argmax");
        if (dim is null) return Max(Reshape(x.Detach(), [-1]), 0).Indices;
        return Max(x.Detach(), dim.Value, keepDim).Indices;
    }

    public static Tensor Argmin(Tensor x, int? dim = null, bool keepDim = false)
    {
        if (dim is not null) Shape.NormalizeDim(dim.Value, x.Rank, "argmin");
        if (dim is null) return Min(Reshape(x.Detach(), [-1]), 0).Indices;
        return Min(x.Detach(), dim.Value, keepDim).Indices;
    }

    /// <summary>Sums g over the dimensions that broadcasting expanded, giving a tensor of <paramref name="shape"/>.</summary>
    public static Tensor SumToShape(Tensor g, Shape shape)
    {
        if (g.Shape == shape) return g;
        int lead = g.Rank - shape.Rank;
        var dims = new List<int>();
        for (int i = 0; i < g.Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && g.Shape[i] != 1)) dims.Add(i);
        if (dims.Count == 0) return Reshape(g, shape.ToArray());
        var s = Sum(g, dims.ToArray(), keepDim: true);
        return Reshape(s, shape.ToArray());
    }
}
