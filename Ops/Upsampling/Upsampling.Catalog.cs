using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    private static Pair<double> ScaleAttr(GoldenCase c) => Pair<double>.From(c.Doubles("scale_factor"), "interpolate", "scale_factor");

    private static Tensor InterpolateGolden(GoldenCase c) => F.Interpolate(c.Input("input"),
        size: c.HasAttr("size") ? PairAttr(c, "size") : null,
        scaleFactor: c.HasAttr("scale_factor") ? ScaleAttr(c) : null,
        mode: c.Str("mode"),
        alignCorners: c.HasAttr("align_corners") ? c.Bool("align_corners") : null,
        recomputeScaleFactor: c.HasAttr("recompute_scale_factor") ? c.Bool("recompute_scale_factor") : null);

    /// <summary>A resize target: either an output size or a scale factor (integer, fractional, below 1).</summary>
    private static readonly Gen<(Pair? Size, Pair<double>? Scale)> ResizeTarget = Gen.OneOf(
        from oh in Gen.Int[1, 7] from ow in Gen.Int[1, 7] select ((Pair?)(oh, ow), (Pair<double>?)null),
        from sh in Gen.OneOf(Gen.Const(0.5), Gen.Const(1.0), Gen.Const(1.5), Gen.Const(2.0), Gen.Const(2.7))
        from sw in Gen.OneOf(Gen.Const(0.6), Gen.Const(1.0), Gen.Const(2.0), Gen.Const(3.0))
        select ((Pair?)null, (Pair<double>?)(sh, sw)));

    private static Gen<OpSample> InterpolateSamples(string mode, bool bilinear) =>
        from n in Gen.Int[1, 2]
        from c in Gen.Int[1, 2]
        from h in Gen.Int[2, 5]
        from w in Gen.Int[2, 5]
        from target in ResizeTarget
        from alignPick in Gen.Int[0, 2]
        let align = bilinear ? alignPick switch { 0 => (bool?)true, 1 => false, _ => null } : null
        from recompute in Gen.Bool
        from x in Gens.Tensor([n, c, h, w])
        select new OpSample($"interpolate ({n}, {c}, {h}, {w}) {mode} size {target.Size} scale {target.Scale} alignCorners {align} recompute {recompute}", [x],
            t => F.Interpolate(t[0], target.Size, target.Scale, mode, align, target.Scale is null ? null : recompute));

    public static IEnumerable<OpInfo> UpsamplingOps() =>
    [
        new OpInfo
        {
            Name = "interpolate",
            Samples = Gen.OneOf(InterpolateSamples("nearest", false), InterpolateSamples("nearest-exact", false), InterpolateSamples("area", false)),
            Golden = Goldens(("interpolate", InterpolateGolden)),
            BadInputs =
            [
                new BadInput("3-D input", () => F.Interpolate(Randn([1, 2, 4]), size: 8), "4-D", "(1, 2, 4)"),
                new BadInput("unknown mode", () => F.Interpolate(Randn([1, 1, 2, 2]), size: 4, mode: "cubic"), "unknown mode", "cubic"),
                new BadInput("both size and scale factor", () => F.Interpolate(Randn([1, 1, 2, 2]), size: 4, scaleFactor: 2), "only one of size or scale_factor"),
                new BadInput("neither size nor scale factor", () => F.Interpolate(Randn([1, 1, 2, 2])), "either size or scale_factor"),
                new BadInput("align corners with nearest", () => F.Interpolate(Randn([1, 1, 2, 2]), size: 4, alignCorners: true), "align_corners", "nearest"),
                new BadInput("zero output size", () => F.Interpolate(Randn([1, 1, 2, 2]), size: (0, 3)), "greater than 0", "H: 0"),
                new BadInput("scale factor shrinking to nothing", () => F.Interpolate(Randn([1, 1, 2, 2]), scaleFactor: 0.25), "greater than 0"),
                new BadInput("negative scale factor", () => F.Interpolate(Randn([1, 1, 2, 2]), scaleFactor: -2, mode: "bilinear"), "greater than 0"),
                new BadInput("recompute with a size", () => F.Interpolate(Randn([1, 1, 2, 2]), size: 4, recomputeScaleFactor: true), "recompute_scale_factor"),
                new BadInput("infinite scale factor", () => F.Interpolate(Randn([1, 1, 2, 2]), scaleFactor: double.PositiveInfinity), "scale_factor"),
            ],
        },
        new OpInfo
        {
            Name = "interpolate_bilinear",
            ErrorName = "interpolate",
            Samples = InterpolateSamples("bilinear", true),
            BadInputs = [new BadInput("5-D input", () => F.Interpolate(Randn([1, 1, 2, 2, 2]), size: 4, mode: "bilinear"), "4-D", "(1, 1, 2, 2, 2)")],
        },
        new OpInfo
        {
            Name = "pixel_shuffle",
            Samples = from lead in Gens.Shape(0, 2, 1, 2)
                      from c in Gen.Int[1, 2]
                      from r in Gen.Int[1, 3]
                      from h in Gen.Int[1, 3]
                      from w in Gen.Int[1, 3]
                      let shape = lead.Concat(new[] { c * r * r, h, w }).ToArray()
                      from x in Gens.Tensor(shape)
                      select new OpSample($"pixel_shuffle {Shape.Format(shape)} r {r}", [x], t => F.PixelShuffle(t[0], r)),
            BadInputs =
            [
                new BadInput("2-D input", () => F.PixelShuffle(Randn([4, 4]), 2), "3 dimensions", "(4, 4)"),
                new BadInput("channels not divisible by r^2", () => F.PixelShuffle(Randn([1, 6, 2, 2]), 2), "divisible", "6"),
                new BadInput("zero factor", () => F.PixelShuffle(Randn([1, 4, 2, 2]), 0), "upscale_factor", "0"),
            ],
        },
        new OpInfo
        {
            Name = "pixel_unshuffle",
            Samples = from lead in Gens.Shape(0, 2, 1, 2)
                      from c in Gen.Int[1, 2]
                      from r in Gen.Int[1, 3]
                      from h in Gen.Int[1, 2]
                      from w in Gen.Int[1, 2]
                      let shape = lead.Concat(new[] { c, h * r, w * r }).ToArray()
                      from x in Gens.Tensor(shape)
                      select new OpSample($"pixel_unshuffle {Shape.Format(shape)} r {r}", [x], t => F.PixelUnshuffle(t[0], r)),
            BadInputs =
            [
                new BadInput("2-D input", () => F.PixelUnshuffle(Randn([4, 4]), 2), "3 dimensions", "(4, 4)"),
                new BadInput("height not divisible", () => F.PixelUnshuffle(Randn([1, 1, 3, 4]), 2), "height", "3"),
                new BadInput("width not divisible", () => F.PixelUnshuffle(Randn([1, 1, 4, 5]), 2), "width", "5"),
                new BadInput("negative factor", () => F.PixelUnshuffle(Randn([1, 1, 4, 4]), -2), "downscale_factor", "-2"),
            ],
        },
    ];
}
