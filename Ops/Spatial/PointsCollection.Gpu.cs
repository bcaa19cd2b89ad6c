using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>Sizes of one points_collection call: t (B, 2N, H, W), d (B, 2M, Hd, Wd); ints only (ILGPU kernel parameter).</summary>
internal struct PointsCollectionArgs
{
    public int B, N, M, H, W, Hd, Wd;
    public int NeedTargetGrad, NeedDeformGrad;
    public readonly long Points => (long)B * N * H * W;
}

/// <summary>The ratios r_h = h / H, r_w = w / W and the factors the formulas use, in the op's float type.</summary>
internal struct PointsCollectionScales<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Rh, Rw, InvRh, InvRw, RhOverRw, RwOverRh;

    public static PointsCollectionScales<T> Of(PointsCollectionArgs a)
    {
        double rh = (double)a.Hd / a.H, rw = (double)a.Wd / a.W;
        return new PointsCollectionScales<T>
        {
            Rh = T.CreateTruncating(rh), Rw = T.CreateTruncating(rw),
            InvRh = T.CreateTruncating(1 / rh), InvRw = T.CreateTruncating(1 / rw),
            RhOverRw = T.CreateTruncating(rh / rw), RwOverRh = T.CreateTruncating(rw / rh),
        };
    }
}

/// <summary>
/// ILGPU kernels of points_collection: one thread per target point (b, n, i, j) over all M deformable points,
/// channel-first as the tensors lie; the backward writes the point's own target gradient and adds its share of
/// the deformable gradient atomically (per type, hence the F and D kernels).
/// </summary>
internal static class PointsCollectionGpu
{
    public static void Forward(Tensor t, Tensor d, Tensor p, PointsCollectionArgs a)
    {
        var acc = Gpu.Acc(t);
        int n = Gpu.Int(a.Points);
        if (t.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, PointsCollectionArgs, PointsCollectionScales<float>>(acc, ForwardF)(
                n, t.View<float>(), d.View<float>(), p.View<float>(), a, PointsCollectionScales<float>.Of(a));
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, PointsCollectionArgs, PointsCollectionScales<double>>(acc, ForwardD)(
                n, t.View<double>(), d.View<double>(), p.View<double>(), a, PointsCollectionScales<double>.Of(a));
    }

    public static void Backward(Tensor t, Tensor d, Tensor g, Tensor? gt, Tensor? gd, PointsCollectionArgs a)
    {
        var acc = Gpu.Acc(t);
        int n = Gpu.Int(a.Points);
        Tensor gtv = gt ?? g, gdv = gd ?? g;   // placeholders where a gradient is not wanted (never written)
        if (t.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PointsCollectionArgs, PointsCollectionScales<float>>(acc, BackwardF)(
                n, t.View<float>(), d.View<float>(), g.View<float>(), gtv.View<float>(), gdv.View<float>(), a, PointsCollectionScales<float>.Of(a));
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, PointsCollectionArgs, PointsCollectionScales<double>>(acc, BackwardD)(
                n, t.View<double>(), d.View<double>(), g.View<double>(), gtv.View<double>(), gdv.View<double>(), a, PointsCollectionScales<double>.Of(a));
    }

    private static void ForwardF(Index1D i, ArrayView<float> t, ArrayView<float> d, ArrayView<float> p, PointsCollectionArgs a, PointsCollectionScales<float> s) =>
        Forward<float, Float32Ops, ViewBufferF>(new(t), new(d), new(p), i.X, a, s, default);

    private static void ForwardD(Index1D i, ArrayView<double> t, ArrayView<double> d, ArrayView<double> p, PointsCollectionArgs a, PointsCollectionScales<double> s) =>
        Forward<double, Float64Ops, ViewBufferD>(new(t), new(d), new(p), i.X, a, s, default);

    private static void BackwardF(Index1D i, ArrayView<float> t, ArrayView<float> d, ArrayView<float> g, ArrayView<float> gt, ArrayView<float> gd,
        PointsCollectionArgs a, PointsCollectionScales<float> s) =>
        Backward<float, Float32Ops, ViewBufferF>(new(t), new(d), new(g), new(gt), new(gd), i.X, a, s, default);

    private static void BackwardD(Index1D i, ArrayView<double> t, ArrayView<double> d, ArrayView<double> g, ArrayView<double> gt, ArrayView<double> gd,
        PointsCollectionArgs a, PointsCollectionScales<double> s) =>
        Backward<double, Float64Ops, ViewBufferD>(new(t), new(d), new(g), new(gt), new(gd), i.X, a, s, default);

    /// <summary>Flat index of t[b, 2n, i, j] for target point pt = ((b N + n) H + i) W + j, and the point's (i, j).</summary>
    private static long TargetIndex(long pt, PointsCollectionArgs a, out int i, out int j, out int n, out int b)
    {
        j = (int)(pt % a.W);
        i = (int)(pt / a.W % a.H);
        n = (int)(pt / ((long)a.W * a.H) % a.N);
        b = (int)(pt / ((long)a.W * a.H * a.N));
        return (((long)b * 2 * a.N + 2 * n) * a.H + i) * a.W + j;
    }

    private static T At<T, TB>(TB buffer, long plane, int offset) where T : unmanaged, IFloatingPointIeee754<T> where TB : struct, IBuffer<T> =>
        offset < 0 ? T.Zero : buffer.Get(plane + offset);

    private static void Forward<T, TS, TB>(TB t, TB d, TB p, long pt, PointsCollectionArgs a, PointsCollectionScales<T> s, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long ti = TargetIndex(pt, a, out int i, out int j, out int n, out int b);
        long hwT = (long)a.H * a.W, hwD = (long)a.Hd * a.Wd;
        T y = t.Get(ti), x = t.Get(ti + hwT);
        var c = Corners<T, TS>.Of((ts.FromInt(j) + x) * s.Rw, (ts.FromInt(i) + y) * s.Rh, a.Wd, a.Hd, ts);
        for (int m = 0; m < a.M; m++)
        {
            long du = ((long)b * 2 * a.M + 2 * m) * hwD, dv = du + hwD;
            T su = At<T, TB>(d, du, c.Nw) * c.WNw + At<T, TB>(d, du, c.Ne) * c.WNe + At<T, TB>(d, du, c.Sw) * c.WSw + At<T, TB>(d, du, c.Se) * c.WSe;
            T sv = At<T, TB>(d, dv, c.Nw) * c.WNw + At<T, TB>(d, dv, c.Ne) * c.WNe + At<T, TB>(d, dv, c.Sw) * c.WSw + At<T, TB>(d, dv, c.Se) * c.WSe;
            long o = (((long)b * 2 * a.N * a.M + 2 * ((long)n * a.M + m)) * a.H + i) * a.W + j;
            p.Set(o, su * s.InvRh + y);
            p.Set(o + hwT, sv * s.InvRw + x);
        }
    }

    private static void Backward<T, TS, TB>(TB t, TB d, TB g, TB gt, TB gd, long pt, PointsCollectionArgs a, PointsCollectionScales<T> s, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long ti = TargetIndex(pt, a, out int i, out int j, out int n, out int b);
        long hwT = (long)a.H * a.W, hwD = (long)a.Hd * a.Wd;
        T y = t.Get(ti), x = t.Get(ti + hwT);
        var c = Corners<T, TS>.Of((ts.FromInt(j) + x) * s.Rw, (ts.FromInt(i) + y) * s.Rh, a.Wd, a.Hd, ts);
        T gy = T.Zero, gx = T.Zero;
        for (int m = 0; m < a.M; m++)
        {
            long du = ((long)b * 2 * a.M + 2 * m) * hwD, dv = du + hwD;
            long o = (((long)b * 2 * a.N * a.M + 2 * ((long)n * a.M + m)) * a.H + i) * a.W + j;
            T g0 = g.Get(o), g1 = g.Get(o + hwT);
            if (a.NeedDeformGrad != 0)
            {
                T gu = g0 * s.InvRh, gv = g1 * s.InvRw;
                if (c.Nw >= 0) { gd.Add(du + c.Nw, c.WNw * gu); gd.Add(dv + c.Nw, c.WNw * gv); }
                if (c.Ne >= 0) { gd.Add(du + c.Ne, c.WNe * gu); gd.Add(dv + c.Ne, c.WNe * gv); }
                if (c.Sw >= 0) { gd.Add(du + c.Sw, c.WSw * gu); gd.Add(dv + c.Sw, c.WSw * gv); }
                if (c.Se >= 0) { gd.Add(du + c.Se, c.WSe * gu); gd.Add(dv + c.Se, c.WSe * gv); }
            }
            if (a.NeedTargetGrad != 0)
            {
                T nwU = At<T, TB>(d, du, c.Nw), neU = At<T, TB>(d, du, c.Ne), swU = At<T, TB>(d, du, c.Sw), seU = At<T, TB>(d, du, c.Se);
                T nwV = At<T, TB>(d, dv, c.Nw), neV = At<T, TB>(d, dv, c.Ne), swV = At<T, TB>(d, dv, c.Sw), seV = At<T, TB>(d, dv, c.Se);
                // floor rule: rows floor(Y), floor(Y) + 1 and columns floor(X), floor(X) + 1 only
                T dUy = (swU - nwU) * c.E + (seU - neU) * c.W, dUx = (neU - nwU) * c.S + (seU - swU) * c.N;
                T dVy = (swV - nwV) * c.E + (seV - neV) * c.W, dVx = (neV - nwV) * c.S + (seV - swV) * c.N;
                gy += g0 * (T.One + dUy) + g1 * s.RhOverRw * dVy;
                gx += g0 * s.RwOverRh * dUx + g1 * (T.One + dVx);
            }
        }
        if (a.NeedTargetGrad != 0)
        {
            gt.Set(ti, gy);
            gt.Set(ti + hwT, gx);
        }
    }
}
