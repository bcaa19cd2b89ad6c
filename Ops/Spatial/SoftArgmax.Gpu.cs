using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>ILGPU soft-argmax: one thread per map forward (max, normalised heatmap, coordinates), one per element backward.</summary>
internal static class SoftArgmaxGpu
{
    public static void Forward(Tensor x, Tensor p, Tensor coords, double beta, SoftArgmaxArgs a)
    {
        var acc = Gpu.Acc(x);
        if (x.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, SoftArgmaxArgs, Float32Ops>(acc, ForwardKernel<float, Float32Ops>)(
                a.Rows, x.View<float>(), p.View<float>(), coords.View<float>(), (float)beta, a, default);
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, double, SoftArgmaxArgs, Float64Ops>(acc, ForwardKernel<double, Float64Ops>)(
                a.Rows, x.View<double>(), p.View<double>(), coords.View<double>(), beta, a, default);
    }

    public static void Backward(Tensor p, Tensor coords, Tensor g, Tensor gx, double beta, SoftArgmaxArgs a)
    {
        var acc = Gpu.Acc(p);
        int n = Gpu.Int(p.Numel);
        if (p.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, SoftArgmaxArgs, Float32Ops>(acc, BackwardKernel<float, Float32Ops>)(
                n, p.View<float>(), coords.View<float>(), g.View<float>(), gx.View<float>(), (float)beta, a, default);
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, double, SoftArgmaxArgs, Float64Ops>(acc, BackwardKernel<double, Float64Ops>)(
                n, p.View<double>(), coords.View<double>(), g.View<double>(), gx.View<double>(), beta, a, default);
    }

    private static void ForwardKernel<T, TS>(Index1D r, ArrayView<T> x, ArrayView<T> p, ArrayView<T> coords, T beta, SoftArgmaxArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int s = a.Size;
        long b = (long)r.X * s;
        T max = T.NegativeInfinity;
        for (int k = 0; k < s; k++) { T v = beta * x[b + k]; if (v > max || T.IsNaN(v)) max = v; }
        if (T.IsInfinity(max)) max = T.Zero;
        T sum = T.Zero;
        for (int k = 0; k < s; k++) { T e = T.Exp(beta * x[b + k] - max); p[b + k] = e; sum += e; }
        T inv = T.One / sum, cx = T.Zero, cy = T.Zero, cz = T.Zero;
        for (int k = 0; k < s; k++)
        {
            T v = p[b + k] * inv;
            p[b + k] = v;
            cx += v * ts.FromInt(k % a.W);
            cy += v * ts.FromInt(k / a.W % a.H);
            cz += v * ts.FromInt(k / (a.W * a.H));
        }
        long o = (long)r.X * a.Dims;
        coords[o] = cx;
        coords[o + 1] = cy;
        if (a.Dims == 3) coords[o + 2] = cz;
    }

    private static void BackwardKernel<T, TS>(Index1D i, ArrayView<T> p, ArrayView<T> coords, ArrayView<T> g, ArrayView<T> gx, T beta, SoftArgmaxArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int s = a.Size;
        long r = i.X / s;
        int k = i.X % s;
        long o = r * a.Dims;
        T v = g[o] * (ts.FromInt(k % a.W) - coords[o]) + g[o + 1] * (ts.FromInt(k / a.W % a.H) - coords[o + 1]);
        if (a.Dims == 3) v += g[o + 2] * (ts.FromInt(k / (a.W * a.H)) - coords[o + 2]);
        gx[i] = beta * p[i] * v;
    }
}
