using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private static readonly Gen<double> SoftArgmaxBeta = Gen.OneOf(Gen.Const(1.0), Gen.Const(4.0), Gen.Const(-0.5), Gen.Const(20.0));

    private static Gen<OpSample> SoftArgmaxSamples(int dims, Func<Tensor, double, Tensor> fn, string label) =>
        from lead in Gens.Shape(0, 2, 1, 3)
        from spatial in Gen.Int[1, dims == 2 ? 5 : 4].Array[dims]
        from beta in SoftArgmaxBeta
        from x in Gens.Tensor([.. lead, .. spatial])
        select new OpSample($"{label} {x.Shape} beta {beta}", [x], xs => fn(xs[0], beta));

    /// <summary>Coordinates and heatmap flattened into one output, so every check covers both nodes and their summed gradient.</summary>
    private static Tensor CoordsAndHeatmap(Tensor x, double beta, int dims)
    {
        var coords = dims == 2 ? F.SoftArgmax2d(x, beta, out var heatmap) : F.SoftArgmax3d(x, beta, out heatmap);
        return F.Cat([F.Reshape(coords, -1), F.Reshape(heatmap, -1)]);
    }

    public static IEnumerable<OpInfo> SoftArgmaxOps() =>
    [
        new OpInfo
        {
            Name = "softargmax2d",
            Samples = SoftArgmaxSamples(2, (x, b) => F.SoftArgmax2d(x, b), "softargmax2d"),
            Golden = Goldens(("softargmax2d", c => F.SoftArgmax2d(c.Input("heatmaps"), c.Double("beta")))),
            BadInputs =
            [
                new BadInput("1-D heatmaps", () => F.SoftArgmax2d(Randn([5])), "(5)", "(..., H, W)"),
                new BadInput("empty map", () => F.SoftArgmax2d(Randn([2, 0, 4])), "(2, 0, 4)", "non-empty"),
                new BadInput("NaN beta", () => F.SoftArgmax2d(Randn([2, 3, 4]), double.NaN), "beta"),
                new BadInput("integer heatmaps", () => F.SoftArgmax2d(Tensor.Zeros(new Shape(2, 3), DType.Int64)), "heatmaps", "int64"),
            ],
        },
        new OpInfo
        {
            Name = "softargmax3d",
            Samples = SoftArgmaxSamples(3, (x, b) => F.SoftArgmax3d(x, b), "softargmax3d"),
            Golden = Goldens(("softargmax3d", c => F.SoftArgmax3d(c.Input("heatmaps"), c.Double("beta")))),
            BadInputs =
            [
                new BadInput("2-D heatmaps", () => F.SoftArgmax3d(Randn([4, 5])), "(4, 5)", "(..., D, H, W)"),
                new BadInput("infinite beta", () => F.SoftArgmax3d(Randn([2, 3, 4]), double.PositiveInfinity), "beta"),
            ],
        },
        new OpInfo
        {
            Name = "softargmax2d_with_heatmap",
            ErrorName = "softargmax2d",
            Samples = SoftArgmaxSamples(2, (x, b) => CoordsAndHeatmap(x, b, 2), "softargmax2d coords + heatmap"),
        },
        new OpInfo
        {
            Name = "softargmax3d_with_heatmap",
            ErrorName = "softargmax3d",
            Samples = SoftArgmaxSamples(3, (x, b) => CoordsAndHeatmap(x, b, 3), "softargmax3d coords + heatmap"),
        },
    ];
}
