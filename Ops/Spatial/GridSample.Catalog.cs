using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    /// <summary>
    /// grid_sample samples of two kinds, for one mode x padding x align_corners:
    /// - smooth: grid points inside, near and far outside the image, every pixel coordinate at least 0.06 from
    ///   a multiple of 0.5 (the kinks of bilinear, clip and reflection, and nearest's jumps); grid differentiable;
    /// - exact: grid values -1 + m/4 and +-1000, exact in float32 and float64, so points fall exactly on pixel
    ///   centres, on the image borders, half-way between pixels (nearest's ties) and far outside; the function
    ///   has no derivative in the grid there, so only the input is differentiable (the grid gradient at such
    ///   points is checked against PyTorch's golden files and hand-computed values in SpatialTests).
    /// </summary>
    private static Gen<OpSample> GridSampleSamples(int dims, string mode, string padding, bool alignCorners) =>
        from n in Gen.Int[1, 2]
        from c in Gen.Int[1, 3]
        from inSize in Gen.Int[1, dims == 2 ? 5 : 4].Array[dims]
        from outSize in Gen.Int[1, 3].Array[dims]
        from exact in Gen.Int[0, 2].Select(k => k == 0)
        from input in Gens.Tensor([n, c, .. inSize])
        from grid in exact ? ExactGrid([n, .. outSize, dims]) : SmoothGrid([n, .. outSize, dims], inSize, alignCorners)
        select new OpSample(
            $"{mode} {padding} align_corners={alignCorners} input {Shape.Format([n, c, .. inSize])} grid {Shape.Format([n, .. outSize, dims])} {(exact ? "exact points" : "smooth points")}",
            [input, grid], xs => F.GridSample(xs[0], xs[1], mode, padding, alignCorners));

    private static Gen<Tensor> SmoothGrid(int[] gridShape, int[] inSize, bool alignCorners)
    {
        int dims = gridShape[^1];
        int count = gridShape.Aggregate(1, (a, b) => a * b);
        return Gen.Select(Gen.Int[-14, 14].Array[count], Gen.Double[0.06, 0.44].Array[count], (halves, offsets) =>
        {
            var v = new double[count];
            for (int i = 0; i < count; i++)
            {
                int size = inSize[dims - 1 - i % dims];        // grid holds (x, y[, z]): x indexes the last input dim
                double u = halves[i] * 0.5 + offsets[i];       // pixel coordinate, away from every multiple of 0.5
                v[i] = alignCorners
                    ? (size == 1 ? u / 4 : 2 * u / (size - 1) - 1)   // size 1: every grid value reads pixel 0
                    : (2 * u + 1) / size - 1;
            }
            var t = Tensor.FromArray(v, new Shape(gridShape));
            t.RequiresGrad = true;
            return t;
        });
    }

    private static Gen<Tensor> ExactGrid(int[] gridShape)
    {
        int count = gridShape.Aggregate(1, (a, b) => a * b);
        var values = Gen.Frequency((8, Gen.Int[-8, 16].Select(m => -1 + m / 4.0)), (1, Gen.OneOf(Gen.Const(-1000.0), Gen.Const(1000.0))));
        return values.Array[count].Select(v => Catalog.NoGrad(Tensor.FromArray(v, new Shape(gridShape))));
    }

    private static readonly string[] GridModes2d = ["bilinear", "nearest", "bicubic"];
    private static readonly string[] GridPaddings = ["zeros", "border", "reflection"];

    public static IEnumerable<OpInfo> GridSampleOps()
    {
        bool first = true;
        foreach (int dims in new[] { 2, 3 })
            foreach (var mode in dims == 2 ? GridModes2d : GridModes2d[..2])
                foreach (var padding in GridPaddings)
                    foreach (var ac in new[] { false, true })
                    {
                        yield return new OpInfo
                        {
                            Name = $"grid_sample_{dims}d_{mode}_{padding}_ac{(ac ? 1 : 0)}",
                            ErrorName = "grid_sample",
                            Samples = GridSampleSamples(dims, mode, padding, ac),
                            Iterations = dims == 2 ? 10 : 6,
                            Golden = first ? Goldens(("grid_sample", c => F.GridSample(c.Input("input"), c.Input("grid"), c.Str("mode"), c.Str("padding_mode"), c.Bool("align_corners")))) : new(),
                            BadInputs = first ? GridSampleBadInputs : [],
                        };
                        first = false;
                    }
    }

    private static readonly BadInput[] GridSampleBadInputs =
    [
        new("grid with last dim 3 for a 4-D input", () => F.GridSample(Randn([1, 1, 4, 4]), Randn([1, 2, 2, 3])), "(1, 2, 2, 3)", "(N, H_out, W_out, 2)"),
        new("grid of rank 4 for a 5-D input", () => F.GridSample(Randn([1, 1, 2, 4, 4]), Randn([1, 2, 2, 3])), "(1, 2, 2, 3)", "(N, D_out, H_out, W_out, 3)"),
        new("batch mismatch", () => F.GridSample(Randn([2, 1, 4, 4]), Randn([3, 2, 2, 2])), "(2, 1, 4, 4)", "(3, 2, 2, 2)", "batch"),
        new("unknown mode", () => F.GridSample(Randn([1, 1, 4, 4]), Randn([1, 2, 2, 2]), mode: "linear"), "'linear'", "bicubic"),
        new("unknown padding", () => F.GridSample(Randn([1, 1, 4, 4]), Randn([1, 2, 2, 2]), paddingMode: "constant"), "'constant'", "reflection"),
        new("bicubic on a 5-D input", () => F.GridSample(Randn([1, 1, 2, 4, 4]), Randn([1, 2, 2, 2, 3]), mode: "bicubic"), "bicubic", "5-D", "(1, 1, 2, 4, 4)"),
        new("3-D input", () => F.GridSample(Randn([1, 4, 4]), Randn([1, 2, 2, 2])), "(1, 4, 4)"),
        new("empty spatial dim", () => F.GridSample(Randn([1, 1, 0, 4]), Randn([1, 2, 2, 2])), "(1, 1, 0, 4)", "empty"),
        new("dtype mismatch", () => F.GridSample(Randn([1, 1, 4, 4]).ConvertTo(DType.Float32), Randn([1, 2, 2, 2])), "float32", "float64"),
        new("integer grid", () => F.GridSample(Randn([1, 1, 4, 4]), Tensor.Zeros(new Shape(1, 2, 2, 2), DType.Int64)), "grid", "int64"),
    ];
}
