using System.Runtime.CompilerServices;
using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

/// <summary>
/// Reductions along one dimension, seen as (outer, R, inner): inner == 1 reduces contiguous rows with
/// TensorPrimitives; otherwise whole inner rows are accumulated with vector adds.
/// </summary>
internal static class ReduceKernels
{
    public static (long Outer, int R, long Inner) Split(Shape shape, int dim)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.Rank; i++) inner *= shape[i];
        return (outer, shape.Rank == 0 ? 1 : shape[dim], inner);
    }

    public static Shape KeepDimShape(Shape shape, int dim)
    {
        if (shape.Rank == 0) return shape;
        var d = shape.ToArray();
        d[dim] = 1;
        return new Shape(d);
    }

    public static Tensor SumDim(Tensor x, int dim)
    {
        var y = Tensor.Empty(KeepDimShape(x.Shape, dim), x.DType, x.Device);
        if (x.DType == DType.Float32) SumDim<float>(x, dim, y); else SumDim<double>(x, dim, y);
        return y;
    }

    private static void SumDim<T>(Tensor x, int dim, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (outer, r, inner) = Split(x.Shape, dim);
        if (x.Device.IsIlgpu) { ReduceGpu.SumDim<T>(x, y, outer, r, inner); return; }
        T[] xd = x.Data<T>(), yd = y.Data<T>();
        if (inner == 1)
        {
            Par.For(outer, r, (o0, o1) =>
            {
                for (long o = o0; o < o1; o++) yd[o] = TensorPrimitives.Sum(new ReadOnlySpan<T>(xd, (int)(o * r), r));
            });
            return;
        }
        Par.For(outer, r * inner, (o0, o1) =>
        {
            for (long o = o0; o < o1; o++)
            {
                var acc = new Span<T>(yd, (int)(o * inner), (int)inner);
                acc.Clear();
                for (int k = 0; k < r; k++)
                    TensorPrimitives.Add(acc, new ReadOnlySpan<T>(xd, (int)((o * r + k) * inner), (int)inner), acc);
            }
        });
    }

    public static Tensor SumAll(Tensor x)
    {
        var y = Tensor.Empty(Shape.Scalar, x.DType, x.Device);
        if (x.Device.IsIlgpu)
        {
            if (x.DType == DType.Float32) ReduceGpu.SumDim<float>(x, y, 1, Gpu.Int(x.Numel), 1);
            else ReduceGpu.SumDim<double>(x, y, 1, Gpu.Int(x.Numel), 1);
            return y;
        }
        if (x.DType == DType.Float32) y.AsSpan<float>()[0] = SumBlocks(x.Data<float>(), (int)x.Numel);
        else y.AsSpan<double>()[0] = SumBlocks(x.Data<double>(), (int)x.Numel);
        return y;
    }

    private const int SumBlock = 1 << 16;

    /// <summary>
    /// The sum of a[0..n) as fixed blocks summed in parallel and then in order: all cores read (a sum reads as
    /// many bytes as the op before it wrote), and the result does not depend on how many cores there are.
    /// </summary>
    private static T SumBlocks<T>(T[] a, int n) where T : unmanaged, System.Numerics.INumber<T>
    {
        if (n <= SumBlock) return TensorPrimitives.Sum<T>(a.AsSpan(0, n));
        int blocks = (n + SumBlock - 1) / SumBlock;
        var partial = new T[blocks];
        Par.For(blocks, SumBlock, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, e) =>
        {
            for (long blk = s; blk < e; blk++)
            {
                int start = (int)blk * SumBlock;
                partial[blk] = TensorPrimitives.Sum<T>(a.AsSpan(start, Math.Min(SumBlock, n - start)));
            }
        }, Par.StreamingGrain);
        return TensorPrimitives.Sum<T>(partial);
    }

    /// <summary>Max (or min) along dim with the index of the first extreme; NaN wins, as in PyTorch.</summary>
    public static (Tensor Values, Tensor Indices) ExtremeDim(Tensor x, int dim, bool max)
    {
        var shape = KeepDimShape(x.Shape, dim);
        var v = Tensor.Empty(shape, x.DType, x.Device);
        var idx = Tensor.Empty(shape, DType.Int64, x.Device);
        if (x.DType == DType.Float32) ExtremeDim<float>(x, dim, max, v, idx);
        else if (x.DType == DType.Float64) ExtremeDim<double>(x, dim, max, v, idx);
        else throw new ArgumentException($"{(max ? "max" : "min")}: input must be float32 or float64, got {x.DType.Name()}");
        return (v, idx);
    }

    private static void ExtremeDim<T>(Tensor x, int dim, bool max, Tensor v, Tensor idx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (outer, r, inner) = Split(x.Shape, dim);
        if (x.Device.IsIlgpu) { ReduceGpu.ExtremeDim<T>(x, v, idx, outer, r, inner, max); return; }
        T[] xd = x.Data<T>(), vd = v.Data<T>();
        long[] id = idx.Data<long>();
        Par.For(outer * inner, r, (s, e) =>
        {
            for (long p = s; p < e; p++)
            {
                long o = p / inner, i = p % inner, baseOff = o * r * inner + i;
                T best = xd[baseOff];
                int bi = 0;
                if (!T.IsNaN(best))
                    for (int k = 1; k < r; k++)
                    {
                        T c = xd[baseOff + k * inner];
                        if (T.IsNaN(c)) { best = c; bi = k; break; }
                        if (max ? c > best : c < best) { best = c; bi = k; }
                    }
                vd[p] = best;
                id[p] = bi;
            }
        });
    }
}
