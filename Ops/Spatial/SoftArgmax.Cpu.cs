using System.Numerics;
using System.Runtime.CompilerServices;

namespace Framework;

/// <summary>Sizes of one softargmax call: Rows maps of D x H x W positions (D = 1 for 2-D), Dims coordinates each.</summary>
internal struct SoftArgmaxArgs
{
    public int Rows, D, H, W, Dims;
    public int WantHeatmap;   // 1: the forward also writes the normalised heatmap
    public readonly int Size => D * H * W;
}

/// <summary>
/// Fused soft-argmax on the CPU, one map per task (parallel over batch x channels), every pass vectorised:
///   forward   m = max(b x), e = exp(b x - m), X = sum e j / sum e, Y = sum e i / sum e (Z over planes);
///             saved per map: m and 1 / sum e (the heatmap p = e / sum e is written only when asked for);
///   backward  dL/dx_ij = b p_ij (gX (j - X) + gY (i - Y) [+ gZ (d - Z)]), recomputing p from x: one read of
///             x and one write instead of storing and re-reading a heatmap as large as the input.
/// </summary>
internal static class SoftArgmaxCpu
{
    public static void Forward(Tensor x, Tensor? p, Tensor stats, Tensor coords, double beta, SoftArgmaxArgs a)
    {
        if (a.Rows == 0) return;
        if (x.Device.IsIlgpu) { SoftArgmaxGpu.Forward(x, p ?? stats, stats, coords, beta, a); return; }
        if (x.DType == DType.Float32) Forward(x.Data<float>(), p?.Data<float>(), stats.Data<float>(), coords.Data<float>(), (float)beta, a);
        else Forward(x.Data<double>(), p?.Data<double>(), stats.Data<double>(), coords.Data<double>(), beta, a);
    }

    public static void Backward(Tensor x, Tensor stats, Tensor coords, Tensor g, Tensor gx, double beta, SoftArgmaxArgs a)
    {
        if (a.Rows == 0) return;
        if (x.Device.IsIlgpu) { SoftArgmaxGpu.Backward(x, stats, coords, g, gx, beta, a); return; }
        if (x.DType == DType.Float32) Backward(x.Data<float>(), stats.Data<float>(), coords.Data<float>(), g.Data<float>(), gx.Data<float>(), (float)beta, a);
        else Backward(x.Data<double>(), stats.Data<double>(), coords.Data<double>(), g.Data<double>(), gx.Data<double>(), beta, a);
    }

    private static T[] Iota<T>(int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = new T[n];
        for (int i = 0; i < n; i++) v[i] = T.CreateTruncating(i);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<T>(T[] x, T[]? p, T[] stats, T[] coords, T beta, SoftArgmaxArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = a.Size;
        var iota = Iota<T>(a.W);
        Par.For(a.Rows, s * 8L, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
        {
            Span<T> scratch = p is null ? new T[a.W] : Span<T>.Empty;
            for (long r = r0; r < r1; r++)
            {
                var xs = new ReadOnlySpan<T>(x, (int)(r * s), s);
                T max = MaxScaled(xs, beta);
                if (T.IsInfinity(max)) max = T.Zero;   // all -inf (or an inf): let exp produce the NaN PyTorch gives
                var ps = p is null ? scratch : new Span<T>(p, (int)(r * s), s);
                var (sum, cx, cy, cz) = ExpAndMoments(xs, ps, p is null, beta, max, iota, a);
                T inv = T.One / sum;
                if (p is not null) Scale(ps, inv);
                stats[2 * r] = max;
                stats[2 * r + 1] = inv;
                long o = r * a.Dims;
                coords[o] = cx * inv;
                coords[o + 1] = cy * inv;
                if (a.Dims == 3) coords[o + 2] = cz * inv;
            }
        });
    }

    /// <summary>max over k of beta x_k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T MaxScaled<T>(ReadOnlySpan<T> xs, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        int k = 0, vc = Vector<T>.Count;
        if (xs.Length >= vc)
        {
            var vb = new Vector<T>(beta);
            var vm = new Vector<T>(T.NegativeInfinity);
            for (; k <= xs.Length - vc; k += vc) vm = Vector.MaxNative(vm, new Vector<T>(xs[k..]) * vb);   // a NaN may be dropped here: exp propagates it anyway
            for (int l = 0; l < vc; l++) if (vm[l] > max || T.IsNaN(vm[l])) max = vm[l];
        }
        for (; k < xs.Length; k++) { T v = beta * xs[k]; if (v > max || T.IsNaN(v)) max = v; }
        return max;
    }

    /// <summary>
    /// e = exp(beta x - max), written to ps (the heatmap, or a one-row scratch reused for every row when no heatmap
    /// is wanted); returns sum e and the moments sum e j, sum e i, sum e d. Per row only the row sum and sum e j
    /// are accumulated; i and d weight the row sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (T Sum, T X, T Y, T Z) ExpAndMoments<T>(ReadOnlySpan<T> xs, Span<T> ps, bool scratch, T beta, T max, T[] iota, SoftArgmaxArgs a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = a.W, vc = Vector<T>.Count;
        var vb = new Vector<T>(beta);
        var vmax = new Vector<T>(max);
        T sum = T.Zero, sx = T.Zero, sy = T.Zero, sz = T.Zero;
        int at = 0;
        for (int d = 0; d < a.D; d++)
        {
            T plane = T.Zero;
            for (int i = 0; i < a.H; i++, at += w)
            {
                var row = ps.Slice(scratch ? 0 : at, w);
                var xr = xs.Slice(at, w);
                Vector<T> vrow = Vector<T>.Zero, vx = Vector<T>.Zero;
                int j = 0;
                for (; j <= w - vc; j += vc)
                {
                    var e = Exp(Fma(new Vector<T>(xr[j..]), vb, -vmax));
                    e.CopyTo(row[j..]);
                    vrow += e;
                    vx = Fma(e, new Vector<T>(iota, j), vx);
                }
                T rowSum = Vector.Sum(vrow), rowX = Vector.Sum(vx);
                for (; j < w; j++)
                {
                    T e = T.Exp(beta * xr[j] - max);
                    row[j] = e;
                    rowSum += e;
                    rowX += e * iota[j];
                }
                sx += rowX;
                sy += rowSum * T.CreateTruncating(i);
                plane += rowSum;
            }
            sum += plane;
            sz += plane * T.CreateTruncating(d);
        }
        return (sum, sx, sy, sz);
    }

    /// <summary>a b + c, fused where the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector.As<float, T>(Vector.MultiplyAddEstimate(Vector.As<T, float>(a), Vector.As<T, float>(b), Vector.As<T, float>(c)));
        return Vector.As<double, T>(Vector.MultiplyAddEstimate(Vector.As<T, double>(a), Vector.As<T, double>(b), Vector.As<T, double>(c)));
    }

    /// <summary>exp of arguments &lt;= 0 (beta x - max); float uses <see cref="ExpNonPositive"/>, double the runtime's accurate Vector.Exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Exp<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector.As<float, T>(ExpNonPositive(Vector.As<T, float>(v)));
        return Vector.As<double, T>(Vector.Exp(Vector.As<T, double>(v)));
    }

    /// <summary>
    /// float exp for x &lt;= 0 in about a dozen vector operations (Cephes' expf: x = n ln 2 + r, a degree-5
    /// polynomial in r, times 2^n built in the exponent bits), within 2 ulp; 0 below -87 (where float underflows
    /// to denormals), NaN kept. The runtime's Vector.Exp(float) computes in double and is about three times slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpNonPositive(Vector<float> x)
    {
        var underflow = Vector.LessThan(x, new Vector<float>(-87f));
        var xc = Vector.MaxNative(x, new Vector<float>(-87f));
        var n = Vector.Floor(Vector.MultiplyAddEstimate(xc, new Vector<float>(1.44269504088896341f), new Vector<float>(0.5f)));
        var r = Vector.MultiplyAddEstimate(n, new Vector<float>(-0.693359375f), xc);
        r = Vector.MultiplyAddEstimate(n, new Vector<float>(2.12194440e-4f), r);
        var p = Vector.MultiplyAddEstimate(new Vector<float>(1.9875691500e-4f), r, new Vector<float>(1.3981999507e-3f));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(8.3334519073e-3f));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(4.1665795894e-2f));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(1.6666665459e-1f));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(5.0000001201e-1f));
        var e = Vector.MultiplyAddEstimate(p, r * r, r) + Vector<float>.One;
        var scale = Vector.As<int, float>(Vector.ShiftLeft(Vector.ConvertToInt32Native(n) + new Vector<int>(127), 23));
        var result = Vector.ConditionalSelect(underflow, Vector<float>.Zero, e * scale);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);   // NaN stays NaN
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale<T>(Span<T> ps, T factor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = 0, vc = Vector<T>.Count;
        var vf = new Vector<T>(factor);
        for (; k <= ps.Length - vc; k += vc) (new Vector<T>(ps[k..]) * vf).CopyTo(ps[k..]);
        for (; k < ps.Length; k++) ps[k] *= factor;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<T>(T[] x, T[] stats, T[] coords, T[] g, T[] gx, T beta, SoftArgmaxArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = a.Size, w = a.W, h = a.H;
        var iota = Iota<T>(w);
        Par.For(a.Rows, s * 6L, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                long o = r * a.Dims;
                T gX = g[o], gY = g[o + 1], gZ = a.Dims == 3 ? g[o + 2] : T.Zero;
                T cX = coords[o], cY = coords[o + 1], cZ = a.Dims == 3 ? coords[o + 2] : T.Zero;
                T max = stats[2 * r], bInv = beta * stats[2 * r + 1];   // b p = b / sum e * exp(b x - m)
                for (int d = 0; d < a.D; d++)
                    for (int i = 0; i < h; i++)
                    {
                        // gX (j - X) + gY (i - Y) + gZ (d - Z) = gX j + offset
                        T offset = gY * (T.CreateTruncating(i) - cY) + gZ * (T.CreateTruncating(d) - cZ) - gX * cX;
                        int at = (int)(r * s) + (d * h + i) * w;
                        RampTimesSoftmax(new ReadOnlySpan<T>(x, at, w), iota, beta, max, bInv * gX, bInv * offset, new Span<T>(gx, at, w));
                    }
            }
        });
    }

    /// <summary>dst[j] = exp(beta x[j] - max) (slope j + offset), vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RampTimesSoftmax<T>(ReadOnlySpan<T> xs, ReadOnlySpan<T> iota, T beta, T max, T slope, T offset, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0, vc = Vector<T>.Count;
        if (xs.Length >= vc)
        {
            var vb = new Vector<T>(beta);
            var vm = new Vector<T>(max);
            var vs = new Vector<T>(slope);
            var vo = new Vector<T>(offset);
            for (; j <= xs.Length - vc; j += vc)
                (Exp(Fma(new Vector<T>(xs[j..]), vb, -vm)) * Fma(new Vector<T>(iota[j..]), vs, vo)).CopyTo(dst[j..]);
        }
        for (; j < xs.Length; j++) dst[j] = T.Exp(beta * xs[j] - max) * (slope * iota[j] + offset);
    }
}
