using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// 2-D convolution (cross-correlation) as torch.nn.functional.conv2d: input (N, C, H, W) or (C, H, W),
    /// weight (O, C / groups, KH, KW), optional bias (O). stride, padding and dilation take an int or an
    /// (h, w) pair; groups = C gives a depthwise convolution.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, Pair? stride = null, Pair? padding = null,
        Pair? dilation = null, int groups = 1)
    {
        Pair p = padding ?? 0;
        ConvGeometry.CheckPositive("conv2d", "padding", p, min: 0);
        return Conv2dImpl(input, weight, bias, stride ?? 1, (p.H, p.H, p.W, p.W), dilation ?? 1, groups);
    }

    /// <summary>conv2d with padding "valid" (none) or "same" (output the size of the input; unit stride only,
    /// the odd extra row or column of padding goes to the bottom and right, as PyTorch).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, string padding, Tensor? bias = null, Pair? stride = null,
        Pair? dilation = null, int groups = 1)
    {
        Pair s = stride ?? 1, d = dilation ?? 1;
        switch (padding)
        {
            case "valid":
                return Conv2dImpl(input, weight, bias, s, (0, 0, 0, 0), d, groups);
            case "same":
                if (s != new Pair(1, 1))
                    throw new ArgumentException($"conv2d: padding='same' is not supported for strided convolutions (stride {s})");
                if (weight.Rank != 4) Check.Rank("conv2d", weight, 4, "weight", "(out_channels, in_channels / groups, kH, kW)");
                int th = d.H * (weight.Shape[2] - 1), tw = d.W * (weight.Shape[3] - 1);
                return Conv2dImpl(input, weight, bias, s, (th / 2, th - th / 2, tw / 2, tw - tw / 2), d, groups);
            default:
                throw new ArgumentException($"conv2d: padding must be \"valid\", \"same\", an int or a pair, got \"{padding}\"");
        }
    }

    private static Tensor Conv2dImpl(Tensor input, Tensor weight, Tensor? bias, Pair stride, (int T, int B, int L, int R) pad, Pair dilation, int groups)
    {
        const string op = "conv2d";
        if (input.Rank == 3 && weight.Rank == 4)
            return Squeeze(Conv2dImpl(Unsqueeze(input, 0), weight, bias, stride, pad, dilation, groups), 0);
        var g = ConvChecks.Geometry(op, input, weight, bias, stride, pad, dilation, groups, transposed: false);
        var y = Tensor.Empty(new Shape(g.OutputShape), input.DType, input.Device);
        ConvKernels.Forward(g, input, weight, bias, y);
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Autograd.Record(op, y, inputs, gy => [
            input.RequiresGrad ? ConvKernels.InputGrad(g, gy, weight) : null,
            weight.RequiresGrad ? ConvKernels.WeightGrad(g, gy, input, weight.Shape) : null,
            .. bias is null ? Array.Empty<Tensor?>() : [bias.RequiresGrad ? ConvKernels.BiasGrad(g.N, g.O, g.L, gy) : null],
        ]);
    }

    /// <summary>
    /// Transposed 2-D convolution as torch.nn.functional.conv_transpose2d (the adjoint of conv2d): input
    /// (N, C_in, H, W), weight (C_in, C_out / groups, KH, KW), bias (C_out). The output is
    /// (H - 1) stride - 2 padding + dilation (KH - 1) + outputPadding + 1 high (likewise wide).
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, Pair? stride = null, Pair? padding = null,
        Pair? outputPadding = null, int groups = 1, Pair? dilation = null)
    {
        const string op = "conv_transpose2d";
        if (input.Rank == 3 && weight.Rank == 4)
            return Squeeze(ConvTranspose2d(Unsqueeze(input, 0), weight, bias, stride, padding, outputPadding, groups, dilation), 0);
        Pair s = stride ?? 1, p = padding ?? 0, op2 = outputPadding ?? 0, d = dilation ?? 1;
        ConvGeometry.CheckPositive(op, "padding", p, min: 0);
        ConvGeometry.CheckPositive(op, "output_padding", op2, min: 0);
        ConvGeometry.CheckPositive(op, "stride", s);
        ConvGeometry.CheckPositive(op, "dilation", d);
        if (op2.H >= Math.Max(s.H, d.H) || op2.W >= Math.Max(s.W, d.W))
            throw new ArgumentException($"{op}: output_padding {op2} must be smaller than either stride {s} or dilation {d}");
        var g = ConvChecks.Geometry(op, input, weight, bias, s, (p.H, p.H, p.W, p.W), d, groups, transposed: true, op2);
        // g is the convolution this op is the adjoint of: its input is our output, its output our input
        var y = Tensor.Zeros(new Shape(g.InputShape), input.DType, input.Device);
        ConvKernels.InputGradInto(g, input, weight, y);
        if (bias is not null) y = AddChannelBias(y, bias);
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Autograd.Record(op, y, inputs, gy =>
        {
            Tensor? gx = null;
            if (input.RequiresGrad)
            {
                gx = Tensor.Empty(new Shape(g.OutputShape), input.DType, input.Device);
                ConvKernels.Forward(g, gy, weight, null, gx);
            }
            return [
                gx,
                weight.RequiresGrad ? ConvKernels.WeightGrad(g, input, gy, weight.Shape) : null,
                .. bias is null ? Array.Empty<Tensor?>() : [bias.RequiresGrad ? ConvKernels.BiasGrad(g.N, g.C, (int)g.InPlane, gy) : null],
            ];
        });
    }

    /// <summary>y + bias[c] on every channel c of an (N, C, H, W) tensor, outside autograd.</summary>
    private static Tensor AddChannelBias(Tensor y, Tensor bias)
    {
        using (Autograd.NoGrad()) return Add(y, Reshape(bias, 1, -1, 1, 1));
    }
}

/// <summary>Argument checks of the convolutions, with PyTorch's rules and messages that name the shapes.</summary>
internal static class ConvChecks
{
    public static ConvGeometry Geometry(string op, Tensor input, Tensor weight, Tensor? bias, Pair stride, (int T, int B, int L, int R) pad,
        Pair dilation, int groups, bool transposed, Pair outputPadding = default)
    {
        Check.Float(op, input);
        Check.Float(op, weight, "weight");
        Check.SameDTypeAndDevice(op, input, weight);
        if (input.Rank != 4)
            throw new ArgumentException($"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.Shape}");
        string layout = transposed ? "(in_channels, out_channels / groups, kH, kW)" : "(out_channels, in_channels / groups, kH, kW)";
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight must be 4-D {layout}, got shape {weight.Shape}");
        ConvGeometry.CheckPositive(op, "stride", stride);
        ConvGeometry.CheckPositive(op, "dilation", dilation);
        if (groups <= 0) throw new ArgumentException($"{op}: groups must be positive, got {groups}");
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int kh = weight.Shape[2], kw = weight.Shape[3];
        if (kh == 0 || kw == 0) throw new ArgumentException($"{op}: weight {weight.Shape} has an empty kernel");
        if (c % groups != 0) throw new ArgumentException($"{op}: input channels {c} (input {input.Shape}) are not divisible by groups={groups}");
        int outChannels;
        if (transposed)
        {
            if (weight.Shape[0] != c)
                throw new ArgumentException($"{op}: input {input.Shape} has {c} channels but weight {weight.Shape} expects {weight.Shape[0]} (weight is {layout})");
            outChannels = weight.Shape[1] * groups;
        }
        else
        {
            if (weight.Shape[0] % groups != 0)
                throw new ArgumentException($"{op}: out channels {weight.Shape[0]} (weight {weight.Shape}) are not divisible by groups={groups}");
            if (weight.Shape[1] * groups != c)
                throw new ArgumentException($"{op}: input {input.Shape} has {c} channels but weight {weight.Shape} with groups={groups} expects {weight.Shape[1] * groups}");
            outChannels = weight.Shape[0];
        }
        if (bias is not null)
        {
            Check.SameDTypeAndDevice(op, input, bias);
            if (bias.Rank != 1 || bias.Shape[0] != outChannels)
                throw new ArgumentException($"{op}: bias must have shape ({outChannels}), got {bias.Shape}");
        }
        if (transposed)
        {
            int oh = (h - 1) * stride.H - pad.T - pad.B + dilation.H * (kh - 1) + outputPadding.H + 1;
            int ow = (w - 1) * stride.W - pad.L - pad.R + dilation.W * (kw - 1) + outputPadding.W + 1;
            if (oh <= 0 || ow <= 0)
                throw new ArgumentException($"{op}: input {input.Shape} with kernel ({kh}, {kw}), stride {stride}, padding ({pad.T}, {pad.L}) gives an empty output ({oh}, {ow})");
            return new ConvGeometry(n, outChannels, oh, ow, c, groups, kh, kw, stride.H, stride.W, pad.T, pad.L, dilation.H, dilation.W, h, w);
        }
        int effH = dilation.H * (kh - 1) + 1, effW = dilation.W * (kw - 1) + 1;
        if (h + pad.T + pad.B < effH || w + pad.L + pad.R < effW)
            throw new ArgumentException(
                $"{op}: kernel size ({effH}, {effW}) (dilated) can't be greater than the padded input size ({h + pad.T + pad.B}, {w + pad.L + pad.R}) of input {input.Shape}");
        int outH = ConvGeometry.OutSize(h, kh, stride.H, pad.T + pad.B, dilation.H);
        int outW = ConvGeometry.OutSize(w, kw, stride.W, pad.L + pad.R, dilation.W);
        return new ConvGeometry(n, c, h, w, outChannels, groups, kh, kw, stride.H, stride.W, pad.T, pad.L, dilation.H, dilation.W, outH, outW);
    }
}

/// <summary>Dispatch of the convolution products to the CPU (GEMM) or ILGPU (direct) kernels, per dtype.</summary>
internal static class ConvKernels
{
    public static void Forward(ConvGeometry g, Tensor x, Tensor w, Tensor? b, Tensor y)
    {
        if (y.Numel == 0) return;
        if (x.DType == DType.Float32) Forward<float>(g, x, w, b, y); else Forward<double>(g, x, w, b, y);
    }

    private static void Forward<T>(ConvGeometry g, Tensor x, Tensor w, Tensor? b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Device.IsIlgpu) ConvGpu.Forward<T>(g, x, w, b, y);
        else ConvCpu.Forward<T>(g, x, w, b, y);
    }

    public static Tensor InputGrad(ConvGeometry g, Tensor gy, Tensor w)
    {
        var dx = Tensor.Zeros(new Shape(g.InputShape), gy.DType, gy.Device);
        InputGradInto(g, gy, w, dx);
        return dx;
    }

    /// <summary>dx (zeroed, the convolution's input shape) = its input gradient for output gradient gy.</summary>
    public static void InputGradInto(ConvGeometry g, Tensor gy, Tensor w, Tensor dx)
    {
        if (dx.Numel == 0) return;
        if (gy.DType == DType.Float32) InputGrad<float>(g, gy, w, dx); else InputGrad<double>(g, gy, w, dx);
    }

    private static void InputGrad<T>(ConvGeometry g, Tensor gy, Tensor w, Tensor dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gy.Device.IsIlgpu) ConvGpu.BackwardInput<T>(g, gy, w, dx);
        else ConvCpu.BackwardInput<T>(g, gy, w, dx);
    }

    public static Tensor WeightGrad(ConvGeometry g, Tensor gy, Tensor x, Shape weightShape)
    {
        var dw = Tensor.Zeros(weightShape, gy.DType, gy.Device);
        if (dw.Numel == 0) return dw;
        if (gy.DType == DType.Float32) WeightGrad<float>(g, gy, x, dw); else WeightGrad<double>(g, gy, x, dw);
        return dw;
    }

    private static void WeightGrad<T>(ConvGeometry g, Tensor gy, Tensor x, Tensor dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gy.Device.IsIlgpu) ConvGpu.BackwardWeight<T>(g, gy, x, dw);
        else ConvCpu.BackwardWeight<T>(g, gy, x, dw);
    }

    /// <summary>The bias gradient: gy (n, channels, l) summed over n and l.</summary>
    public static Tensor BiasGrad(int n, int channels, int l, Tensor gy)
    {
        var db = Tensor.Zeros(new Shape(channels), gy.DType, gy.Device);
        if (gy.DType == DType.Float32) BiasGrad<float>(n, channels, l, gy, db); else BiasGrad<double>(n, channels, l, gy, db);
        return db;
    }

    private static void BiasGrad<T>(int n, int channels, int l, Tensor gy, Tensor db) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gy.Device.IsIlgpu) ConvGpu.BackwardBias<T>(gy, db, n, channels, l);
        else ConvCpu.BackwardBias<T>(gy, db, n, channels, l);
    }
}
