using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

/// <summary>Sizes of one softargmax call: Rows maps of D x H x W positions (D = 1 for 2-D), Dims coordinates each.</summary>
internal struct SoftArgmaxArgs
{
    public int Rows, D, H, W, Dims;
    public readonly int Size => D * H * W;
}

/// <summary>
/// Fused soft-argmax on the CPU, one map per task (parallel over batch x channels), every pass vectorised:
///   forward   p = exp(b x - max(b x)) / sum,  X = sum_j p_ij j,  Y = sum_i i sum_j p_ij  (and Z over planes);
///   backward  dL/dx_ij = b p_ij (gX (j - X) + gY (i - Y) [+ gZ (d - Z)])  (softmax's Jacobian times the positions).
/// </summary>
internal static class SoftArgmaxCpu
{
    public static void Forward(Tensor x, Tensor p, Tensor coords, double beta, SoftArgmaxArgs a)
    {
        if (a.Rows == 0) return;
        if (x.Device.IsIlgpu) { SoftArgmaxGpu.Forward(x, p, coords, beta, a); return; }
        if (x.DType == DType.Float32) Forward(x.Data<float>(), p.Data<float>(), coords.Data<float>(), (float)beta, a);
        else Forward(x.Data<double>(), p.Data<double>(), coords.Data<double>(), beta, a);
    }

    public static void Backward(Tensor p, Tensor coords, Tensor g, Tensor gx, double beta, SoftArgmaxArgs a)
    {
        if (a.Rows == 0) return;
        if (p.Device.IsIlgpu) { SoftArgmaxGpu.Backward(p, coords, g, gx, beta, a); return; }
        if (p.DType == DType.Float32) Backward(p.Data<float>(), coords.Data<float>(), g.Data<float>(), gx.Data<float>(), (float)beta, a);
        else Backward(p.Data<double>(), coords.Data<double>(), g.Data<double>(), gx.Data<double>(), beta, a);
    }

    private static T[] Iota<T>(int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = new T[n];
        for (int i = 0; i < n; i++) v[i] = T.CreateTruncating(i);
        return v;
    }

    private static void Forward<T>(T[] x, T[] p, T[] coords, T beta, SoftArgmaxArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = a.Size, w = a.W, h = a.H;
        var iota = Iota<T>(w);
        Par.For(a.Rows, s * 12L, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                var xs = new ReadOnlySpan<T>(x, (int)(r * s), s);
                var ps = new Span<T>(p, (int)(r * s), s);
                TensorPrimitives.Multiply(xs, beta, ps);
                T max = TensorPrimitives.Max<T>(ps);
                if (T.IsInfinity(max)) max = T.Zero;   // all -inf (or an inf): let exp produce the NaN PyTorch gives
                TensorPrimitives.Subtract(ps, max, ps);
                TensorPrimitives.Exp(ps, ps);
                T inv = T.One / TensorPrimitives.Sum<T>(ps);
                TensorPrimitives.Multiply(ps, inv, ps);
                T cx = T.Zero, cy = T.Zero, cz = T.Zero;
                for (int d = 0; d < a.D; d++)
                {
                    T plane = T.Zero;
                    for (int i = 0; i < h; i++)
                    {
                        var row = ps.Slice((d * h + i) * w, w);
                        T rowSum = TensorPrimitives.Sum<T>(row);
                        cx += TensorPrimitives.Dot<T>(row, iota);
                        cy += rowSum * T.CreateTruncating(i);
                        plane += rowSum;
                    }
                    cz += plane * T.CreateTruncating(d);
                }
                long o = r * a.Dims;
                coords[o] = cx;
                coords[o + 1] = cy;
                if (a.Dims == 3) coords[o + 2] = cz;
            }
        });
    }

    private static void Backward<T>(T[] p, T[] coords, T[] g, T[] gx, T beta, SoftArgmaxArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = a.Size, w = a.W, h = a.H;
        var iota = Iota<T>(w);
        Par.For(a.Rows, s * 4L, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                long o = r * a.Dims;
                T gX = g[o], gY = g[o + 1], gZ = a.Dims == 3 ? g[o + 2] : T.Zero;
                T cX = coords[o], cY = coords[o + 1], cZ = a.Dims == 3 ? coords[o + 2] : T.Zero;
                T slope = beta * gX;
                for (int d = 0; d < a.D; d++)
                    for (int i = 0; i < h; i++)
                    {
                        // b (gX (j - X) + gY (i - Y) + gZ (d - Z)) = slope j + offset
                        T offset = beta * (gY * (T.CreateTruncating(i) - cY) + gZ * (T.CreateTruncating(d) - cZ) - gX * cX);
                        int at = (int)(r * s) + (d * h + i) * w;
                        ScaledRamp(new ReadOnlySpan<T>(p, at, w), iota, slope, offset, new Span<T>(gx, at, w));
                    }
            }
        });
    }

    /// <summary>dst[j] = p[j] (slope j + offset), vectorised.</summary>
    private static void ScaledRamp<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> iota, T slope, T offset, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<T>.Count)
        {
            var vs = new Vector<T>(slope);
            var vo = new Vector<T>(offset);
            for (; j <= p.Length - Vector<T>.Count; j += Vector<T>.Count)
                (new Vector<T>(p[j..]) * (new Vector<T>(iota[j..]) * vs + vo)).CopyTo(dst[j..]);
        }
        for (; j < p.Length; j++) dst[j] = p[j] * (slope * iota[j] + offset);
    }
}
