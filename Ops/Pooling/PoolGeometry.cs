namespace Framework;

/// <summary>
/// The shape of a 2-d pooling over planes of (H, W): the input is seen as (planes, H, W) where planes is the
/// product of the leading dims (N*C, or C for a 3-d input). Plain int fields so the same struct is a kernel argument
/// (public only because ILGPU's generated kernel launchers must see the type).
/// </summary>
public struct PoolGeometry
{
    public int Planes, H, W, OH, OW;
    public int KH, KW, SH, SW, PH, PW, DH, DW;
    /// <summary>avg_pool2d only: 1 when the padded zeros count in the divisor (count_include_pad).</summary>
    public int CountIncludePad;
    /// <summary>avg_pool2d only: divisor_override, or 0 for none.</summary>
    public int Divisor;

    public readonly long InPlane => (long)H * W;
    public readonly long OutPlane => (long)OH * OW;

    /// <summary>Output shape: the input's leading dims, then (OH, OW).</summary>
    internal readonly Shape OutputShape(Shape input)
    {
        var d = input.ToArray();
        d[^2] = OH;
        d[^1] = OW;
        return new Shape(d);
    }

    /// <summary>
    /// PyTorch's pooling_output_shape: floor((in + 2 pad - dilation (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1,
    /// and with ceil_mode the last window must start inside the input or the left padding.
    /// </summary>
    internal static int OutputSize(long input, int kernel, int pad, int stride, int dilation, bool ceilMode)
    {
        long num = input + 2L * pad - (long)dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        long o = FloorDiv(num, stride) + 1;
        if (ceilMode && (o - 1) * stride >= input + pad) o--;
        return (int)Math.Clamp(o, int.MinValue, int.MaxValue);
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>PyTorch's pool2d_shape_check, for max_pool2d (with dilation) and avg_pool2d (dilation 1).</summary>
    internal static PoolGeometry Create(string op, Tensor x, Pair kernel, Pair? stride, Pair padding, Pair dilation, bool ceilMode)
    {
        Check.Float(op, x);
        if (x.Rank is not (3 or 4))
            throw new ArgumentException($"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {x.Shape}");
        bool empty = x.Rank == 4 ? x.Shape[1] == 0 || x.Shape[2] == 0 || x.Shape[3] == 0 : x.Shape[0] == 0 || x.Shape[1] == 0 || x.Shape[2] == 0;
        if (empty)
            throw new ArgumentException($"{op}: expected input with non-zero sizes except an optional zero batch dim, got shape {x.Shape}");
        var s = stride ?? kernel;
        if (kernel.H <= 0 || kernel.W <= 0) throw new ArgumentException($"{op}: kernel size should be greater than zero, got kernel_size {kernel}");
        if (s.H <= 0 || s.W <= 0) throw new ArgumentException($"{op}: stride should be greater than zero, got stride {s}");
        if (dilation.H <= 0 || dilation.W <= 0) throw new ArgumentException($"{op}: dilation should be greater than zero, got dilation {dilation}");
        if (padding.H < 0 || padding.W < 0) throw new ArgumentException($"{op}: pad must be non-negative, got padding {padding}");
        if (padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentException($"{op}: pad should be smaller than or equal to half of kernel size, got padding {padding} and kernel_size {kernel}");
        int h = x.Shape[^2], w = x.Shape[^1];
        var g = new PoolGeometry
        {
            Planes = checked((int)(x.Numel / ((long)h * w))),
            H = h, W = w,
            KH = kernel.H, KW = kernel.W, SH = s.H, SW = s.W, PH = padding.H, PW = padding.W, DH = dilation.H, DW = dilation.W,
            OH = OutputSize(h, kernel.H, padding.H, s.H, dilation.H, ceilMode),
            OW = OutputSize(w, kernel.W, padding.W, s.W, dilation.W, ceilMode),
        };
        if (g.OH < 1 || g.OW < 1)
            throw new ArgumentException(
                $"{op}: given input size {x.Shape}, kernel_size {kernel}, stride {s}, padding {padding}, dilation {dilation}, " +
                $"the calculated output size ({g.OH}, {g.OW}) is too small (the kernel is larger than the padded input)");
        return g;
    }

    /// <summary>PyTorch's adaptive pooling window over [0, input): [floor(o in / out), ceil((o + 1) in / out)).</summary>
    internal static int AdaptiveStart(int o, int input, int output) => (int)((long)o * input / output);
    internal static int AdaptiveEnd(int o, int input, int output) => (int)(((long)(o + 1) * input + output - 1) / output);

    /// <summary>Checks and geometry of adaptive_avg_pool2d / adaptive_max_pool2d: window bounds come from the sizes alone.</summary>
    internal static PoolGeometry Adaptive(string op, Tensor x, Pair outputSize)
    {
        Check.Float(op, x);
        if (x.Rank is not (3 or 4))
            throw new ArgumentException($"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {x.Shape}");
        for (int d = x.Rank - 3; d < x.Rank; d++)
            if (x.Shape[d] == 0)
                throw new ArgumentException($"{op}: expected input to have non-zero size for non-batch dimensions, got shape {x.Shape} with dimension {d} empty");
        if (outputSize.H < 0 || outputSize.W < 0)
            throw new ArgumentException($"{op}: elements of output_size must be greater than or equal to 0, got output_size {outputSize}");
        int h = x.Shape[^2], w = x.Shape[^1];
        return new PoolGeometry { Planes = checked((int)(x.Numel / ((long)h * w))), H = h, W = w, OH = outputSize.H, OW = outputSize.W };
    }
}
