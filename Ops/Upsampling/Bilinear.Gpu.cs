using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>
/// ILGPU kernels of bilinear resizing: forward one thread per output element; backward one thread per input
/// element, summing over the outputs that read it, found through the inverse ranges of the (monotone) source
/// maps: no atomics, deterministic.
/// </summary>
internal static class BilinearGpu
{
    /// <summary>
    /// longs: i0h, i1h (OH each), i0w, i1w (OW each), then per input row the output ranges [start, end) that read it
    /// as i0 and as i1 (4 H values), then the same per input column (4 W values). Ts: l0h, l1h, l0w, l1w.
    /// </summary>
    private static (Tensor Meta, Tensor Lambdas) Upload<T>(Device device, PoolGeometry g, Bilinear.Axis<T> ah, Bilinear.Axis<T> aw) where T : unmanaged
    {
        var meta = new List<long>();
        foreach (var m in new[] { ah.I0, ah.I1, aw.I0, aw.I1 }) meta.AddRange(m.Select(v => (long)v));
        AddInverse(meta, ah, g.H);
        AddInverse(meta, aw, g.W);
        var lambdas = ah.L0.Concat(ah.L1).Concat(aw.L0).Concat(aw.L1).ToArray();
        return (Gpu.Meta(device, meta.ToArray()), Tensor.FromArray(lambdas).ToDevice(device).DetachFromDisposeScope());
    }

    private static void AddInverse<T>(List<long> meta, Bilinear.Axis<T> a, int input)
    {
        foreach (var map in new[] { a.I0, a.I1 })
        {
            var start = new long[input];
            var end = new long[input];
            for (int o = map.Length - 1; o >= 0; o--) start[map[o]] = o;
            for (int o = 0; o < map.Length; o++) end[map[o]] = o + 1;
            meta.AddRange(start);
            meta.AddRange(end);
        }
    }

    public static void Forward<T>(Tensor x, Tensor y, PoolGeometry g, Bilinear.Axis<T> ah, Bilinear.Axis<T> aw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (meta, lambdas) = Upload(x.Device, g, ah, aw);
        using (meta) using (lambdas)
            KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<T>, PoolGeometry>(Gpu.Acc(x), ForwardKernel<T>)(
                Gpu.Int(y.Numel), x.View<T>(), y.View<T>(), meta.View<long>(), lambdas.View<T>(), g);
    }

    public static void Backward<T>(Tensor gy, Tensor gx, PoolGeometry g, Bilinear.Axis<T> ah, Bilinear.Axis<T> aw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (meta, lambdas) = Upload(gy.Device, g, ah, aw);
        using (meta) using (lambdas)
            KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<T>, PoolGeometry>(Gpu.Acc(gy), BackwardKernel<T>)(
                Gpu.Int(gx.Numel), gy.View<T>(), gx.View<T>(), meta.View<long>(), lambdas.View<T>(), g);
    }

    private static void ForwardKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<long> m, ArrayView<T> l, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.OutPlane, q = i % g.OutPlane;
        int oh = (int)(q / g.OW), ow = (int)(q % g.OW);
        long xo = p * g.InPlane;
        long r0 = xo + m[oh] * g.W, r1 = xo + m[g.OH + oh] * g.W;
        long c0 = m[2 * g.OH + ow], c1 = m[2 * g.OH + g.OW + ow];
        T h0 = l[oh], h1 = l[g.OH + oh], w0 = l[2 * g.OH + ow], w1 = l[2 * g.OH + g.OW + ow];
        y[i] = h0 * (w0 * x[r0 + c0] + w1 * x[r0 + c1]) + h1 * (w0 * x[r1 + c0] + w1 * x[r1 + c1]);
    }

    private static void BackwardKernel<T>(Index1D i, ArrayView<T> gy, ArrayView<T> gx, ArrayView<long> m, ArrayView<T> l, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long p = i / g.InPlane, r = i % g.InPlane;
        int ih = (int)(r / g.W), iw = (int)(r % g.W);
        long invH = 2L * g.OH + 2L * g.OW, invW = invH + 4L * g.H;
        long yo = p * g.OutPlane;
        T s = T.Zero;
        // role a: input row ih is output row oh's i0 (weight l0h) or i1 (weight l1h); likewise for columns
        for (int a = 0; a < 2; a++)
        {
            long hs = m[invH + (2 * a) * g.H + ih], he = m[invH + (2 * a + 1) * g.H + ih];
            for (int b = 0; b < 2; b++)
            {
                long ws = m[invW + (2 * b) * g.W + iw], we = m[invW + (2 * b + 1) * g.W + iw];
                for (long oh = hs; oh < he; oh++)
                {
                    T lh = l[a * g.OH + oh];
                    for (long ow = ws; ow < we; ow++)
                        s += lh * l[2 * g.OH + b * g.OW + ow] * gy[yo + oh * g.OW + ow];
                }
            }
        }
        gx[i] = s;
    }
}
