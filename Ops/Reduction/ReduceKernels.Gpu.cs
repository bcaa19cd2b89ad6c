using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>ILGPU reductions along one dimension seen as (outer, R, inner): one thread per output element.</summary>
internal static class ReduceGpu
{
    public static void SumDim<T>(Tensor x, Tensor y, long outer, int r, long inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, int, long>(Gpu.Acc(x), SumKernel<T>)(Gpu.Int(outer * inner), x.View<T>(), y.View<T>(), r, inner);
    }

    public static void ExtremeDim<T>(Tensor x, Tensor v, Tensor idx, long outer, int r, long inner, bool max) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (v.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>, int, long, int>(Gpu.Acc(x), ExtremeKernel<T>)(
            Gpu.Int(outer * inner), x.View<T>(), v.View<T>(), idx.View<long>(), r, inner, max ? 1 : 0);
    }

    private static void SumKernel<T>(Index1D p, ArrayView<T> x, ArrayView<T> y, int r, long inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long o = p / inner, i = p % inner, b = o * r * inner + i;
        T s = T.Zero;
        for (int k = 0; k < r; k++) s += x[b + k * inner];
        y[p] = s;
    }

    private static void ExtremeKernel<T>(Index1D p, ArrayView<T> x, ArrayView<T> v, ArrayView<long> idx, int r, long inner, int max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long o = p / inner, i = p % inner, b = o * r * inner + i;
        T best = x[b];
        int bi = 0;
        bool done = T.IsNaN(best);
        for (int k = 1; k < r && !done; k++)
        {
            T c = x[b + k * inner];
            if (T.IsNaN(c)) { best = c; bi = k; done = true; }
            else if (max != 0 ? c > best : c < best) { best = c; bi = k; }
        }
        v[p] = best;
        idx[p] = bi;
    }
}

/// <summary>ILGPU softmax / log-softmax along one dim: one thread per (outer, inner) row.</summary>
internal static class SoftmaxGpu
{
    public static void Forward<T>(Tensor x, Tensor y, long outer, int r, long inner, bool log) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, int, long, int>(Gpu.Acc(x), ForwardKernel<T>)(
            Gpu.Int(outer * inner), x.View<T>(), y.View<T>(), r, inner, log ? 1 : 0);

    public static void Backward<T>(Tensor y, Tensor g, Tensor gx, long outer, int r, long inner, bool log) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, long, int>(Gpu.Acc(y), BackwardKernel<T>)(
            Gpu.Int(outer * inner), y.View<T>(), g.View<T>(), gx.View<T>(), r, inner, log ? 1 : 0);

    private static void ForwardKernel<T>(Index1D p, ArrayView<T> x, ArrayView<T> y, int r, long inner, int log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long o = p / inner, i = p % inner, b = o * r * inner + i;
        T max = T.NegativeInfinity;
        for (int k = 0; k < r; k++) { T v = x[b + k * inner]; if (v > max || T.IsNaN(v)) max = v; }
        if (T.IsInfinity(max)) max = T.Zero;
        T sum = T.Zero;
        for (int k = 0; k < r; k++) sum += T.Exp(x[b + k * inner] - max);
        T ls = T.Log(sum);
        for (int k = 0; k < r; k++)
        {
            T v = x[b + k * inner] - max;
            y[b + k * inner] = log != 0 ? v - ls : T.Exp(v) / sum;
        }
    }

    private static void BackwardKernel<T>(Index1D p, ArrayView<T> y, ArrayView<T> g, ArrayView<T> gx, int r, long inner, int log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long o = p / inner, i = p % inner, b = o * r * inner + i;
        T s = T.Zero;
        for (int k = 0; k < r; k++) s += log != 0 ? g[b + k * inner] : g[b + k * inner] * y[b + k * inner];
        for (int k = 0; k < r; k++)
        {
            long q = b + k * inner;
            gx[q] = log != 0 ? g[q] - T.Exp(y[q]) * s : y[q] * (g[q] - s);
        }
    }
}

/// <summary>ILGPU batched matmul: one thread per output element (a tiled kernel is future work).</summary>
internal static class MatmulGpu
{
    public static void Run<T>(Tensor a, Tensor b, Tensor c, int batch, int m, int n, int k, bool transA, bool transB) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int, int, int>(Gpu.Acc(a), Kernel<T>)(
            Gpu.Int((long)batch * m * n), a.View<T>(), b.View<T>(), c.View<T>(), m, n, k, (transA ? 1 : 0) | (transB ? 2 : 0));

    private static void Kernel<T>(Index1D p, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, int m, int n, int k, int flags) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long bi = p / ((long)m * n), rem = p % ((long)m * n);
        long i = rem / n, j = rem % n;
        long ao = bi * m * k, bo = bi * k * n;
        bool ta = (flags & 1) != 0, tb = (flags & 2) != 0;
        T s = T.Zero;
        for (int q = 0; q < k; q++)
            s += (ta ? a[ao + q * m + i] : a[ao + i * k + q]) * (tb ? b[bo + j * k + q] : b[bo + q * n + j]);
        c[p] = s;
    }
}
