using CsCheck;
using Framework.Testing;

namespace Framework.Tests;

public static partial class Catalog
{
    /// <summary>A convolution's hyper-parameters and an input size the (dilated) kernel fits, including the tightest fit.</summary>
    private sealed record ConvCase(int N, int Groups, int Cg, int Og, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW, int H, int W, bool Bias, bool Unbatched)
    {
        public int C => Groups * Cg;
        public int O => Groups * Og;
        public override string ToString() =>
            $"N{N} C{C} O{O} g{Groups} k({KH},{KW}) s({SH},{SW}) p({PH},{PW}) d({DH},{DW}) in({H},{W}) bias {Bias}{(Unbatched ? " unbatched" : "")}";
    }

    private static readonly Gen<ConvCase> ConvCases =
        from n in Gen.Int[1, 2]
        from groups in Gen.Int[1, 3]
        from cg in Gen.Int[1, 2]
        from og in Gen.Int[1, 2]
        from kh in Gen.Int[1, 3]
        from kw in Gen.Int[1, 3]
        from sh in Gen.Int[1, 2]
        from sw in Gen.Int[1, 2]
        from ph in Gen.Int[0, 2]
        from pw in Gen.Int[0, 1]
        from dh in Gen.Int[1, 2]
        from dw in Gen.Int[1, 2]
        from extraH in Gen.Int[0, 3]
        from extraW in Gen.Int[0, 3]
        from bias in Gen.Bool
        from unbatched in Gen.Int[0, 5]
        let h = Math.Max(1, dh * (kh - 1) + 1 - 2 * ph) + extraH
        let w = Math.Max(1, dw * (kw - 1) + 1 - 2 * pw) + extraW
        select new ConvCase(n, groups, cg, og, kh, kw, sh, sw, ph, pw, dh, dw, h, w, bias, unbatched == 0 && n == 1);

    private static int[] Batched(ConvCase c, params int[] dims) => c.Unbatched ? dims : [c.N, .. dims];

    public static IEnumerable<OpInfo> ConvOps() =>
    [
        new OpInfo
        {
            Name = "conv2d",
            Samples = from c in ConvCases
                      from x in Gens.Tensor(Batched(c, c.C, c.H, c.W))
                      from w in Gens.Tensor([c.O, c.Cg, c.KH, c.KW])
                      from b in Gens.Tensor([c.O])
                      select new OpSample($"conv2d {c}", c.Bias ? [x, w, b] : [x, w],
                          xs => F.Conv2d(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (c.SH, c.SW), (c.PH, c.PW), (c.DH, c.DW), c.Groups)),
            Golden = Goldens(("conv2d", g => F.Conv2d(g.Input("input"), g.Input("weight"), g.OptionalInput("bias"),
                PairOf(g, "stride"), PairOf(g, "padding"), PairOf(g, "dilation"), g.Int("groups")))),
            BadInputs =
            [
                new BadInput("channels not divisible by groups", () => F.Conv2d(Randn([1, 3, 5, 5]), Randn([4, 1, 3, 3]), groups: 2), "3", "groups=2"),
                new BadInput("weight channels do not match the input", () => F.Conv2d(Randn([1, 4, 5, 5]), Randn([2, 3, 3, 3])), "(1, 4, 5, 5)", "(2, 3, 3, 3)"),
                new BadInput("kernel larger than the padded input", () => F.Conv2d(Randn([1, 1, 3, 3]), Randn([1, 1, 5, 5]), padding: 0), "(5, 5)", "(3, 3)"),
                new BadInput("dilated kernel larger than the padded input", () => F.Conv2d(Randn([1, 1, 5, 5]), Randn([1, 1, 3, 3]), dilation: 3), "(7, 7)"),
                new BadInput("2-D input", () => F.Conv2d(Randn([5, 5]), Randn([1, 1, 3, 3])), "(5, 5)"),
                new BadInput("5-D weight", () => F.Conv2d(Randn([1, 1, 5, 5]), Randn([1, 1, 1, 3, 3])), "(1, 1, 1, 3, 3)"),
                new BadInput("negative padding", () => F.Conv2d(Randn([1, 1, 5, 5]), Randn([1, 1, 3, 3]), padding: -1), "padding", "-1"),
                new BadInput("zero stride", () => F.Conv2d(Randn([1, 1, 5, 5]), Randn([1, 1, 3, 3]), stride: 0), "stride"),
                new BadInput("bias of the wrong size", () => F.Conv2d(Randn([1, 1, 5, 5]), Randn([2, 1, 3, 3]), Randn([3])), "bias", "(3)"),
                new BadInput("same padding with stride 2", () => F.Conv2d(Randn([1, 1, 5, 5]), Randn([1, 1, 3, 3]), "same", stride: 2), "same", "strided"),
                new BadInput("unknown padding mode", () => F.Conv2d(Randn([1, 1, 5, 5]), Randn([1, 1, 3, 3]), "full"), "full"),
                new BadInput("float32 weight with float64 input", () => F.Conv2d(Randn([1, 1, 5, 5]), Randn([1, 1, 3, 3]).ConvertTo(DType.Float32)), "float32"),
            ],
        },
        new OpInfo
        {
            Name = "conv2d_same",
            ErrorName = "conv2d",
            Samples = from n in Gen.Int[1, 2]
                      from c in Gen.Int[1, 3]
                      from o in Gen.Int[1, 3]
                      from kh in Gen.Int[1, 4]
                      from kw in Gen.Int[1, 4]
                      from d in Gen.Int[1, 2]
                      from h in Gen.Int[1, 5]
                      from w in Gen.Int[1, 5]
                      from x in Gens.Tensor([n, c, h, w])
                      from wt in Gens.Tensor([o, c, kh, kw])
                      select new OpSample($"conv2d same k({kh},{kw}) d{d} in({h},{w})", [x, wt], xs => F.Conv2d(xs[0], xs[1], "same", dilation: d)),
        },
        new OpInfo
        {
            Name = "conv_transpose2d",
            Samples = from c in ConvCases
                      from oph in Gen.Int[0, Math.Max(c.SH, c.DH) - 1]
                      from opw in Gen.Int[0, Math.Max(c.SW, c.DW) - 1]
                      // the input is the convolution's output size, so the transposed output is at least one pixel
                      let h = Math.Max(1, c.H - 1) let w = Math.Max(1, c.W - 1)
                      where (h - 1) * c.SH - 2 * c.PH + c.DH * (c.KH - 1) + oph + 1 > 0 && (w - 1) * c.SW - 2 * c.PW + c.DW * (c.KW - 1) + opw + 1 > 0
                      from x in Gens.Tensor(Batched(c, c.C, h, w))
                      from wt in Gens.Tensor([c.C, c.Og, c.KH, c.KW])
                      from b in Gens.Tensor([c.O])
                      select new OpSample($"conv_transpose2d {c} output_padding ({oph},{opw})", c.Bias ? [x, wt, b] : [x, wt],
                          xs => F.ConvTranspose2d(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (c.SH, c.SW), (c.PH, c.PW), (oph, opw), c.Groups, (c.DH, c.DW))),
            Golden = Goldens(("conv_transpose2d", g => F.ConvTranspose2d(g.Input("input"), g.Input("weight"), g.OptionalInput("bias"),
                PairOf(g, "stride"), PairOf(g, "padding"), PairOf(g, "output_padding"), g.Int("groups"), PairOf(g, "dilation")))),
            BadInputs =
            [
                new BadInput("output_padding not below stride or dilation", () => F.ConvTranspose2d(Randn([1, 1, 3, 3]), Randn([1, 1, 3, 3]), stride: 2, outputPadding: 2), "output_padding", "2"),
                new BadInput("weight in-channels do not match", () => F.ConvTranspose2d(Randn([1, 3, 3, 3]), Randn([2, 1, 3, 3])), "(1, 3, 3, 3)", "(2, 1, 3, 3)"),
                new BadInput("channels not divisible by groups", () => F.ConvTranspose2d(Randn([1, 3, 3, 3]), Randn([3, 1, 3, 3]), groups: 2), "groups=2"),
                new BadInput("empty output", () => F.ConvTranspose2d(Randn([1, 1, 1, 1]), Randn([1, 1, 1, 1]), padding: 1), "empty output"),
                new BadInput("negative output_padding", () => F.ConvTranspose2d(Randn([1, 1, 3, 3]), Randn([1, 1, 3, 3]), outputPadding: -1), "output_padding"),
            ],
        },
        new OpInfo
        {
            Name = "unfold",
            Samples = from c in ConvCases
                      from x in Gens.Tensor(Batched(c, c.C, c.H, c.W))
                      select new OpSample($"unfold {c}", [x], xs => F.Unfold(xs[0], (c.KH, c.KW), (c.DH, c.DW), (c.PH, c.PW), (c.SH, c.SW))),
            BadInputs =
            [
                new BadInput("kernel larger than the padded image", () => F.Unfold(Randn([1, 1, 3, 3]), 4), "(3, 3)"),
                new BadInput("2-D input", () => F.Unfold(Randn([3, 3]), 2), "(3, 3)"),
                new BadInput("zero kernel", () => F.Unfold(Randn([1, 1, 3, 3]), 0), "kernel_size"),
            ],
        },
        new OpInfo
        {
            Name = "fold",
            Samples = from c in ConvCases
                      let oh = ConvOut(c.H, c.KH, c.SH, c.PH, c.DH) let ow = ConvOut(c.W, c.KW, c.SW, c.PW, c.DW)
                      from x in Gens.Tensor([c.N, c.C * c.KH * c.KW, oh * ow])
                      select new OpSample($"fold {c}", [x], xs => F.Fold(xs[0], (c.H, c.W), (c.KH, c.KW), (c.DH, c.DW), (c.PH, c.PW), (c.SH, c.SW))),
            BadInputs =
            [
                new BadInput("channels not divisible by the kernel size", () => F.Fold(Randn([1, 5, 4]), (3, 3), 2), "divisible", "5"),
                new BadInput("block count does not match", () => F.Fold(Randn([1, 4, 5]), (3, 3), 2), "5 blocks", "4"),
            ],
        },
    ];

    private static Pair PairOf(GoldenCase c, string name) => Pair.From(c.Ints(name), c.Op, name);

    private static int ConvOut(int size, int k, int s, int p, int d) => (size + 2 * p - d * (k - 1) - 1) / s + 1;
}
