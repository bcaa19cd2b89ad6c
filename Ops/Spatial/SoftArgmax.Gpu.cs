using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>ILGPU soft-argmax: one thread per map forward (max, 1 / sum, coordinates, the heatmap if asked for), one per element backward.</summary>
internal static class SoftArgmaxGpu
{
    /// <summary>p is only written when a.WantHeatmap (any buffer otherwise); stats gets (max, 1 / sum) per map.</summary>
    public static void Forward(Tensor x, Tensor p, Tensor stats, Tensor coords, double beta, SoftArgmaxArgs a)
    {
        var acc = Gpu.Acc(x);
        if (x.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, SoftArgmaxArgs, Float32Ops>(acc, ForwardKernel<float, Float32Ops>)(
                a.Rows, x.View<float>(), p.View<float>(), stats.View<float>(), coords.View<float>(), (float)beta, a, default);
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, double, SoftArgmaxArgs, Float64Ops>(acc, ForwardKernel<double, Float64Ops>)(
                a.Rows, x.View<double>(), p.View<double>(), stats.View<double>(), coords.View<double>(), beta, a, default);
    }

    public static void Backward(Tensor x, Tensor stats, Tensor coords, Tensor g, Tensor gx, double beta, SoftArgmaxArgs a)
    {
        var acc = Gpu.Acc(x);
        int n = Gpu.Int(x.Numel);
        if (x.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, SoftArgmaxArgs, Float32Ops>(acc, BackwardKernel<float, Float32Ops>)(
                n, x.View<float>(), stats.View<float>(), coords.View<float>(), g.View<float>(), gx.View<float>(), (float)beta, a, default);
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, double, SoftArgmaxArgs, Float64Ops>(acc, BackwardKernel<double, Float64Ops>)(
                n, x.View<double>(), stats.View<double>(), coords.View<double>(), g.View<double>(), gx.View<double>(), beta, a, default);
    }

    private static void ForwardKernel<T, TS>(Index1D r, ArrayView<T> x, ArrayView<T> p, ArrayView<T> stats, ArrayView<T> coords, T beta, SoftArgmaxArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int s = a.Size;
        long b = (long)r.X * s;
        T max = T.NegativeInfinity;
        for (int k = 0; k < s; k++) { T v = beta * x[b + k]; if (v > max || T.IsNaN(v)) max = v; }
        if (T.IsInfinity(max)) max = T.Zero;
        T sum = T.Zero, cx = T.Zero, cy = T.Zero, cz = T.Zero;
        for (int k = 0; k < s; k++)
        {
            T e = T.Exp(beta * x[b + k] - max);
            sum += e;
            cx += e * ts.FromInt(k % a.W);
            cy += e * ts.FromInt(k / a.W % a.H);
            cz += e * ts.FromInt(k / (a.W * a.H));
        }
        T inv = T.One / sum;
        if (a.WantHeatmap != 0)
            for (int k = 0; k < s; k++) p[b + k] = T.Exp(beta * x[b + k] - max) * inv;
        stats[2L * r.X] = max;
        stats[2L * r.X + 1] = inv;
        long o = (long)r.X * a.Dims;
        coords[o] = cx * inv;
        coords[o + 1] = cy * inv;
        if (a.Dims == 3) coords[o + 2] = cz * inv;
    }

    private static void BackwardKernel<T, TS>(Index1D i, ArrayView<T> x, ArrayView<T> stats, ArrayView<T> coords, ArrayView<T> g, ArrayView<T> gx, T beta, SoftArgmaxArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int s = a.Size;
        long r = i.X / s;
        int k = i.X % s;
        long o = r * a.Dims;
        T v = g[o] * (ts.FromInt(k % a.W) - coords[o]) + g[o + 1] * (ts.FromInt(k / a.W % a.H) - coords[o + 1]);
        if (a.Dims == 3) v += g[o + 2] * (ts.FromInt(k / (a.W * a.H)) - coords[o + 2]);
        T p = T.Exp(beta * x[i] - stats[2 * r]) * stats[2 * r + 1];
        gx[i] = beta * p * v;
    }
}
