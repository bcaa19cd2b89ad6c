using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Framework;

/// <summary>
/// ILGPU kernels of the normalizations: one thread per statistic (moments, group sums), per channel (affine
/// sums) or per element (apply, input gradients). An absent weight or bias is passed as any view and ignored.
/// </summary>
internal static class NormGpu
{
    public static void Stats<T>(Tensor x, Tensor stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, NormArgs<T>>(Gpu.Acc(x), StatsKernel<T>)(a.L.Stats, x.View<T>(), stats.View<T>(), a);

    public static void RunningStats<T>(Tensor rm, Tensor rv, Tensor stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormArgs<T>>(Gpu.Acc(stats), RunningStatsKernel<T>)(a.L.C, rm.View<T>(), rv.View<T>(), stats.View<T>(), a);

    public static void UpdateRunning<T>(Tensor rm, Tensor rv, Tensor stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormArgs<T>>(Gpu.Acc(stats), UpdateRunningKernel<T>)(a.L.C, rm.View<T>(), rv.View<T>(), stats.View<T>(), a);

    public static void Apply<T>(Tensor x, Tensor stats, Tensor? w, Tensor? b, Tensor y, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormArgs<T>>(Gpu.Acc(x), ApplyKernel<T>)(
            Gpu.Int(y.Numel), x.View<T>(), stats.View<T>(), (w ?? stats).View<T>(), (b ?? stats).View<T>(), y.View<T>(), a);

    public static void AffineSums<T>(Tensor g, Tensor x, Tensor stats, Tensor sumG, Tensor sumGX, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormArgs<T>>(Gpu.Acc(x), AffineSumsKernel<T>)(
            a.L.C, g.View<T>(), x.View<T>(), stats.View<T>(), sumG.View<T>(), sumGX.View<T>(), a);

    public static void GroupInputGrad<T>(Tensor g, Tensor x, Tensor stats, Tensor? w, Tensor gx, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // pass 1: per statistic, mean(g w) and mean(g w xhat); pass 2: per element
        using var sums = Tensor.Empty(new Shape(2 * a.L.Stats), x.DType, x.Device).DetachFromDisposeScope();
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormArgs<T>>(Gpu.Acc(x), GroupSumsKernel<T>)(
            a.L.Stats, g.View<T>(), x.View<T>(), stats.View<T>(), (w ?? stats).View<T>(), sums.View<T>(), a);
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormArgs<T>>(Gpu.Acc(x), GroupInputGradKernel<T>)(
            Gpu.Int(gx.Numel), g.View<T>(), x.View<T>(), stats.View<T>(), (w ?? stats).View<T>(), sums.View<T>(), gx.View<T>(), a);
    }

    public static void ChannelInputGrad<T>(Tensor g, Tensor x, Tensor stats, Tensor? w, Tensor sumG, Tensor sumGX, Tensor gx, NormArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, NormArgs<T>>(Gpu.Acc(x), ChannelInputGradKernel<T>)(
            Gpu.Int(gx.Numel), g.View<T>(), x.View<T>(), stats.View<T>(), (w ?? stats).View<T>(), sumG.View<T>(), sumGX.View<T>(), gx.View<T>(), a);

    private static void StatsKernel<T>(Index1D k, ArrayView<T> x, ArrayView<T> stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        T sum = T.Zero, sq = T.Zero;
        long rowStride = (long)l.C * l.S;
        if (l.PerChannel == 0)
        {
            long o = k * l.GroupSize;
            for (long e = 0; e < l.GroupSize; e++) sum += x[o + e];
            T mu = sum / a.M;
            for (long e = 0; e < l.GroupSize; e++) { T d = x[o + e] - mu; sq += d * d; }
        }
        else
        {
            for (long n = 0; n < l.N; n++)
                for (long s = 0; s < l.S; s++) sum += x[n * rowStride + k * l.S + s];
            T mu = sum / a.M;
            for (long n = 0; n < l.N; n++)
                for (long s = 0; s < l.S; s++) { T d = x[n * rowStride + k * l.S + s] - mu; sq += d * d; }
        }
        stats[k] = sum / a.M;
        stats[l.Stats + k] = sq / a.M;
        stats[2 * l.Stats + k] = T.One / T.Sqrt(sq / a.M + a.Eps);
    }

    private static void RunningStatsKernel<T>(Index1D c, ArrayView<T> rm, ArrayView<T> rv, ArrayView<T> stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.L.C;
        stats[c] = rm[c];
        stats[n + c] = rv[c];
        stats[2 * n + c] = T.One / T.Sqrt(rv[c] + a.Eps);
    }

    private static void UpdateRunningKernel<T>(Index1D c, ArrayView<T> rm, ArrayView<T> rv, ArrayView<T> stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T keep = T.One - a.Momentum;
        if (a.UpdateMean != 0) rm[c] = keep * rm[c] + a.Momentum * stats[c];
        if (a.UpdateVar != 0) rv[c] = keep * rv[c] + a.Momentum * stats[a.L.C + c] * a.Unbias;
    }

    private static void ApplyKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> stats, ArrayView<T> w, ArrayView<T> b, ArrayView<T> y, NormArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        long row = i / l.S;
        int k = l.StatOfRow(row), c = (int)(row % l.C);
        T alpha = stats[2 * l.Stats + k] * (l.HasWeight != 0 ? w[c] : T.One);
        y[i] = (x[i] - stats[k]) * alpha + (l.HasBias != 0 ? b[c] : T.Zero);
    }

    private static void AffineSumsKernel<T>(Index1D c, ArrayView<T> g, ArrayView<T> x, ArrayView<T> stats, ArrayView<T> sumG, ArrayView<T> sumGX, NormArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        T sa = T.Zero, sb = T.Zero;
        for (long n = 0; n < l.N; n++)
        {
            long row = n * l.C + c;
            int k = l.StatOfRow(row);
            T mu = stats[k], r = stats[2 * l.Stats + k];
            for (long s = 0; s < l.S; s++)
            {
                T gv = g[row * l.S + s];
                sa += gv;
                sb += gv * (x[row * l.S + s] - mu) * r;
            }
        }
        sumG[c] = sa;
        sumGX[c] = sb;
    }

    private static void GroupSumsKernel<T>(Index1D k, ArrayView<T> g, ArrayView<T> x, ArrayView<T> stats, ArrayView<T> w, ArrayView<T> sums, NormArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        long o = k * l.GroupSize;
        int c0 = (int)(k % l.Groups) * (l.C / l.Groups);
        T mu = stats[k], r = stats[2 * l.Stats + k], sa = T.Zero, sb = T.Zero;
        for (long e = 0; e < l.GroupSize; e++)
        {
            T gw = g[o + e] * (l.HasWeight != 0 ? w[c0 + e / l.S] : T.One);
            sa += gw;
            sb += gw * (x[o + e] - mu) * r;
        }
        sums[k] = sa / a.M;
        sums[l.Stats + k] = sb / a.M;
    }

    private static void GroupInputGradKernel<T>(Index1D i, ArrayView<T> g, ArrayView<T> x, ArrayView<T> stats, ArrayView<T> w, ArrayView<T> sums, ArrayView<T> gx, NormArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        long k = i / l.GroupSize, e = i % l.GroupSize;
        int c = (int)(k % l.Groups) * (l.C / l.Groups) + (int)(e / l.S);
        T mu = stats[k], r = stats[2 * l.Stats + k];
        T gw = g[i] * (l.HasWeight != 0 ? w[c] : T.One);
        gx[i] = r * (gw - sums[k] - (x[i] - mu) * r * sums[l.Stats + k]);
    }

    private static void ChannelInputGradKernel<T>(Index1D i, ArrayView<T> g, ArrayView<T> x, ArrayView<T> stats, ArrayView<T> w, ArrayView<T> sumG, ArrayView<T> sumGX,
        ArrayView<T> gx, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        int c = (int)(i / l.S % l.C);
        T r = stats[2 * l.C + c], scale = r * (l.HasWeight != 0 ? w[c] : T.One);
        gx[i] = a.Training != 0
            ? scale * (g[i] - sumG[c] / a.M - (x[i] - stats[c]) * r * (sumGX[c] / a.M))
            : scale * g[i];
    }
}
