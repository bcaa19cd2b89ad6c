using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// Deformable convolution as torchvision.ops.deform_conv2d (DCNv1; DCNv2 with a mask). Every kernel point k
    /// of output position (oh, ow) samples the input bilinearly at
    ///     (oh sH - pH + ki dH + offset[2k], ow sW - pW + kj dW + offset[2k + 1])
    /// (offset channel 2k is the y (row) offset of kernel point k = ki KW + kj, 2k + 1 its x offset), the sample is
    /// multiplied by mask[k] when a mask is given, and the samples are convolved with the weight.
    /// input (N, C, H, W); offset (N, 2 offset_groups KH KW, OH, OW); weight (O, C / groups, KH, KW), groups inferred
    /// from weight.shape[1] as torchvision does; bias (O); mask (N, offset_groups KH KW, OH, OW). Offset groups split
    /// the input channels: channel c moves with group c / (C / offset_groups). Samples outside (-1, H) x (-1, W)
    /// read zero, as do corner pixels outside the image.
    /// </summary>
    public static Tensor DeformConv2d(Tensor input, Tensor offset, Tensor weight, Tensor? bias = null, Pair? stride = null,
        Pair? padding = null, Pair? dilation = null, Tensor? mask = null)
    {
        const string op = "deform_conv2d";
        var g = DeformChecks.Geometry(op, input, offset, weight, bias, mask, stride ?? 1, padding ?? 0, dilation ?? 1);
        var y = Tensor.Zeros(new Shape(g.OutputShape), input.DType, input.Device);
        DeformKernels.Forward(g, input, offset, mask, weight, bias, y);
        var inputs = new List<Tensor> { input, offset, weight };
        if (bias is not null) inputs.Add(bias);
        if (mask is not null) inputs.Add(mask);
        return Autograd.Record(op, y, [.. inputs], gy =>
        {
            var r = DeformKernels.Backward(g, gy, input, offset, mask, weight,
                input.RequiresGrad, offset.RequiresGrad, mask?.RequiresGrad ?? false, weight.RequiresGrad);
            var grads = new List<Tensor?> { r.Input, r.Offset, r.Weight };
            if (bias is not null) grads.Add(bias.RequiresGrad ? ConvKernels.BiasGrad(g.N, g.O, g.L, gy) : null);
            if (mask is not null) grads.Add(r.Mask);
            return [.. grads];
        });
    }
}

/// <summary>
/// The sizes of one deform_conv2d call, as plain ints (an ILGPU kernel parameter): input (N, C, H, W), weight
/// (O, C / Groups, KH, KW), OffsetGroups offset groups, output (N, O, OH, OW); UseMask is 1 with a DCNv2 mask.
/// </summary>
internal readonly record struct DeformGeometry(
    int N, int C, int H, int W, int O, int Groups, int OffsetGroups, int KH, int KW,
    int SH, int SW, int PH, int PW, int DH, int DW, int OH, int OW, int UseMask)
{
    public int Cg => C / Groups;
    public int Og => O / Groups;
    /// <summary>Kernel points: KH KW.</summary>
    public int KK => KH * KW;
    /// <summary>Rows of one weight group's columns matrix: Cg KH KW.</summary>
    public int K => Cg * KK;
    /// <summary>Output positions per image: OH OW.</summary>
    public int L => OH * OW;
    /// <summary>Input channels per offset group.</summary>
    public int Cpo => C / OffsetGroups;
    public long Plane => (long)H * W;

    public int[] OutputShape => [N, O, OH, OW];
}

/// <summary>torchvision's argument rules for deform_conv2d, with messages that name the offending shapes.</summary>
internal static class DeformChecks
{
    public static DeformGeometry Geometry(string op, Tensor input, Tensor offset, Tensor weight, Tensor? bias, Tensor? mask,
        Pair stride, Pair padding, Pair dilation)
    {
        Check.Float(op, input);
        Check.Float(op, offset, "offset");
        Check.Float(op, weight, "weight");
        Check.SameDTypeAndDevice(op, input, offset);
        Check.SameDTypeAndDevice(op, input, weight);
        if (input.Rank != 4) throw new ArgumentException($"{op}: expected a 4-D input (N, C, H, W), got shape {input.Shape}");
        if (offset.Rank != 4)
            throw new ArgumentException($"{op}: offset must be 4-D (N, 2 * offset_groups * kH * kW, out_h, out_w), got shape {offset.Shape}");
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight must be 4-D (out_channels, in_channels / groups, kH, kW), got shape {weight.Shape}");
        ConvGeometry.CheckPositive(op, "stride", stride);
        ConvGeometry.CheckPositive(op, "dilation", dilation);
        ConvGeometry.CheckPositive(op, "padding", padding, min: 0);
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int o = weight.Shape[0], wc = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        if (kh == 0 || kw == 0) throw new ArgumentException($"{op}: weight {weight.Shape} has an empty kernel");
        if (c == 0 || wc == 0)
            throw new ArgumentException($"{op}: input {input.Shape} and weight {weight.Shape} need at least one input channel to infer the groups (in_channels / weight.shape[1])");
        if (c % wc != 0)
            throw new ArgumentException($"{op}: input channels {c} (input {input.Shape}) are not a multiple of weight.shape[1] = {wc} (weight {weight.Shape}), so no group count fits");
        int groups = c / wc;
        if (o % groups != 0)
            throw new ArgumentException($"{op}: out channels {o} (weight {weight.Shape}) are not divisible by groups={groups} (input channels {c} / weight.shape[1] {wc})");
        int points = kh * kw;
        int offsetChannels = offset.Shape[1];
        if (offsetChannels == 0 || offsetChannels % (2 * points) != 0)
            throw new ArgumentException(
                $"{op}: offset must have 2 * offset_groups * kH * kW channels, a positive multiple of {2 * points} for the ({kh}, {kw}) kernel of weight {weight.Shape}; got offset {offset.Shape}");
        int offsetGroups = offsetChannels / (2 * points);
        if (c % offsetGroups != 0)
            throw new ArgumentException($"{op}: input channels {c} (input {input.Shape}) are not divisible by offset_groups={offsetGroups} (offset {offset.Shape})");
        if (offset.Shape[0] != n)
            throw new ArgumentException($"{op}: offset batch {offset.Shape[0]} (offset {offset.Shape}) does not match the input batch {n} (input {input.Shape})");
        int oh = (h + 2 * padding.H - (dilation.H * (kh - 1) + 1)) / stride.H + 1;
        int ow = (w + 2 * padding.W - (dilation.W * (kw - 1) + 1)) / stride.W + 1;
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException(
                $"{op}: input {input.Shape} with kernel ({kh}, {kw}), stride {stride}, padding {padding}, dilation {dilation} gives an empty output ({oh}, {ow})");
        if (offset.Shape[2] != oh || offset.Shape[3] != ow)
            throw new ArgumentException($"{op}: offset {offset.Shape} must have the output's spatial size ({oh}, {ow}) (input {input.Shape}, weight {weight.Shape})");
        if (bias is not null)
        {
            Check.SameDTypeAndDevice(op, input, bias);
            if (bias.Rank != 1 || bias.Shape[0] != o) throw new ArgumentException($"{op}: bias must have shape ({o}), got {bias.Shape}");
        }
        if (mask is not null)
        {
            Check.SameDTypeAndDevice(op, input, mask);
            if (mask.Rank != 4 || mask.Shape[0] != n || mask.Shape[1] != offsetGroups * points || mask.Shape[2] != oh || mask.Shape[3] != ow)
                throw new ArgumentException(
                    $"{op}: mask must have shape ({n}, {offsetGroups * points}, {oh}, {ow}) = (N, offset_groups * kH * kW, out_h, out_w) for offset {offset.Shape}, got {mask.Shape}");
        }
        return new DeformGeometry(n, c, h, w, o, groups, offsetGroups, kh, kw, stride.H, stride.W, padding.H, padding.W,
            dilation.H, dilation.W, oh, ow, mask is null ? 0 : 1);
    }
}

/// <summary>The gradients one backward pass computes (null where not asked for).</summary>
internal readonly record struct DeformGrads(Tensor? Input, Tensor? Offset, Tensor? Mask, Tensor? Weight);

/// <summary>Dispatch of deform_conv2d to the CPU (sampled columns + packed GEMM) or ILGPU kernels, per dtype.</summary>
internal static class DeformKernels
{
    public static void Forward(DeformGeometry g, Tensor x, Tensor offset, Tensor? mask, Tensor w, Tensor? bias, Tensor y)
    {
        if (y.Numel == 0) return;
        if (x.Numel == 0)
        {
            // no pixel to sample (C = 0 or an empty plane): every sample is zero and the output is the bias
            if (bias is not null)
                using (Autograd.NoGrad()) y.CopyFrom(F.Add(y, F.Reshape(bias, 1, -1, 1, 1)));
            return;
        }
        if (x.DType == DType.Float32) Forward<float, FloatIndex32>(g, x, offset, mask, w, bias, y);
        else Forward<double, FloatIndex64>(g, x, offset, mask, w, bias, y);
    }

    private static void Forward<T, TI>(DeformGeometry g, Tensor x, Tensor offset, Tensor? mask, Tensor w, Tensor? bias, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        if (x.Device.IsIlgpu) DeformGpu.Forward<T, TI>(g, x, offset, mask, w, bias, y);
        else DeformCpu.Forward<T, TI>(g, x, offset, mask, w, bias, y);
    }

    public static DeformGrads Backward(DeformGeometry g, Tensor gy, Tensor x, Tensor offset, Tensor? mask, Tensor w,
        bool needInput, bool needOffset, bool needMask, bool needWeight)
    {
        needMask &= mask is not null;
        var grads = new DeformGrads(
            needInput ? Tensor.Zeros(x.Shape, x.DType, x.Device) : null,
            needOffset ? Tensor.Zeros(offset.Shape, x.DType, x.Device) : null,
            needMask ? Tensor.Zeros(mask!.Shape, x.DType, x.Device) : null,
            needWeight ? Tensor.Zeros(w.Shape, x.DType, x.Device) : null);
        if (gy.Numel == 0 || x.Numel == 0 || !(needInput || needOffset || needMask || needWeight)) return grads;
        if (x.DType == DType.Float32) Backward<float, FloatIndex32>(g, gy, x, offset, mask, w, grads);
        else Backward<double, FloatIndex64>(g, gy, x, offset, mask, w, grads);
        return grads;
    }

    private static void Backward<T, TI>(DeformGeometry g, Tensor gy, Tensor x, Tensor offset, Tensor? mask, Tensor w, DeformGrads grads)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        if (x.Device.IsIlgpu) DeformGpu.Backward<T, TI>(g, gy, x, offset, mask, w, grads);
        else DeformCpu.Backward<T, TI>(g, gy, x, offset, mask, w, grads);
    }
}
