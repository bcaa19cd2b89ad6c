using System.Numerics;
using System.Runtime.InteropServices;

namespace Framework;

/// <summary>
/// A pointwise function y = f(x) and its derivative, written once for float and double. ForwardSpan is an
/// optional SIMD path (TensorPrimitives) that returns false when the op has none.
/// </summary>
public interface IUnaryOp
{
    T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
    /// <summary>dL/dx given x, y = f(x) and g = dL/dy.</summary>
    T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T>;
    bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>The shared forward/backward of every pointwise op.</summary>
internal static class Unary
{
    public static Tensor Apply<TOp>(string name, Tensor x, TOp op) where TOp : struct, IUnaryOp
    {
        Check.Float(name, x);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        if (x.DType == DType.Float32) Forward<float, TOp>(op, x, y);
        else Forward<double, TOp>(op, x, y);
        return Autograd.Record(name, y, [x], g => [Backward(op, x, y, g)]);
    }

    private static void Forward<T, TOp>(TOp op, Tensor x, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp
    {
        var xs = x.Data<T>();
        var ys = y.Data<T>();
        Par.For(x.Numel, 4, (s, e) =>
        {
            var xi = new ReadOnlySpan<T>(xs, (int)s, (int)(e - s));
            var yi = new Span<T>(ys, (int)s, (int)(e - s));
            if (!op.ForwardSpan(xi, yi))
                for (int i = 0; i < xi.Length; i++) yi[i] = op.Forward(xi[i]);
        });
    }

    private static Tensor Backward<TOp>(TOp op, Tensor x, Tensor y, Tensor g) where TOp : struct, IUnaryOp
    {
        var gx = Tensor.Empty(x.Shape, x.DType, x.Device);
        if (x.DType == DType.Float32) Backward<float, TOp>(op, x, y, g, gx);
        else Backward<double, TOp>(op, x, y, g, gx);
        return gx;
    }

    private static void Backward<T, TOp>(TOp op, Tensor x, Tensor y, Tensor g, Tensor gx)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp
    {
        var xs = x.Data<T>();
        var ys = y.Data<T>();
        var gs = g.Data<T>();
        var gxs = gx.Data<T>();
        Par.For(x.Numel, 4, (s, e) =>
        {
            for (long i = s; i < e; i++) gxs[i] = op.Backward(xs[i], ys[i], gs[i]);
        });
    }
}
