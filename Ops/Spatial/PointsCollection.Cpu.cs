using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

/// <summary>
/// points_collection on the CPU. Every target point reads the same four corners of all 2M deformable channels,
/// so d is first laid out channel-last, (B, h w, K) with K = 2M padded to whole vectors: one corner is then one
/// contiguous run of channels and the bilinear read, the floor-rule derivative and the scatter of the deformable
/// gradient all run as SIMD over channels. Rows (b, n, i) run in parallel; each task accumulates the deformable
/// gradient of its own batch range privately and adds it in at the end.
/// </summary>
internal static class PointsCollectionCpu
{
    public static void Forward(Tensor t, Tensor d, Tensor p, PointsCollectionArgs a)
    {
        if (t.Device.IsIlgpu) { PointsCollectionGpu.Forward(t, d, p, a); return; }
        if (t.DType == DType.Float32) Forward<float, Float32Ops>(t.Data<float>(), d.Data<float>(), p.Data<float>(), a);
        else Forward<double, Float64Ops>(t.Data<double>(), d.Data<double>(), p.Data<double>(), a);
    }

    public static void Backward(Tensor t, Tensor d, Tensor g, Tensor? gt, Tensor? gd, PointsCollectionArgs a)
    {
        if (t.Device.IsIlgpu) { PointsCollectionGpu.Backward(t, d, g, gt, gd, a); return; }
        if (t.DType == DType.Float32) Backward<float, Float32Ops>(t.Data<float>(), d.Data<float>(), g.Data<float>(), gt?.Data<float>(), gd?.Data<float>(), a);
        else Backward<double, Float64Ops>(t.Data<double>(), d.Data<double>(), g.Data<double>(), gt?.Data<double>(), gd?.Data<double>(), a);
    }

    private static int Padded<T>(int k) => (k + Vector<T>.Count - 1) / Vector<T>.Count * Vector<T>.Count;

    /// <summary>Per-channel factors (zero in the padding lanes): even channels are u (y), odd ones v (x).</summary>
    private static T[] PerChannel<T>(int k, int kp, T even, T odd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = new T[kp];
        for (int c = 0; c < k; c++) v[c] = c % 2 == 0 ? even : odd;
        return v;
    }

    /// <summary>(B, K, hw) to (B, hw, Kp) and back; the padding lanes stay zero.</summary>
    private static void Transpose<T>(T[] channelFirst, T[] channelLast, int b, int k, int hw, int kp, bool toLast) where T : unmanaged
    {
        Par.For((long)b * k, hw, (s, e) =>
        {
            for (long bk = s; bk < e; bk++)
            {
                long bi = bk / k, c = bk % k;
                long first = bk * hw, last = bi * hw * kp + c;
                if (toLast) for (int q = 0; q < hw; q++) channelLast[last + (long)q * kp] = channelFirst[first + q];
                else for (int q = 0; q < hw; q++) channelFirst[first + q] = channelLast[last + (long)q * kp];
            }
        });
    }

    private static void Forward<T, TS>(T[] t, T[] d, T[] p, PointsCollectionArgs a)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int k = 2 * a.M, kp = Padded<T>(k), vc = Vector<T>.Count, hw = a.Hd * a.Wd, w = a.W;
        long hwT = (long)a.H * a.W;
        var dl = new T[(long)a.B * hw * kp];
        Transpose(d, dl, a.B, k, hw, kp, toLast: true);
        var s = PointsCollectionScales<T>.Of(a);
        var scale = PerChannel(k, kp, s.InvRh, s.InvRw);
        var ts = default(TS);
        Par.For((long)a.B * a.N * a.H, (long)w * kp * 3, (r0, r1) =>
        {
            var buf = new T[w * kp];
            for (long row = r0; row < r1; row++)
            {
                int i = (int)(row % a.H), n = (int)(row / a.H % a.N), b = (int)(row / ((long)a.H * a.N));
                long ty = (((long)b * 2 * a.N + 2 * n) * a.H + i) * w, tx = ty + hwT;
                long dBatch = (long)b * hw * kp;
                T fi = ts.FromInt(i);
                for (int j = 0; j < w; j++)
                {
                    var c = Corners<T, TS>.Of((ts.FromInt(j) + t[tx + j]) * s.Rw, (fi + t[ty + j]) * s.Rh, a.Wd, a.Hd, ts);
                    for (int v = 0; v < kp; v += vc)
                    {
                        var sum = Vector<T>.Zero;
                        if (c.Nw >= 0) sum += new Vector<T>(dl, (int)(dBatch + (long)c.Nw * kp + v)) * c.WNw;
                        if (c.Ne >= 0) sum += new Vector<T>(dl, (int)(dBatch + (long)c.Ne * kp + v)) * c.WNe;
                        if (c.Sw >= 0) sum += new Vector<T>(dl, (int)(dBatch + (long)c.Sw * kp + v)) * c.WSw;
                        if (c.Se >= 0) sum += new Vector<T>(dl, (int)(dBatch + (long)c.Se * kp + v)) * c.WSe;
                        sum.CopyTo(buf, j * kp + v);
                    }
                }
                // channel 2(nM + m) + comp of p is channel 2nM + ch: scale S and add the target offset (y for u, x for v)
                for (int ch = 0; ch < k; ch++)
                {
                    long o = (((long)b * 2 * a.N * a.M + 2L * n * a.M + ch) * a.H + i) * w;
                    long src = ch % 2 == 0 ? ty : tx;
                    T sc = scale[ch];
                    for (int j = 0; j < w; j++) p[o + j] = buf[j * kp + ch] * sc + t[src + j];
                }
            }
        });
    }

    private static void Backward<T, TS>(T[] t, T[] d, T[] g, T[]? gt, T[]? gd, PointsCollectionArgs a)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int k = 2 * a.M, kp = Padded<T>(k), vc = Vector<T>.Count, hw = a.Hd * a.Wd, w = a.W;
        long hwT = (long)a.H * a.W, rowsPerBatch = (long)a.N * a.H;
        bool needT = gt is not null, needD = gd is not null;
        var dl = new T[(long)a.B * hw * kp];
        if (needT) Transpose(d, dl, a.B, k, hw, kp, toLast: true);
        var gdl = needD ? new T[(long)a.B * hw * kp] : null;
        var s = PointsCollectionScales<T>.Of(a);
        var scale = PerChannel(k, kp, s.InvRh, s.InvRw);
        var cy = PerChannel(k, kp, T.One, s.RhOverRw);   // dp/dy = [u] (1 + dS/dY) + [v] (r_h / r_w) dS/dY
        var cx = PerChannel(k, kp, s.RwOverRh, T.One);   // dp/dx = [u] (r_w / r_h) dS/dX + [v] (1 + dS/dX)
        var even = PerChannel(k, kp, T.One, T.Zero);
        var odd = PerChannel(k, kp, T.Zero, T.One);
        var ts = default(TS);
        var gate = new object();
        Par.For((long)a.B * rowsPerBatch, (long)w * kp * 8, (r0, r1) =>
        {
            var gbuf = new T[w * kp];
            long b0 = r0 / rowsPerBatch, b1 = (r1 - 1) / rowsPerBatch;
            var local = needD ? new T[(b1 - b0 + 1) * hw * kp] : null;
            for (long row = r0; row < r1; row++)
            {
                int i = (int)(row % a.H), n = (int)(row / a.H % a.N), b = (int)(row / rowsPerBatch);
                long ty = (((long)b * 2 * a.N + 2 * n) * a.H + i) * w, tx = ty + hwT;
                long dBatch = (long)b * hw * kp, lBatch = (b - b0) * hw * kp;
                for (int ch = 0; ch < k; ch++)
                {
                    long o = (((long)b * 2 * a.N * a.M + 2L * n * a.M + ch) * a.H + i) * w;
                    for (int j = 0; j < w; j++) gbuf[j * kp + ch] = g[o + j];
                }
                T fi = ts.FromInt(i);
                for (int j = 0; j < w; j++)
                {
                    var c = Corners<T, TS>.Of((ts.FromInt(j) + t[tx + j]) * s.Rw, (fi + t[ty + j]) * s.Rh, a.Wd, a.Hd, ts);
                    Vector<T> accY = Vector<T>.Zero, accX = Vector<T>.Zero;
                    for (int v = 0; v < kp; v += vc)
                    {
                        var gv = new Vector<T>(gbuf, j * kp + v);
                        if (local is not null)
                        {
                            var gs = gv * new Vector<T>(scale, v);
                            if (c.Nw >= 0) AddTo(local, (int)(lBatch + (long)c.Nw * kp + v), gs * c.WNw);
                            if (c.Ne >= 0) AddTo(local, (int)(lBatch + (long)c.Ne * kp + v), gs * c.WNe);
                            if (c.Sw >= 0) AddTo(local, (int)(lBatch + (long)c.Sw * kp + v), gs * c.WSw);
                            if (c.Se >= 0) AddTo(local, (int)(lBatch + (long)c.Se * kp + v), gs * c.WSe);
                        }
                        if (needT)
                        {
                            var nw = c.Nw >= 0 ? new Vector<T>(dl, (int)(dBatch + (long)c.Nw * kp + v)) : Vector<T>.Zero;
                            var ne = c.Ne >= 0 ? new Vector<T>(dl, (int)(dBatch + (long)c.Ne * kp + v)) : Vector<T>.Zero;
                            var sw = c.Sw >= 0 ? new Vector<T>(dl, (int)(dBatch + (long)c.Sw * kp + v)) : Vector<T>.Zero;
                            var se = c.Se >= 0 ? new Vector<T>(dl, (int)(dBatch + (long)c.Se * kp + v)) : Vector<T>.Zero;
                            // floor rule: only rows floor(Y), floor(Y) + 1 and columns floor(X), floor(X) + 1
                            var dY = (sw - nw) * c.E + (se - ne) * c.W;
                            var dX = (ne - nw) * c.S + (se - sw) * c.N;
                            accY += gv * (new Vector<T>(even, v) + new Vector<T>(cy, v) * dY);
                            accX += gv * (new Vector<T>(odd, v) + new Vector<T>(cx, v) * dX);
                        }
                    }
                    if (needT)
                    {
                        gt![ty + j] = Vector.Sum(accY);
                        gt[tx + j] = Vector.Sum(accX);
                    }
                }
            }
            if (local is not null)
                lock (gate)
                {
                    var dst = new Span<T>(gdl!, (int)(b0 * hw * kp), local.Length);
                    TensorPrimitives.Add(dst, local, dst);
                }
        });
        if (needD) Transpose(gd!, gdl!, a.B, k, hw, kp, toLast: false);
    }

    private static void AddTo<T>(T[] data, int at, Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T> =>
        (new Vector<T>(data, at) + v).CopyTo(data, at);
}
