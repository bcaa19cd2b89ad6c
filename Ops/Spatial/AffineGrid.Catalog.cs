using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private static Gen<OpSample> AffineGridSamples(bool volumetric, bool alignCorners) =>
        from n in Gen.Int[1, 3]
        from c in Gen.Int[1, 3]
        from spatial in Gen.Int[1, 5].Array[volumetric ? 3 : 2]
        from theta in Gens.Tensor([n, volumetric ? 3 : 2, volumetric ? 4 : 3])
        let size = new[] { n, c }.Concat(spatial).ToArray()
        select new OpSample($"theta {theta.Shape} size {Shape.Format(size)} align_corners={alignCorners}", [theta],
            xs => F.AffineGrid(xs[0], size, alignCorners));

    public static IEnumerable<OpInfo> AffineGridOps() =>
    [
        new OpInfo
        {
            Name = "affine_grid_2d_ac0",
            ErrorName = "affine_grid",
            Samples = AffineGridSamples(false, false),
            Golden = Goldens(("affine_grid", c => F.AffineGrid(c.Input("theta"), c.Ints("size"), c.Bool("align_corners")))),
            BadInputs =
            [
                new BadInput("theta 3 x 3 for a 4-D size", () => F.AffineGrid(Randn([2, 3, 3]), [2, 1, 4, 4]), "(2, 3, 3)", "(N, 2, 3)", "[2, 1, 4, 4]"),
                new BadInput("theta 2 x 3 for a 5-D size", () => F.AffineGrid(Randn([1, 2, 3]), [1, 1, 2, 4, 4]), "(1, 2, 3)", "(N, 3, 4)"),
                new BadInput("theta of rank 2", () => F.AffineGrid(Randn([2, 3]), [1, 1, 4, 4]), "(2, 3)"),
                new BadInput("size of length 3", () => F.AffineGrid(Randn([1, 2, 3]), [1, 4, 4]), "[1, 4, 4]"),
                new BadInput("batch mismatch between theta and size", () => F.AffineGrid(Randn([2, 2, 3]), [3, 1, 4, 4]), "(2, 2, 3)", "N = 3"),
                new BadInput("empty size", () => F.AffineGrid(Randn([1, 2, 3]), [1, 1, 0, 4]), "[1, 1, 0, 4]", "positive"),
                new BadInput("integer theta", () => F.AffineGrid(Tensor.Zeros(new Shape(1, 2, 3), DType.Int64), [1, 1, 4, 4]), "theta", "int64"),
            ],
        },
        new OpInfo { Name = "affine_grid_2d_ac1", ErrorName = "affine_grid", Samples = AffineGridSamples(false, true) },
        new OpInfo { Name = "affine_grid_3d_ac0", ErrorName = "affine_grid", Samples = AffineGridSamples(true, false) },
        new OpInfo { Name = "affine_grid_3d_ac1", ErrorName = "affine_grid", Samples = AffineGridSamples(true, true) },
        new OpInfo
        {
            // a spatial transformer: the gradient reaches theta through the grid (bicubic: smooth everywhere, no kinks)
            Name = "affine_grid_grid_sample_bicubic",
            ErrorName = "grid_sample",
            Samples = from n in Gen.Int[1, 2]
                      from c in Gen.Int[1, 2]
                      from hw in Gen.Int[2, 5].Array[2]
                      from input in Gens.Tensor([n, c, hw[0], hw[1]])
                      from noise in Gens.Tensor([n, 2, 3], -0.3, 0.3)
                      from ac in Gen.Bool
                      let theta = Grad((F.Unsqueeze(Tensor.Eye(2, 3, DType.Float64), 0) + noise.Detach()).Detach())[0]
                      select new OpSample($"input {input.Shape} theta {theta.Shape} align_corners={ac}", [input, theta], xs =>
                          F.GridSample(xs[0], F.AffineGrid(xs[1], [n, c, hw[0], hw[1]], ac), "bicubic", "zeros", ac)),
        },
    ];
}
