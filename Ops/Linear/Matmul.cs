using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// Matrix product with torch.matmul's rules: 1-D x 1-D is a dot product, a 1-D operand is promoted to a
    /// matrix and the added dim removed after, and leading (batch) dims broadcast.
    /// </summary>
    public static Tensor Matmul(Tensor a, Tensor b)
    {
        Check.Float("matmul", a, "first operand");
        Check.Float("matmul", b, "second operand");
        Check.SameDTypeAndDevice("matmul", a, b);
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"matmul: both arguments need at least 1 dimension, got {a.Shape} and {b.Shape}");
        if (a.Rank == 1 && b.Rank == 1)
        {
            if (a.Shape[0] != b.Shape[0])
                throw new ArgumentException($"matmul: inconsistent tensor size, {a.Shape} and {b.Shape} (dot product)");
            return Sum(Mul(a, b));
        }
        var a2 = a.Rank == 1 ? Unsqueeze(a, 0) : a;
        var b2 = b.Rank == 1 ? Unsqueeze(b, -1) : b;
        var y = BatchedMatmul(a2, b2);
        if (a.Rank == 1) y = Squeeze(y, -2);
        if (b.Rank == 1) y = Squeeze(y, -1);
        return y;
    }

    /// <summary>(..., m, k) x (..., k, n) with broadcast batch dims.</summary>
    private static Tensor BatchedMatmul(Tensor a, Tensor b)
    {
        int m = a.Shape[a.Rank - 2], k = a.Shape[a.Rank - 1], k2 = b.Shape[b.Rank - 2], n = b.Shape[b.Rank - 1];
        if (k != k2)
            throw new ArgumentException($"matmul: shapes {a.Shape} and {b.Shape} cannot be multiplied ({m}x{k} and {k2}x{n})");
        var batchA = new Shape(a.Shape.Take(a.Rank - 2).ToArray());
        var batchB = new Shape(b.Shape.Take(b.Rank - 2).ToArray());
        var batch = Shape.Broadcast(batchA, batchB, "matmul");
        var outShape = new Shape([.. batch, m, n]);
        var ae = batchA == batch ? a : Expand(a, [.. batch, m, k]);
        var be = batchB == batch ? b : Expand(b, [.. batch, k, n]);
        var y = Tensor.Empty(outShape, a.DType, a.Device);
        if (y.Numel > 0)
        {
            if (a.DType == DType.Float32) MatmulKernel<float>(ae, be, y, (int)batch.Numel, m, n, k, false, false);
            else MatmulKernel<double>(ae, be, y, (int)batch.Numel, m, n, k, false, false);
        }
        return Autograd.Record("matmul", y, [ae, be], g =>
        {
            Tensor? ga = null, gb = null;
            if (ae.RequiresGrad)
            {
                // dA = g B^T
                ga = Tensor.Empty(ae.Shape, ae.DType, ae.Device);
                if (ae.DType == DType.Float32) MatmulKernel<float>(g, be, ga, (int)batch.Numel, m, k, n, false, true);
                else MatmulKernel<double>(g, be, ga, (int)batch.Numel, m, k, n, false, true);
            }
            if (be.RequiresGrad)
            {
                // dB = A^T g
                gb = Tensor.Empty(be.Shape, be.DType, be.Device);
                if (be.DType == DType.Float32) MatmulKernel<float>(ae, g, gb, (int)batch.Numel, k, n, m, true, false);
                else MatmulKernel<double>(ae, g, gb, (int)batch.Numel, k, n, m, true, false);
            }
            return [ga, gb];
        });
    }

    /// <summary>Per batch item: C[m x n] = op(A) op(B) where A, B, C are contiguous blocks.</summary>
    private static void MatmulKernel<T>(Tensor a, Tensor b, Tensor c, int batch, int m, int n, int k, bool transA, bool transB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Device.IsIlgpu) { MatmulGpu.Run<T>(a, b, c, batch, m, n, k, transA, transB); return; }
        T[] ad = a.Data<T>(), bd = b.Data<T>(), cd = c.Data<T>();
        long sa = (long)m * k, sb = (long)k * n, sc = (long)m * n;
        void Item(long i, bool parallel) =>
            Gemm.Multiply<T>(new ReadOnlySpan<T>(ad, (int)(i * sa), (int)sa), new ReadOnlySpan<T>(bd, (int)(i * sb), (int)sb),
                new Span<T>(cd, (int)(i * sc), (int)sc), m, n, k, transA, transB, parallel: parallel);
        // many small products: one core per batch item; a few large ones: each GEMM uses both cores
        if (batch > 1 && sc * k < (1L << 21))
            Par.For(batch, sc * k / 8 + 1, (s, e) => { for (long i = s; i < e; i++) Item(i, false); });
        else
            for (int i = 0; i < batch; i++) Item(i, true);
    }

    /// <summary>y = x W^T + b, as torch.nn.functional.linear: x (..., in), weight (out, in), bias (out).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"linear: weight must be 2-D (out_features, in_features), got {weight.Shape}");
        if (x.Rank == 0 || x.Shape[^1] != weight.Shape[1])
            throw new ArgumentException($"linear: input {x.Shape} has {(x.Rank == 0 ? 0 : x.Shape[^1])} features in its last dim, weight {weight.Shape} expects {weight.Shape[1]}");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"linear: bias must have shape ({weight.Shape[0]}), got {bias.Shape}");
        var x2 = x.Rank == 2 ? x : Reshape(x, -1, weight.Shape[1]);
        var y = Matmul(x2, Transpose(weight, 0, 1));
        if (bias is not null) y = Add(y, bias);
        return x.Rank == 2 ? y : Reshape(y, [.. x.Shape.Take(x.Rank - 1), weight.Shape[0]]);
    }
}
