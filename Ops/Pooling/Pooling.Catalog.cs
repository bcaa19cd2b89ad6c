using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    /// <summary>Distinct values (steps of 1/16, shuffled) so a max never ties and finite differences never switch it.</summary>
    public static Gen<Tensor> DistinctTensor(int[] shape, bool requiresGrad = true)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Gen.Shuffle(Enumerable.Range(0, n).Select(k => (k - n / 2) / 16.0).ToArray()).Select(v =>
        {
            var t = Tensor.FromArray(v, new Shape(shape));
            t.RequiresGrad = requiresGrad;
            return t;
        });
    }

    private sealed record PoolCase(int[] Shape, Pair Kernel, Pair Stride, Pair Padding, Pair Dilation, bool Ceil)
    {
        public override string ToString() =>
            $"{Framework.Shape.Format(Shape)} kernel {Kernel} stride {Stride} padding {Padding} dilation {Dilation} ceil {Ceil}";
    }

    /// <summary>One spatial dim of a valid pooling: (size, kernel, stride, pad, dilation) with at least one output.</summary>
    private static Gen<(int Size, int K, int S, int P, int D)> PoolDim(bool dilated) =>
        (from k in Gen.Int[1, 3]
         from s in Gen.Int[1, 3]
         from p in Gen.Int[0, k / 2]
         from d in dilated ? Gen.Int[1, 2] : Gen.Const(1)
         from size in Gen.Int[Math.Max(1, (k - 1) * d + 1 - 2 * p), 6]
         select (Size: size, K: k, S: s, P: p, D: d)).Where(t => !HasEmptyWindow(t.Size, t.K, t.S, t.P, t.D));

    /// <summary>
    /// Whether a window (in floor or ceil mode) holds no input element, only padding (possible with dilation):
    /// its output is -inf, which finite differences cannot check. Such cases are left to CnnOpSemanticsTests.
    /// </summary>
    private static bool HasEmptyWindow(int size, int k, int s, int p, int d)
    {
        int outputs = Framework.PoolGeometry.OutputSize(size, k, p, s, d, ceilMode: true);
        for (int o = 0; o < outputs; o++)
            if (!Enumerable.Range(0, k).Any(j => o * s - p + j * d is var i && i >= 0 && i < size)) return true;
        return false;
    }

    private static Gen<PoolCase> PoolCases(bool dilated) =>
        from hd in PoolDim(dilated)
        from wd in PoolDim(dilated)
        from channels in Gen.Int[1, 3]
        from batch in Gen.Int[1, 2]
        from batched in Gen.Bool
        from ceil in Gen.Bool
        let shape = batched ? new[] { batch, channels, hd.Size, wd.Size } : new[] { channels, hd.Size, wd.Size }
        select new PoolCase(shape, (hd.K, wd.K), (hd.S, wd.S), (hd.P, wd.P), (hd.D, wd.D), ceil);

    private static Pair PairAttr(GoldenCase c, string name) => Pair.From(c.Ints(name), c.Op, name);

    private static BadInput[] PoolBadInputs(Func<Tensor, Pair, Pair?, Pair, Tensor> pool) =>
    [
        new BadInput("2-D input", () => pool(Randn([4, 4]), 2, null, 0), "3-D", "(4, 4)"),
        new BadInput("5-D input", () => pool(Randn([1, 1, 1, 4, 4]), 2, null, 0), "(1, 1, 1, 4, 4)"),
        new BadInput("kernel larger than the padded input", () => pool(Randn([1, 1, 3, 3]), 6, null, 1), "too small", "(1, 1, 3, 3)"),
        new BadInput("negative padding", () => pool(Randn([1, 1, 4, 4]), 3, null, -1), "non-negative", "(-1, -1)"),
        new BadInput("padding above half the kernel", () => pool(Randn([1, 1, 6, 6]), 3, null, (0, 2)), "half of kernel size", "(0, 2)"),
        new BadInput("zero stride", () => pool(Randn([1, 1, 4, 4]), 2, 0, 0), "stride", "(0, 0)"),
        new BadInput("negative stride", () => pool(Randn([1, 1, 4, 4]), 2, (1, -1), 0), "stride", "(1, -1)"),
        new BadInput("zero kernel", () => pool(Randn([1, 1, 4, 4]), (0, 2), null, 0), "kernel size", "(0, 2)"),
        new BadInput("zero-size plane", () => pool(Randn([1, 2, 0, 4]), 2, null, 0), "(1, 2, 0, 4)"),
        new BadInput("int64 input", () => pool(Tensor.Zeros(new Shape(1, 1, 4, 4), DType.Int64), 2, null, 0), "int64"),
    ];

    public static IEnumerable<OpInfo> PoolingOps() =>
    [
        new OpInfo
        {
            Name = "max_pool2d",
            Samples = from pc in PoolCases(dilated: true)
                      from x in DistinctTensor(pc.Shape)
                      select new OpSample($"max_pool2d {pc}", [x], xs => F.MaxPool2d(xs[0], pc.Kernel, pc.Stride, pc.Padding, pc.Dilation, pc.Ceil)),
            Golden = Goldens(("max_pool2d", c => F.MaxPool2d(c.Input("input"), PairAttr(c, "kernel_size"), PairAttr(c, "stride"),
                PairAttr(c, "padding"), PairAttr(c, "dilation"), c.Bool("ceil_mode")))),
            BadInputs =
            [
                .. PoolBadInputs((x, k, s, p) => F.MaxPool2d(x, k, s, p)),
                new BadInput("zero dilation", () => F.MaxPool2d(Randn([1, 1, 4, 4]), 2, dilation: 0), "dilation", "(0, 0)"),
            ],
        },
        new OpInfo
        {
            // the indices of return_indices=True: PyTorch's flat h * W + w within each plane
            Name = "max_pool2d_with_indices",
            ErrorName = "max_pool2d",
            Differentiable = false,
            Samples = from pc in PoolCases(dilated: true)
                      from x in DistinctTensor(pc.Shape, requiresGrad: false)
                      select new OpSample($"max_pool2d indices {pc}", [x], xs => F.MaxPool2dWithIndices(xs[0], pc.Kernel, pc.Stride, pc.Padding, pc.Dilation, pc.Ceil).Indices),
        },
        new OpInfo
        {
            Name = "avg_pool2d",
            Samples = from pc in PoolCases(dilated: false)
                      from x in Gens.Tensor(pc.Shape)
                      from include in Gen.Bool
                      from divisor in Gen.Int[-2, 5].Select(d => d > 0 ? (int?)d : null)
                      select new OpSample($"avg_pool2d {pc} countIncludePad {include} divisor {divisor}", [x],
                          xs => F.AvgPool2d(xs[0], pc.Kernel, pc.Stride, pc.Padding, pc.Ceil, include, divisor)),
            Golden = Goldens(("avg_pool2d", c => F.AvgPool2d(c.Input("input"), PairAttr(c, "kernel_size"), PairAttr(c, "stride"),
                PairAttr(c, "padding"), c.Bool("ceil_mode"), c.Bool("count_include_pad"), c.HasAttr("divisor_override") ? c.Int("divisor_override") : null))),
            BadInputs =
            [
                .. PoolBadInputs((x, k, s, p) => F.AvgPool2d(x, k, s, p)),
                new BadInput("zero divisor", () => F.AvgPool2d(Randn([1, 1, 4, 4]), 2, divisorOverride: 0), "divisor", "0"),
            ],
        },
        new OpInfo
        {
            Name = "adaptive_avg_pool2d",
            Samples = from shape in AdaptiveShape
                      from x in Gens.Tensor(shape)
                      from oh in Gen.Int[1, 4]
                      from ow in Gen.Int[1, 4]
                      select new OpSample($"adaptive_avg_pool2d {Shape.Format(shape)} to ({oh}, {ow})", [x], xs => F.AdaptiveAvgPool2d(xs[0], (oh, ow))),
            Golden = Goldens(("adaptive_avg_pool2d", c => F.AdaptiveAvgPool2d(c.Input("input"), PairAttr(c, "output_size")))),
            BadInputs = AdaptiveBadInputs((x, s) => F.AdaptiveAvgPool2d(x, s)),
        },
        new OpInfo
        {
            Name = "adaptive_max_pool2d",
            Samples = from shape in AdaptiveShape
                      from x in DistinctTensor(shape)
                      from oh in Gen.Int[1, 4]
                      from ow in Gen.Int[1, 4]
                      select new OpSample($"adaptive_max_pool2d {Shape.Format(shape)} to ({oh}, {ow})", [x], xs => F.AdaptiveMaxPool2d(xs[0], (oh, ow))),
            BadInputs = AdaptiveBadInputs((x, s) => F.AdaptiveMaxPool2d(x, s)),
        },
        new OpInfo
        {
            Name = "adaptive_max_pool2d_with_indices",
            ErrorName = "adaptive_max_pool2d",
            Differentiable = false,
            Samples = from shape in AdaptiveShape
                      from x in DistinctTensor(shape, requiresGrad: false)
                      from oh in Gen.Int[1, 4]
                      from ow in Gen.Int[1, 4]
                      select new OpSample($"adaptive_max_pool2d indices {Shape.Format(shape)} to ({oh}, {ow})", [x],
                          xs => F.AdaptiveMaxPool2dWithIndices(xs[0], (oh, ow)).Indices),
        },
    ];

    private static readonly Gen<int[]> AdaptiveShape =
        from c in Gen.Int[1, 3]
        from h in Gen.Int[1, 6]
        from w in Gen.Int[1, 6]
        from batched in Gen.Bool
        select batched ? new[] { 2, c, h, w } : new[] { c, h, w };

    private static BadInput[] AdaptiveBadInputs(Func<Tensor, Pair, Tensor> pool) =>
    [
        new BadInput("2-D input", () => pool(Randn([4, 4]), 2), "3-D", "(4, 4)"),
        new BadInput("negative output size", () => pool(Randn([1, 4, 4]), (2, -1)), "output_size", "(2, -1)"),
        new BadInput("empty non-batch dim", () => pool(Randn([2, 0, 4, 4]), 2), "non-zero", "(2, 0, 4, 4)"),
        new BadInput("int64 input", () => pool(Tensor.Zeros(new Shape(1, 4, 4), DType.Int64), 2), "int64"),
    ];
}
