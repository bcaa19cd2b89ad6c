using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    /// <summary>
    /// Target offsets chosen through the sample point each lands on in d's pixel grid, (Y, X) in [-2, h + 2) x [-2, w + 2)
    /// (inside, on the border of and outside the field): smooth ones keep Y and X at least 0.05 from an integer
    /// (the tent kernel's kinks) and are differentiable; integer ones (t = Y / r_h - i with integer Y) sit on the
    /// kinks, where only d is differentiable (the floor rule there is checked exactly in SpatialTests).
    /// </summary>
    private static Gen<Tensor> TargetOffsets(int b, int n, int bigH, int bigW, int h, int w, bool integer) =>
        Gen.Select(Gen.Int[-2, Math.Max(h, w) + 1].Array[b * 2 * n * bigH * bigW], Gen.Double[0.05, 0.95].Array[b * 2 * n * bigH * bigW], (cells, fractions) =>
        {
            var v = new double[cells.Length];
            for (int e = 0; e < v.Length; e++)
            {
                int j = e % bigW, i = e / bigW % bigH, channel = e / (bigW * bigH) % (2 * n);
                bool isY = channel % 2 == 0;
                int limit = isY ? h : w;
                double target = Math.Clamp(cells[e], -2, limit + 1) + (integer ? 0 : fractions[e]);
                v[e] = isY ? target * bigH / h - i : target * bigW / w - j;
            }
            var t = Tensor.FromArray(v, new Shape(b, 2 * n, bigH, bigW));
            t.RequiresGrad = !integer;
            return t;
        });

    public static OpInfo PointsCollectionOp() => new()
    {
        Name = "points_collection",
        Samples = from b in Gen.Int[1, 2]
                  from n in Gen.Int[1, 3]
                  from m in Gen.Int[1, 3]
                  from sizes in Gen.Int[1, 5].Array[4]   // H, W, h, w: ratios h/H and w/W below, at and above 1
                  from integer in Gen.Int[0, 2].Select(k => k == 0)
                  from t in TargetOffsets(b, n, sizes[0], sizes[1], sizes[2], sizes[3], integer)
                  from d in Gens.Tensor([b, 2 * m, sizes[2], sizes[3]])
                  select new OpSample($"t {t.Shape} d {d.Shape} r_h {sizes[2]}/{sizes[0]} r_w {sizes[3]}/{sizes[1]} {(integer ? "integer points" : "non-integer points")}",
                      [t, d], xs => F.PointsCollection(xs[0], xs[1])),
        Golden = Goldens(("points_collection", c => F.PointsCollection(c.Input("target_offsets"), c.Input("deformable_offsets")))),
        BadInputs =
        [
            new BadInput("odd target channel count", () => F.PointsCollection(Randn([1, 3, 4, 4]), Randn([1, 2, 4, 4])), "(1, 3, 4, 4)", "even"),
            new BadInput("odd deformable channel count", () => F.PointsCollection(Randn([1, 2, 4, 4]), Randn([1, 5, 4, 4])), "(1, 5, 4, 4)", "even"),
            new BadInput("batch mismatch", () => F.PointsCollection(Randn([2, 2, 4, 4]), Randn([3, 2, 4, 4])), "(2, 2, 4, 4)", "(3, 2, 4, 4)", "batch"),
            new BadInput("empty target map", () => F.PointsCollection(Randn([1, 2, 0, 4]), Randn([1, 2, 4, 4])), "(1, 2, 0, 4)", "empty"),
            new BadInput("empty deformable map", () => F.PointsCollection(Randn([1, 2, 4, 4]), Randn([1, 2, 4, 0])), "(1, 2, 4, 0)", "empty"),
            new BadInput("3-D target offsets", () => F.PointsCollection(Randn([2, 4, 4]), Randn([1, 2, 4, 4])), "(2, 4, 4)", "(B, 2N, H, W)"),
            new BadInput("dtype mismatch", () => F.PointsCollection(Randn([1, 2, 4, 4]).ConvertTo(DType.Float32), Randn([1, 2, 4, 4])), "float32", "float64"),
        ],
    };
}
