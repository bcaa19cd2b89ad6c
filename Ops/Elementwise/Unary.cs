using System.Numerics;

namespace Framework;

/// <summary>
/// A pointwise function y = f(x) and its derivative for one element type. Written with T arithmetic only
/// (no conversions from double inside: constants arrive as T fields made on the host), so the same struct
/// runs in the CPU loop and inside an ILGPU kernel. ForwardSpan is an optional SIMD path for the CPU.
/// </summary>
public interface IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Forward(T x);
    /// <summary>dL/dx given x, y = f(x) and g = dL/dy.</summary>
    T Backward(T x, T y, T g);
    bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y);
}

/// <summary>The shared forward/backward of every pointwise op; one op instance per element type.</summary>
internal static class Unary
{
    public static Tensor Apply<TF, TD>(string name, Tensor x, TF opF, TD opD)
        where TF : struct, IUnaryOp<float> where TD : struct, IUnaryOp<double>
    {
        Check.Float(name, x);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        if (x.DType == DType.Float32) Forward<float, TF>(opF, x, y);
        else Forward<double, TD>(opD, x, y);
        return Autograd.Record(name, y, [x], g =>
        {
            var gx = Tensor.Empty(x.Shape, x.DType, x.Device);
            if (x.DType == DType.Float32) Backward<float, TF>(opF, x, y, g, gx);
            else Backward<double, TD>(opD, x, y, g, gx);
            return [gx];
        });
    }

    private static void Forward<T, TOp>(TOp op, Tensor x, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp<T>
    {
        if (x.Device.IsIlgpu) { UnaryGpu.Forward<T, TOp>(op, x, y); return; }
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

    private static void Backward<T, TOp>(TOp op, Tensor x, Tensor y, Tensor g, Tensor gx)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp<T>
    {
        if (x.Device.IsIlgpu) { UnaryGpu.Backward<T, TOp>(op, x, y, g, gx); return; }
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
