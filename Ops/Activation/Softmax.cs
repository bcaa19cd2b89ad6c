using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

/// <summary>Softmax and log-softmax along one dim, fused and max-shifted for stability.</summary>
public static partial class F
{
    public static Tensor Softmax(Tensor x, int dim) => SoftmaxImpl("softmax", x, dim, log: false);
    public static Tensor LogSoftmax(Tensor x, int dim) => SoftmaxImpl("log_softmax", x, dim, log: true);

    private static Tensor SoftmaxImpl(string op, Tensor x, int dim, bool log)
    {
        Check.Float(op, x);
        int d = Shape.NormalizeDim(dim, x.Rank, op);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        if (x.Numel > 0)
        {
            if (x.DType == DType.Float32) SoftmaxKernels.Forward<float>(x, y, d, log);
            else SoftmaxKernels.Forward<double>(x, y, d, log);
        }
        return Autograd.Record(op, y, [x], g =>
        {
            var gx = Tensor.Empty(x.Shape, x.DType, x.Device);
            if (x.Numel > 0)
            {
                if (x.DType == DType.Float32) SoftmaxKernels.Backward<float>(y, g, gx, d, log);
                else SoftmaxKernels.Backward<double>(y, g, gx, d, log);
            }
            return [gx];
        });
    }
}

internal static class SoftmaxKernels
{
    public static void Forward<T>(Tensor x, Tensor y, int dim, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (outer, r, inner) = ReduceKernels.Split(x.Shape, dim);
        if (x.Device.IsIlgpu) { SoftmaxGpu.Forward<T>(x, y, outer, r, inner, log); return; }
        T[] xd = x.Data<T>(), yd = y.Data<T>();
        if (inner == 1)
        {
            Par.For(outer, r * 8L, (o0, o1) =>
            {
                for (long o = o0; o < o1; o++)
                {
                    var xs = new ReadOnlySpan<T>(xd, (int)(o * r), r);
                    var ys = new Span<T>(yd, (int)(o * r), r);
                    T max = TensorPrimitives.Max(xs);
                    if (T.IsInfinity(max)) max = T.Zero;
                    TensorPrimitives.Subtract(xs, max, ys);
                    if (log)
                    {
                        // log softmax = (x - m) - log sum exp(x - m)
                        T sum = T.Zero;
                        foreach (var v in ys) sum += T.Exp(v);
                        TensorPrimitives.Subtract(ys, T.Log(sum), ys);
                    }
                    else
                    {
                        TensorPrimitives.Exp(ys, ys);
                        T sum = TensorPrimitives.Sum<T>(ys);
                        TensorPrimitives.Divide(ys, sum, ys);
                    }
                }
            });
            return;
        }
        Par.For(outer * inner, r * 8L, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long o = p / inner, i = p % inner, b = o * r * inner + i;
                T max = T.NegativeInfinity;
                for (int k = 0; k < r; k++) { var v = xd[b + k * inner]; if (v > max || T.IsNaN(v)) max = v; }
                if (T.IsInfinity(max)) max = T.Zero;
                T sum = T.Zero;
                for (int k = 0; k < r; k++) sum += T.Exp(xd[b + k * inner] - max);
                if (log)
                {
                    T ls = T.Log(sum);
                    for (int k = 0; k < r; k++) yd[b + k * inner] = xd[b + k * inner] - max - ls;
                }
                else
                    for (int k = 0; k < r; k++) yd[b + k * inner] = T.Exp(xd[b + k * inner] - max) / sum;
            }
        });
    }

    /// <summary>softmax: gx = y (g - sum(g y)); log_softmax: gx = g - exp(y) sum(g).</summary>
    public static void Backward<T>(Tensor y, Tensor g, Tensor gx, int dim, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (outer, r, inner) = ReduceKernels.Split(y.Shape, dim);
        if (y.Device.IsIlgpu) { SoftmaxGpu.Backward<T>(y, g, gx, outer, r, inner, log); return; }
        T[] yd = y.Data<T>(), gd = g.Data<T>(), gxd = gx.Data<T>();
        Par.For(outer * inner, r * 8L, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long o = p / inner, i = p % inner, b = o * r * inner + i;
                T s = T.Zero;
                if (log)
                {
                    for (int k = 0; k < r; k++) s += gd[b + k * inner];
                    for (int k = 0; k < r; k++) gxd[b + k * inner] = gd[b + k * inner] - T.Exp(yd[b + k * inner]) * s;
                }
                else
                {
                    for (int k = 0; k < r; k++) s += gd[b + k * inner] * yd[b + k * inner];
                    for (int k = 0; k < r; k++) gxd[b + k * inner] = yd[b + k * inner] * (gd[b + k * inner] - s);
                }
            }
        });
    }
}
