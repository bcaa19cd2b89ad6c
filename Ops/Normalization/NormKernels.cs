using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

/// <summary>
/// The input of a normalization seen as (N, C, S): S = product of the dims after C. Statistics are taken per
/// channel over (N, S) (batch_norm, PerChannel = 1) or per (n, group) over the group's C/G channels and S
/// (group_norm; layer_norm is one group of C = the normalized elements, S = 1). The affine weight and bias are
/// per channel. Public only because ILGPU's generated kernel launchers must see the type.
/// </summary>
public struct NormLayout
{
    public int N, C, S, Groups, PerChannel, HasWeight, HasBias;

    public readonly int Stats => PerChannel != 0 ? C : N * Groups;
    public readonly long GroupSize => (long)(C / Groups) * S;
    /// <summary>Elements behind one statistic (M).</summary>
    public readonly long Count => PerChannel != 0 ? (long)N * S : GroupSize;
    public readonly int StatOfRow(long row) => PerChannel != 0 ? (int)(row % C) : (int)(row / C * Groups + row % C / (C / Groups));
}

/// <summary>A normalization's layout with its T constants (made on the host: kernels cannot convert).</summary>
public struct NormArgs<T> where T : unmanaged
{
    public NormLayout L;
    /// <summary>M (elements per statistic), eps, and for batch_norm's running update momentum and M / (M - 1).</summary>
    public T M, Eps, Momentum, Unbias;
    public int Training;
    /// <summary>Which running statistics batch_norm updates (either may be absent).</summary>
    public int UpdateMean, UpdateVar;

    internal static NormArgs<T> Create(NormLayout l, double eps, double momentum = 0, bool training = false)
    {
        long m = l.Count;
        return new NormArgs<T>
        {
            L = l,
            M = Cast(m),
            Eps = Cast(eps),
            Momentum = Cast(momentum),
            Unbias = Cast(m > 1 ? (double)m / (m - 1) : 0),
            Training = training ? 1 : 0,
        };
    }

    private static T Cast(double v) => typeof(T) == typeof(float) ? (T)(object)(float)v : (T)(object)v;
}

/// <summary>
/// CPU kernels of batch_norm / group_norm / layer_norm, parallel over statistics, rows (n, c) or channels.
/// A statistics buffer holds [mean | var | rstd], each of L.Stats values.
/// </summary>
internal static class NormKernels
{
    /// <summary>Biased mean and variance of each statistic (two passes, as PyTorch's CPU batch_norm), and rstd = 1 / sqrt(var + eps).</summary>
    public static void Stats<T>(Tensor x, Tensor stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        if (l.Stats == 0) return;
        if (x.Device.IsIlgpu) { NormGpu.Stats(x, stats, a); return; }
        T[] xs = x.Data<T>(), st = stats.Data<T>();
        long rowStride = (long)l.C * l.S;
        Par.For(l.Stats, l.Count, (s0, s1) =>
        {
            for (long k = s0; k < s1; k++)
            {
                T sum = T.Zero, sq = T.Zero;
                if (l.PerChannel == 0)
                {
                    var block = new ReadOnlySpan<T>(xs, (int)(k * l.GroupSize), (int)l.GroupSize);
                    sum = TensorPrimitives.Sum(block);
                    T mu = sum / a.M;
                    foreach (var v in block) sq += (v - mu) * (v - mu);
                }
                else
                {
                    for (int n = 0; n < l.N; n++) sum += TensorPrimitives.Sum(new ReadOnlySpan<T>(xs, (int)(n * rowStride + k * l.S), l.S));
                    T mu = sum / a.M;
                    for (int n = 0; n < l.N; n++)
                        foreach (var v in new ReadOnlySpan<T>(xs, (int)(n * rowStride + k * l.S), l.S)) sq += (v - mu) * (v - mu);
                }
                st[k] = sum / a.M;
                st[l.Stats + k] = sq / a.M;
                st[2 * l.Stats + k] = T.One / T.Sqrt(sq / a.M + a.Eps);
            }
        });
    }

    /// <summary>batch_norm in eval: the statistics are the running mean and 1 / sqrt(running_var + eps).</summary>
    public static void RunningStats<T>(Tensor runningMean, Tensor runningVar, Tensor stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.L.C == 0) return;
        if (stats.Device.IsIlgpu) { NormGpu.RunningStats(runningMean, runningVar, stats, a); return; }
        T[] rm = runningMean.Data<T>(), rv = runningVar.Data<T>(), st = stats.Data<T>();
        int c = a.L.C;
        for (int k = 0; k < c; k++)
        {
            st[k] = rm[k];
            st[c + k] = rv[k];
            st[2 * c + k] = T.One / T.Sqrt(rv[k] + a.Eps);
        }
    }

    /// <summary>batch_norm's running update: mean = (1 - momentum) mean + momentum batch_mean, var likewise with the unbiased batch variance.</summary>
    public static void UpdateRunning<T>(Tensor runningMean, Tensor runningVar, Tensor stats, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.L.C == 0) return;
        if (stats.Device.IsIlgpu) { NormGpu.UpdateRunning(runningMean, runningVar, stats, a); return; }
        T[] rm = runningMean.Data<T>(), rv = runningVar.Data<T>(), st = stats.Data<T>();
        int c = a.L.C;
        T keep = T.One - a.Momentum;
        for (int k = 0; k < c; k++)
        {
            if (a.UpdateMean != 0) rm[k] = keep * rm[k] + a.Momentum * st[k];
            if (a.UpdateVar != 0) rv[k] = keep * rv[k] + a.Momentum * st[c + k] * a.Unbias;
        }
    }

    /// <summary>y = (x - mean) rstd w + b, written as PyTorch's x alpha + (b - mean alpha) with alpha = rstd w.</summary>
    public static void Apply<T>(Tensor x, Tensor stats, Tensor? w, Tensor? b, Tensor y, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        if (x.Device.IsIlgpu) { NormGpu.Apply(x, stats, w, b, y, a); return; }
        var l = a.L;
        T[] xs = x.Data<T>(), st = stats.Data<T>(), ys = y.Data<T>();
        T[]? ws = w?.Data<T>(), bs = b?.Data<T>();
        Par.For((long)l.N * l.C, l.S, (r0, r1) =>
        {
            for (long row = r0; row < r1; row++)
            {
                int k = l.StatOfRow(row), c = (int)(row % l.C);
                T alpha = st[2 * l.Stats + k] * (ws is null ? T.One : ws[c]);
                T beta = (bs is null ? T.Zero : bs[c]) - st[k] * alpha;
                var dst = new Span<T>(ys, (int)(row * l.S), l.S);
                TensorPrimitives.Multiply(new ReadOnlySpan<T>(xs, (int)(row * l.S), l.S), alpha, dst);
                TensorPrimitives.Add(dst, beta, dst);
            }
        });
    }

    /// <summary>Per channel: sumG = sum g (the bias gradient) and sumGX = sum g xhat (the weight gradient).</summary>
    public static void AffineSums<T>(Tensor g, Tensor x, Tensor stats, Tensor sumG, Tensor sumGX, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        if (l.C == 0) return;
        if (x.Device.IsIlgpu) { NormGpu.AffineSums(g, x, stats, sumG, sumGX, a); return; }
        T[] gs = g.Data<T>(), xs = x.Data<T>(), st = stats.Data<T>(), sg = sumG.Data<T>(), sgx = sumGX.Data<T>();
        Par.For(l.C, (long)l.N * l.S, (c0, c1) =>
        {
            for (long c = c0; c < c1; c++)
            {
                T sa = T.Zero, sb = T.Zero;
                for (int n = 0; n < l.N; n++)
                {
                    long row = (long)n * l.C + c;
                    int k = l.StatOfRow(row);
                    T mu = st[k], r = st[2 * l.Stats + k];
                    long o = row * l.S;
                    for (int s = 0; s < l.S; s++)
                    {
                        sa += gs[o + s];
                        sb += gs[o + s] * (xs[o + s] - mu) * r;
                    }
                }
                sg[c] = sa;
                sgx[c] = sb;
            }
        });
    }

    /// <summary>
    /// Input gradient of a per-(n, group) normalization: with gw = g w and xhat = (x - mean) rstd,
    /// dx = rstd (gw - mean(gw) - xhat mean(gw xhat)) over the statistic's elements.
    /// </summary>
    public static void GroupInputGrad<T>(Tensor g, Tensor x, Tensor stats, Tensor? w, Tensor gx, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gx.Numel == 0) return;
        if (x.Device.IsIlgpu) { NormGpu.GroupInputGrad(g, x, stats, w, gx, a); return; }
        var l = a.L;
        T[] gs = g.Data<T>(), xs = x.Data<T>(), st = stats.Data<T>(), gxs = gx.Data<T>();
        T[]? ws = w?.Data<T>();
        int cg = l.C / l.Groups;
        Par.For(l.Stats, l.GroupSize * 2, (s0, s1) =>
        {
            for (long k = s0; k < s1; k++)
            {
                long o = k * l.GroupSize;
                int c0 = (int)(k % l.Groups) * cg;
                T mu = st[k], r = st[2 * l.Stats + k], sa = T.Zero, sb = T.Zero;
                for (long e = 0; e < l.GroupSize; e++)
                {
                    T gw = gs[o + e] * (ws is null ? T.One : ws[c0 + e / l.S]);
                    sa += gw;
                    sb += gw * (xs[o + e] - mu) * r;
                }
                sa /= a.M;
                sb /= a.M;
                for (long e = 0; e < l.GroupSize; e++)
                {
                    T gw = gs[o + e] * (ws is null ? T.One : ws[c0 + e / l.S]);
                    gxs[o + e] = r * (gw - sa - (xs[o + e] - mu) * r * sb);
                }
            }
        });
    }

    /// <summary>
    /// Input gradient of batch_norm: training dx = w rstd (g - sumG / M - xhat sumGX / M) (the batch statistics
    /// depend on x); eval dx = g w rstd (running statistics are constants).
    /// </summary>
    public static void ChannelInputGrad<T>(Tensor g, Tensor x, Tensor stats, Tensor? w, Tensor sumG, Tensor sumGX, Tensor gx, NormArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gx.Numel == 0) return;
        if (x.Device.IsIlgpu) { NormGpu.ChannelInputGrad(g, x, stats, w, sumG, sumGX, gx, a); return; }
        var l = a.L;
        T[] gs = g.Data<T>(), xs = x.Data<T>(), st = stats.Data<T>(), sg = sumG.Data<T>(), sgx = sumGX.Data<T>(), gxs = gx.Data<T>();
        T[]? ws = w?.Data<T>();
        bool training = a.Training != 0;
        Par.For((long)l.N * l.C, l.S, (r0, r1) =>
        {
            for (long row = r0; row < r1; row++)
            {
                int c = (int)(row % l.C);
                T r = st[2 * l.C + c], scale = r * (ws is null ? T.One : ws[c]);
                T mu = st[c], meanG = sg[c] / a.M, meanGX = sgx[c] / a.M;
                long o = row * l.S;
                for (int s = 0; s < l.S; s++)
                    gxs[o + s] = training ? scale * (gs[o + s] - meanG - (xs[o + s] - mu) * r * meanGX) : scale * gs[o + s];
            }
        });
    }
}
