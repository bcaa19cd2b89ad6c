using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// Extracts sliding local blocks (im2col), as torch.nn.functional.unfold: input (N, C, H, W) gives
    /// (N, C KH KW, L) where L counts the block positions. A convolution is then weight.view(O, -1) @ unfold(x).
    /// </summary>
    public static Tensor Unfold(Tensor input, Pair kernelSize, Pair? dilation = null, Pair? padding = null, Pair? stride = null)
    {
        const string op = "unfold";
        if (input.Rank == 3) return Squeeze(Unfold(Unsqueeze(input, 0), kernelSize, dilation, padding, stride), 0);
        Check.Float(op, input);
        if (input.Rank != 4) throw new ArgumentException($"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.Shape}");
        var g = FoldGeometry(op, input.Shape[0], input.Shape[1], input.Shape[2], input.Shape[3], kernelSize, dilation ?? 1, padding ?? 0, stride ?? 1);
        var cols = Tensor.Empty(new Shape(g.N, g.K, g.L), input.DType, input.Device);
        FoldKernels.Unfold(g, input, cols);
        return Autograd.Record(op, cols, [input], gc =>
        {
            var gx = Tensor.Zeros(input.Shape, input.DType, input.Device);
            FoldKernels.Fold(g, gc, gx);
            return [gx];
        });
    }

    /// <summary>
    /// Combines sliding local blocks into an image (col2im), as torch.nn.functional.fold, the adjoint of
    /// <see cref="Unfold"/>: input (N, C KH KW, L) gives (N, C, outputSize.H, outputSize.W), overlaps summed.
    /// </summary>
    public static Tensor Fold(Tensor input, Pair outputSize, Pair kernelSize, Pair? dilation = null, Pair? padding = null, Pair? stride = null)
    {
        const string op = "fold";
        if (input.Rank == 2) return Squeeze(Fold(Unsqueeze(input, 0), outputSize, kernelSize, dilation, padding, stride), 0);
        Check.Float(op, input);
        if (input.Rank != 3) throw new ArgumentException($"{op}: expected a 2-D (C kH kW, L) or 3-D (N, C kH kW, L) input, got shape {input.Shape}");
        ConvGeometry.CheckPositive(op, "kernel_size", kernelSize);
        ConvGeometry.CheckPositive(op, "output_size", outputSize);
        int kk = kernelSize.H * kernelSize.W;
        if (input.Shape[1] % kk != 0)
            throw new ArgumentException($"{op}: input {input.Shape}: dimension 1 ({input.Shape[1]}) must be divisible by the kernel size product {kk} (kernel {kernelSize})");
        var g = FoldGeometry(op, input.Shape[0], input.Shape[1] / kk, outputSize.H, outputSize.W, kernelSize, dilation ?? 1, padding ?? 0, stride ?? 1);
        if (input.Shape[2] != g.L)
            throw new ArgumentException($"{op}: input {input.Shape} has {input.Shape[2]} blocks, but output size {outputSize} with kernel {kernelSize} gives {g.OH} x {g.OW} = {g.L}");
        var y = Tensor.Zeros(new Shape(g.N, g.C, g.H, g.W), input.DType, input.Device);
        FoldKernels.Fold(g, input, y);
        return Autograd.Record(op, y, [input], gy =>
        {
            var gc = Tensor.Empty(input.Shape, input.DType, input.Device);
            FoldKernels.Unfold(g, gy, gc);
            return [gc];
        });
    }

    private static ConvGeometry FoldGeometry(string op, int n, int c, int h, int w, Pair k, Pair d, Pair p, Pair s)
    {
        ConvGeometry.CheckPositive(op, "kernel_size", k);
        ConvGeometry.CheckPositive(op, "dilation", d);
        ConvGeometry.CheckPositive(op, "stride", s);
        ConvGeometry.CheckPositive(op, "padding", p, min: 0);
        int oh = ConvGeometry.OutSize(h, k.H, s.H, 2 * p.H, d.H), ow = ConvGeometry.OutSize(w, k.W, s.W, 2 * p.W, d.W);
        if (h + 2 * p.H < d.H * (k.H - 1) + 1 || w + 2 * p.W < d.W * (k.W - 1) + 1 || oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: kernel {k} with dilation {d} does not fit the padded image ({h + 2 * p.H}, {w + 2 * p.W}) (padding {p})");
        return new ConvGeometry(n, c, h, w, c * k.H * k.W, 1, k.H, k.W, s.H, s.W, p.H, p.W, d.H, d.W, oh, ow);
    }
}

/// <summary>Unfold and fold over a batch, per dtype and device.</summary>
internal static unsafe class FoldKernels
{
    public static void Unfold(ConvGeometry g, Tensor x, Tensor cols)
    {
        if (cols.Numel == 0) return;
        if (x.DType == DType.Float32) Unfold<float>(g, x, cols); else Unfold<double>(g, x, cols);
    }

    public static void Fold(ConvGeometry g, Tensor cols, Tensor x)
    {
        if (x.Numel == 0) return;
        if (x.DType == DType.Float32) Fold<float>(g, cols, x); else Fold<double>(g, cols, x);
    }

    private static void Unfold<T>(ConvGeometry g, Tensor x, Tensor cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Device.IsIlgpu) { ConvGpu.Unfold<T>(g, x, cols); return; }
        T[] xd = x.Data<T>(), cd = cols.Data<T>();
        long inImage = g.C * g.InPlane, outImage = (long)g.K * g.L;
        Par.For(g.N, outImage, (s, e) =>
        {
            fixed (T* px = xd, pc = cd)
                for (long n = s; n < e; n++) Im2Col.Unfold(g, px + n * inImage, pc + n * outImage);
        });
    }

    private static void Fold<T>(ConvGeometry g, Tensor cols, Tensor x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Device.IsIlgpu) { ConvGpu.Fold<T>(g, cols, x); return; }
        T[] xd = x.Data<T>(), cd = cols.Data<T>();
        long inImage = g.C * g.InPlane, outImage = (long)g.K * g.L;
        Par.For(g.N, outImage, (s, e) =>
        {
            fixed (T* px = xd, pc = cd)
                for (long n = s; n < e; n++) Im2Col.Fold(g, pc + n * outImage, px + n * inImage);
        });
    }
}
