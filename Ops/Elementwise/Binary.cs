using System.Numerics;

namespace Framework;

/// <summary>
/// A broadcasting binary function y = f(a, b) and its partial derivatives. The span methods are optional
/// SIMD paths for the inner run (both operands contiguous, or one of them a scalar); return false for none.
/// </summary>
public interface IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Forward(T a, T b);
    /// <summary>(dL/da, dL/db) given a, b, y = f(a, b) and g = dL/dy.</summary>
    (T Da, T Db) Backward(T a, T b, T y, T g);
    bool SpanSpan(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y);
    bool SpanScalar(ReadOnlySpan<T> a, T b, Span<T> y);
    bool ScalarSpan(T a, ReadOnlySpan<T> b, Span<T> y);
}

internal static class Binary
{
    /// <summary>Forward with broadcasting and the generic backward (one fused pass, then sums over broadcast dims).</summary>
    public static Tensor Apply<TF, TD>(string name, Tensor a, Tensor b, TF opF, TD opD)
        where TF : struct, IBinaryOp<float> where TD : struct, IBinaryOp<double>
    {
        var y = Forward(name, a, b, opF, opD);
        return Autograd.Record(name, y, [a, b], g =>
        {
            var (ga, gb) = Backward(opF, opD, a, b, y, g);
            return [ga, gb];
        });
    }

    public static Tensor Forward<TF, TD>(string name, Tensor a, Tensor b, TF opF, TD opD)
        where TF : struct, IBinaryOp<float> where TD : struct, IBinaryOp<double>
    {
        Check.Float(name, a, "first operand");
        Check.Float(name, b, "second operand");
        Check.SameDTypeAndDevice(name, a, b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, name);
        var y = Tensor.Empty(shape, a.DType, a.Device);
        if (y.Numel == 0) return y;
        if (a.DType == DType.Float32) Forward<float, TF>(opF, a, b, y);
        else Forward<double, TD>(opD, a, b, y);
        return y;
    }

    private static void Forward<T, TOp>(TOp op, Tensor a, Tensor b, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp<T>
    {
        if (y.Device.IsIlgpu) { BinaryGpu.Forward<T, TOp>(op, a, b, y); return; }
        var plan = BroadcastPlan.Create(y.Shape, a.Shape, b.Shape);
        T[] ad = a.Data<T>(), bd = b.Data<T>(), yd = y.Data<T>();
        long sa = plan.InnerStride(0), sb = plan.InnerStride(1);
        int inner = plan.Inner;

        void Run(long aOff, long bOff, long yOff, int len)
        {
            var yr = new Span<T>(yd, (int)yOff, len);
            if (sa == 1 && sb == 1)
            {
                var ar = new ReadOnlySpan<T>(ad, (int)aOff, len);
                var br = new ReadOnlySpan<T>(bd, (int)bOff, len);
                if (!op.SpanSpan(ar, br, yr)) for (int i = 0; i < len; i++) yr[i] = op.Forward(ar[i], br[i]);
            }
            else if (sa == 1)
            {
                var ar = new ReadOnlySpan<T>(ad, (int)aOff, len);
                T bv = bd[bOff];
                if (!op.SpanScalar(ar, bv, yr)) for (int i = 0; i < len; i++) yr[i] = op.Forward(ar[i], bv);
            }
            else if (sb == 1)
            {
                var br = new ReadOnlySpan<T>(bd, (int)bOff, len);
                T av = ad[aOff];
                if (!op.ScalarSpan(av, br, yr)) for (int i = 0; i < len; i++) yr[i] = op.Forward(av, br[i]);
            }
            else
            {
                yr.Fill(op.Forward(ad[aOff], bd[bOff]));
            }
        }

        if (plan.Rows == 1)
        {
            // one long run: split it across threads
            Par.For(inner, 2, (s, e) => Run(sa * s, sb * s, s, (int)(e - s)));
            return;
        }
        Par.For(plan.Rows, inner * 2L, (r0, r1) =>
        {
            Span<long> off = stackalloc long[2];
            for (long r = r0; r < r1; r++)
            {
                plan.RowOffsets(r, off);
                Run(off[0], off[1], r * inner, inner);
            }
        });
    }

    /// <summary>The generic backward: per-element partials over the output, then summed to each operand's shape.</summary>
    public static (Tensor? Ga, Tensor? Gb) Backward<TF, TD>(TF opF, TD opD, Tensor a, Tensor b, Tensor y, Tensor g)
        where TF : struct, IBinaryOp<float> where TD : struct, IBinaryOp<double>
    {
        bool needA = a.RequiresGrad, needB = b.RequiresGrad;
        var gaFull = needA || y.Device.IsIlgpu ? Tensor.Empty(y.Shape, y.DType, y.Device) : null;
        var gbFull = needB || y.Device.IsIlgpu ? Tensor.Empty(y.Shape, y.DType, y.Device) : null;
        if (y.Numel > 0 && y.Device.IsIlgpu)
        {
            if (y.DType == DType.Float32) BinaryGpu.Backward<float, TF>(opF, a, b, y, g, gaFull!, gbFull!);
            else BinaryGpu.Backward<double, TD>(opD, a, b, y, g, gaFull!, gbFull!);
            if (!needA) gaFull = null;
            if (!needB) gbFull = null;
        }
        else if (y.Numel > 0)
        {
            if (y.DType == DType.Float32) Backward<float, TF>(opF, a, b, y, g, gaFull, gbFull);
            else Backward<double, TD>(opD, a, b, y, g, gaFull, gbFull);
        }
        return (gaFull is null ? null : F.SumToShape(gaFull, a.Shape), gbFull is null ? null : F.SumToShape(gbFull, b.Shape));
    }

    private static void Backward<T, TOp>(TOp op, Tensor a, Tensor b, Tensor y, Tensor g, Tensor? gaFull, Tensor? gbFull)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp<T>
    {
        var plan = BroadcastPlan.Create(y.Shape, a.Shape, b.Shape);
        T[] ad = a.Data<T>(), bd = b.Data<T>(), yd = y.Data<T>(), gd = g.Data<T>();
        T[]? gad = gaFull?.Data<T>(), gbd = gbFull?.Data<T>();
        long sa = plan.InnerStride(0), sb = plan.InnerStride(1);
        int inner = plan.Inner;
        Par.For(plan.Rows, inner * 4L, (r0, r1) =>
        {
            Span<long> off = stackalloc long[2];
            for (long r = r0; r < r1; r++)
            {
                plan.RowOffsets(r, off);
                long yo = r * inner;
                for (int i = 0; i < inner; i++)
                {
                    var (da, db) = op.Backward(ad[off[0] + sa * i], bd[off[1] + sb * i], yd[yo + i], gd[yo + i]);
                    if (gad is not null) gad[yo + i] = da;
                    if (gbd is not null) gbd[yo + i] = db;
                }
            }
        });
    }
}
