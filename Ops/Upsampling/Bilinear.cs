using System.Numerics;

namespace Framework;

/// <summary>
/// Bilinear resizing of (N, C, H, W) planes. It is separable: each output row oh reads input rows i0, i1 with
/// weights l0, l1 (and columns likewise), computed on the host exactly as PyTorch's CPU kernel does, in the
/// element type (float arithmetic for float32, as PyTorch's opmath).
/// </summary>
internal static class Bilinear
{
    /// <summary>The two source indices and weights of every output index along one dim.</summary>
    internal sealed record Axis<T>(int[] I0, int[] I1, T[] L0, T[] L1);

    /// <summary>
    /// PyTorch's area_pixel_compute_scale, area_pixel_compute_source_index and compute_source_index_and_lambda:
    /// scale = align ? (in - 1) / (out - 1) : 1 / scale_factor or in / out; src = align ? scale dst : max(scale (dst + 0.5) - 0.5, 0);
    /// i0 = min(floor(src), in - 1), l1 = clamp(src - i0, 0, 1), i1 = i0 + (i0 &lt; in - 1); out == in copies.
    /// </summary>
    public static Axis<T> Plan<T>(int input, int output, double? scale, bool alignCorners) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T ratio = alignCorners
            ? (output > 1 ? T.CreateTruncating(input - 1) / T.CreateTruncating(output - 1) : T.Zero)
            : scale is > 0 ? T.CreateTruncating(1.0 / scale.Value) : T.CreateTruncating(input) / T.CreateTruncating(output);
        T half = T.CreateTruncating(0.5);
        var a = new Axis<T>(new int[output], new int[output], new T[output], new T[output]);
        for (int o = 0; o < output; o++)
        {
            if (output == input) { a.I0[o] = a.I1[o] = o; a.L0[o] = T.One; a.L1[o] = T.Zero; continue; }
            T src = alignCorners ? ratio * T.CreateTruncating(o) : ratio * (T.CreateTruncating(o) + half) - half;
            if (!alignCorners && src < T.Zero) src = T.Zero;
            // PyTorch floors through floorf, i.e. in float precision, also for double
            int i0 = (int)Math.Min((long)MathF.Floor(float.CreateTruncating(src)), input - 1);
            T l1 = T.Clamp(src - T.CreateTruncating(i0), T.Zero, T.One);
            a.I0[o] = i0;
            a.I1[o] = i0 + (i0 < input - 1 ? 1 : 0);
            a.L1[o] = l1;
            a.L0[o] = T.One - l1;
        }
        return a;
    }

    public static Tensor Interpolate(Tensor x, int oh, int ow, double? scaleH, double? scaleW, bool alignCorners) =>
        x.DType == DType.Float32 ? Run<float>(x, oh, ow, scaleH, scaleW, alignCorners) : Run<double>(x, oh, ow, scaleH, scaleW, alignCorners);

    private static Tensor Run<T>(Tensor x, int oh, int ow, double? scaleH, double? scaleW, bool alignCorners) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = new PoolGeometry { Planes = x.Shape[0] * x.Shape[1], H = x.Shape[2], W = x.Shape[3], OH = oh, OW = ow };
        var ah = Plan<T>(g.H, oh, scaleH, alignCorners);
        var aw = Plan<T>(g.W, ow, scaleW, alignCorners);
        var y = Tensor.Empty(new Shape(x.Shape[0], x.Shape[1], oh, ow), x.DType, x.Device);
        Forward(x, y, g, ah, aw);
        var inShape = x.Shape;
        return Autograd.Record("interpolate", y, [x], gy =>
        {
            var gx = Tensor.Zeros(inShape, gy.DType, gy.Device);
            Backward(gy, gx, g, ah, aw);
            return [gx];
        });
    }

    private static void Forward<T>(Tensor x, Tensor y, PoolGeometry g, Axis<T> ah, Axis<T> aw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        if (x.Device.IsIlgpu) { BilinearGpu.Forward(x, y, g, ah, aw); return; }
        T[] xs = x.Data<T>(), ys = y.Data<T>();
        Par.For(g.Planes, g.OutPlane * 8, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * g.InPlane, yo = p * g.OutPlane;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    long r0 = xo + (long)ah.I0[oh] * g.W, r1 = xo + (long)ah.I1[oh] * g.W;
                    T h0 = ah.L0[oh], h1 = ah.L1[oh];
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int c0 = aw.I0[ow], c1 = aw.I1[ow];
                        T w0 = aw.L0[ow], w1 = aw.L1[ow];
                        ys[yo + (long)oh * g.OW + ow] = h0 * (w0 * xs[r0 + c0] + w1 * xs[r0 + c1]) + h1 * (w0 * xs[r1 + c0] + w1 * xs[r1 + c1]);
                    }
                }
            }
        });
    }

    /// <summary>Scatters each output gradient to its four sources, plane by plane (PyTorch's upsample_bilinear2d backward).</summary>
    private static void Backward<T>(Tensor gy, Tensor gx, PoolGeometry g, Axis<T> ah, Axis<T> aw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gy.Numel == 0 || gx.Numel == 0) return;
        if (gy.Device.IsIlgpu) { BilinearGpu.Backward(gy, gx, g, ah, aw); return; }
        T[] gs = gy.Data<T>(), gxs = gx.Data<T>();
        Par.For(g.Planes, g.OutPlane * 8, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xo = p * g.InPlane, yo = p * g.OutPlane;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    long r0 = xo + (long)ah.I0[oh] * g.W, r1 = xo + (long)ah.I1[oh] * g.W;
                    T h0 = ah.L0[oh], h1 = ah.L1[oh];
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int c0 = aw.I0[ow], c1 = aw.I1[ow];
                        T w0 = aw.L0[ow], w1 = aw.L1[ow], v = gs[yo + (long)oh * g.OW + ow];
                        gxs[r0 + c0] += h0 * w0 * v;
                        gxs[r0 + c1] += h0 * w1 * v;
                        gxs[r1 + c0] += h1 * w0 * v;
                        gxs[r1 + c1] += h1 * w1 * v;
                    }
                }
            }
        });
    }
}
