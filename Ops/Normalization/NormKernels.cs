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

    /// <summary>y = (x - mean) alpha + b with alpha = rstd w: by rows of S for long rows, by sample for short ones (layer_norm).</summary>
    public static void Apply<T>(Tensor x, Tensor stats, Tensor? w, Tensor? b, Tensor y, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Numel == 0) return;
        if (x.Device.IsIlgpu) { NormGpu.Apply(x, stats, w, b, y, a); return; }
        var l = a.L;
        T[] xs = x.Data<T>(), st = stats.Data<T>(), ys = y.Data<T>();
        T[]? ws = w?.Data<T>(), bs = b?.Data<T>();
        if (l.S >= 16)
        {
            Par.For((long)l.N * l.C, l.S, (r0, r1) =>
            {
                for (long row = r0; row < r1; row++)
                {
                    int k = l.StatOfRow(row), c = (int)(row % l.C);
                    T alpha = st[2 * l.Stats + k] * (ws is null ? T.One : ws[c]);
                    var dst = new Span<T>(ys, (int)(row * l.S), l.S);
                    TensorPrimitives.Subtract(new ReadOnlySpan<T>(xs, (int)(row * l.S), l.S), st[k], dst);
                    TensorPrimitives.Multiply(dst, alpha, dst);
                    if (bs is not null) TensorPrimitives.Add(dst, bs[c], dst);
                }
            });
            return;
        }
        if (l.S == 1 && l.Groups == 1 && l.PerChannel == 0)
        {
            // layer_norm: one statistic per sample row of C, the affine along the row
            Par.For(l.N, l.C, (n0, n1) =>
            {
                for (long n = n0; n < n1; n++)
                {
                    var dst = new Span<T>(ys, (int)(n * l.C), l.C);
                    TensorPrimitives.Subtract(new ReadOnlySpan<T>(xs, (int)(n * l.C), l.C), st[n], dst);
                    TensorPrimitives.Multiply(dst, st[2 * l.Stats + n], dst);
                    if (ws is not null) TensorPrimitives.Multiply(dst, ws, dst);
                    if (bs is not null) TensorPrimitives.Add(dst, bs, dst);
                }
            });
            return;
        }
        int cg = l.C / l.Groups;
        Par.For(l.N, (long)l.C * l.S, (n0, n1) =>
        {
            for (long n = n0; n < n1; n++)
                for (int gi = 0, c = 0; gi < l.Groups; gi++)
                    for (int ch = 0; ch < cg; ch++, c++)
                    {
                        int k = l.PerChannel != 0 ? c : (int)n * l.Groups + gi;
                        T mu = st[k], alpha = st[2 * l.Stats + k] * (ws is null ? T.One : ws[c]), beta = bs is null ? T.Zero : bs[c];
                        for (long e = (n * l.C + c) * l.S, end = e + l.S; e < end; e++) ys[e] = (xs[e] - mu) * alpha + beta;
                    }
        });
    }

    /// <summary>
    /// Per channel: sumG = sum g (the bias gradient) and sumGX = sum g xhat (the weight gradient). Long rows (S large)
    /// go channel by channel; short ones (layer_norm, S = 1) by blocks of samples into partial sums that are then
    /// added in block order, so the result does not depend on thread timing.
    /// </summary>
    public static void AffineSums<T>(Tensor g, Tensor x, Tensor stats, Tensor sumG, Tensor sumGX, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        if (l.C == 0) return;
        if (x.Device.IsIlgpu) { NormGpu.AffineSums(g, x, stats, sumG, sumGX, a); return; }
        T[] gs = g.Data<T>(), xs = x.Data<T>(), st = stats.Data<T>(), sg = sumG.Data<T>(), sgx = sumGX.Data<T>();
        int c = l.C;
        int blocks = l.S >= 64 ? 0 : (int)Math.Clamp((long)l.N * c * l.S / Par.ElementwiseGrain, 1, Math.Min(Par.Workers, Math.Max(l.N, 1)));
        if (blocks == 0)
        {
            Par.For(c, (long)l.N * l.S, (c0, c1) =>
            {
                for (long ch = c0; ch < c1; ch++)
                {
                    T sa = T.Zero, sb = T.Zero;
                    for (int n = 0; n < l.N; n++) AccumulateRow(gs, xs, st, l, (long)n * c + ch, ref sa, ref sb);
                    sg[ch] = sa;
                    sgx[ch] = sb;
                }
            });
            return;
        }
        var partial = new T[blocks * 2 * c];
        bool rowStats = l.S == 1 && l.Groups == 1 && l.PerChannel == 0;
        Par.For(blocks, (long)l.N * c * l.S / blocks, (b0, b1) =>
        {
            var xhat = rowStats ? new T[c] : [];
            for (long b = b0; b < b1; b++)
            {
                var pa = new Span<T>(partial, (int)(b * 2 * c), c);
                var pb = new Span<T>(partial, (int)(b * 2 * c + c), c);
                for (long n = l.N * b / blocks; n < l.N * (b + 1) / blocks; n++)
                {
                    if (!rowStats)
                    {
                        for (int ch = 0; ch < c; ch++) AccumulateRow(gs, xs, st, l, n * c + ch, ref pa[ch], ref pb[ch]);
                        continue;
                    }
                    // layer_norm: sample n's row is one statistic; pa += g, pb += g (x - mean) rstd, vectorized
                    var grow = new ReadOnlySpan<T>(gs, (int)(n * c), c);
                    TensorPrimitives.Subtract(new ReadOnlySpan<T>(xs, (int)(n * c), c), st[n], xhat);
                    TensorPrimitives.Multiply(xhat, st[2 * l.Stats + n], xhat);
                    TensorPrimitives.Multiply(xhat, grow, xhat);
                    TensorPrimitives.Add(pa, grow, pa);
                    TensorPrimitives.Add(pb, xhat, pb);
                }
            }
        });
        for (int ch = 0; ch < c; ch++)
        {
            T sa = T.Zero, sb = T.Zero;
            for (int b = 0; b < blocks; b++) { sa += partial[b * 2 * c + ch]; sb += partial[b * 2 * c + c + ch]; }
            sg[ch] = sa;
            sgx[ch] = sb;
        }
    }

    /// <summary>Adds row (n, c)'s sum of g and of g xhat.</summary>
    private static void AccumulateRow<T>(T[] gs, T[] xs, T[] st, NormLayout l, long row, ref T sa, ref T sb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = l.StatOfRow(row);
        T mu = st[k], r = st[2 * l.Stats + k];
        long o = row * l.S;
        for (int s = 0; s < l.S; s++)
        {
            sa += gs[o + s];
            sb += gs[o + s] * (xs[o + s] - mu) * r;
        }
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
        if (l.S == 1 && l.Groups == 1)
        {
            // layer_norm: per row, gw = g w, xhat = (x - mean) rstd, dx = rstd ((gw - xhat mean(gw xhat)) - mean(gw)), vectorized
            Par.For(l.N, (long)l.C * 4, (n0, n1) =>
            {
                var gw = new T[l.C];
                var xhat = new T[l.C];
                for (long n = n0; n < n1; n++)
                {
                    var grow = new ReadOnlySpan<T>(gs, (int)(n * l.C), l.C);
                    if (ws is null) grow.CopyTo(gw); else TensorPrimitives.Multiply(grow, ws, gw);
                    TensorPrimitives.Subtract(new ReadOnlySpan<T>(xs, (int)(n * l.C), l.C), st[n], xhat);
                    T r = st[2 * l.Stats + n];
                    TensorPrimitives.Multiply(xhat, r, xhat);
                    T sa = TensorPrimitives.Sum<T>(gw) / a.M, sb = TensorPrimitives.Dot<T>(gw, xhat) / a.M;
                    TensorPrimitives.Multiply(xhat, sb, xhat);
                    TensorPrimitives.Subtract(gw, xhat, gw);
                    TensorPrimitives.Subtract(gw, sa, gw);
                    TensorPrimitives.Multiply(gw, r, new Span<T>(gxs, (int)(n * l.C), l.C));
                }
            });
            return;
        }
        Par.For(l.Stats, l.GroupSize * 2, (s0, s1) =>
        {
            for (long k = s0; k < s1; k++)
            {
                long o = k * l.GroupSize;
                int c0 = (int)(k % l.Groups) * cg;
                T mu = st[k], r = st[2 * l.Stats + k], sa = T.Zero, sb = T.Zero;
                for (int ch = 0; ch < cg; ch++)
                {
                    T wc = ws is null ? T.One : ws[c0 + ch];
                    for (long e = o + (long)ch * l.S, end = e + l.S; e < end; e++)
                    {
                        T gw = gs[e] * wc;
                        sa += gw;
                        sb += gw * (xs[e] - mu) * r;
                    }
                }
                sa /= a.M;
                sb /= a.M;
                for (int ch = 0; ch < cg; ch++)
                {
                    T wc = ws is null ? T.One : ws[c0 + ch];
                    for (long e = o + (long)ch * l.S, end = e + l.S; e < end; e++)
                        gxs[e] = r * (gs[e] * wc - sa - (xs[e] - mu) * r * sb);
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
