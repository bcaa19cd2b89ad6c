using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

public readonly struct AddOp : IBinaryOp
{
    public T Forward<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public (T Da, T Db) Backward<T>(T a, T b, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => (g, g);
    public bool SpanSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Add(a, b, y); return true; }
    public bool SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Add(a, b, y); return true; }
    public bool ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Add(b, a, y); return true; }
}

public readonly struct SubOp : IBinaryOp
{
    public T Forward<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public (T Da, T Db) Backward<T>(T a, T b, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => (g, -g);
    public bool SpanSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Subtract(a, b, y); return true; }
    public bool SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Subtract(a, b, y); return true; }
    public bool ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Subtract(a, b, y); return true; }
}

public readonly struct MulOp : IBinaryOp
{
    public T Forward<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public (T Da, T Db) Backward<T>(T a, T b, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => (g * b, g * a);
    public bool SpanSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Multiply(a, b, y); return true; }
    public bool SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Multiply(a, b, y); return true; }
    public bool ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Multiply(b, a, y); return true; }
}

public readonly struct DivOp : IBinaryOp
{
    public T Forward<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public (T Da, T Db) Backward<T>(T a, T b, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => (g / b, -g * a / (b * b));
    public bool SpanSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Divide(a, b, y); return true; }
    public bool SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Divide(a, b, y); return true; }
    public bool ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Divide(a, b, y); return true; }
}

/// <summary>a^b; d/db = y log a, taken as 0 where a = 0 and b &gt;= 0 (PyTorch's masking).</summary>
public readonly struct PowOp : IBinaryOp
{
    public T Forward<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(a, b);
    public (T Da, T Db) Backward<T>(T a, T b, T y, T g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T da = b == T.Zero ? T.Zero : g * b * T.Pow(a, b - T.One);
        T db = a == T.Zero && b >= T.Zero ? T.Zero : g * y * T.Log(a);
        return (da, db);
    }
    public bool SpanSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;
    public bool SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;
    public bool ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;
}

/// <summary>Elementwise maximum; NaN propagates; a tie splits the gradient in halves (PyTorch).</summary>
public readonly struct MaximumOp : IBinaryOp
{
    public T Forward<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(a) || T.IsNaN(b) ? a + b : a > b ? a : b;
    public (T Da, T Db) Backward<T>(T a, T b, T y, T g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a == b) { T h = g / (T.One + T.One); return (h, h); }
        return a > b ? (g, T.Zero) : (T.Zero, g);
    }
    public bool SpanSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Max(a, b, y); return true; }
    public bool SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Max(a, b, y); return true; }
    public bool ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Max(b, a, y); return true; }
}

public readonly struct MinimumOp : IBinaryOp
{
    public T Forward<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(a) || T.IsNaN(b) ? a + b : a < b ? a : b;
    public (T Da, T Db) Backward<T>(T a, T b, T y, T g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a == b) { T h = g / (T.One + T.One); return (h, h); }
        return a < b ? (g, T.Zero) : (T.Zero, g);
    }
    public bool SpanSpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Min(a, b, y); return true; }
    public bool SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Min(a, b, y); return true; }
    public bool ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Min(b, a, y); return true; }
}

public static partial class F
{
    public static Tensor Add(Tensor a, Tensor b)
    {
        var y = Binary.Forward("add", a, b, new AddOp());
        return Autograd.Record("add", y, [a, b], g => [a.RequiresGrad ? SumToShape(g, a.Shape) : null, b.RequiresGrad ? SumToShape(g, b.Shape) : null]);
    }

    public static Tensor Sub(Tensor a, Tensor b)
    {
        var y = Binary.Forward("sub", a, b, new SubOp());
        return Autograd.Record("sub", y, [a, b], g => [a.RequiresGrad ? SumToShape(g, a.Shape) : null, b.RequiresGrad ? SumToShape(Neg(g), b.Shape) : null]);
    }

    public static Tensor Mul(Tensor a, Tensor b) => Binary.Apply("mul", a, b, new MulOp());
    public static Tensor Div(Tensor a, Tensor b) => Binary.Apply("div", a, b, new DivOp());
    public static Tensor Pow(Tensor a, Tensor b) => Binary.Apply("pow", a, b, new PowOp());
    public static Tensor Maximum(Tensor a, Tensor b) => Binary.Apply("maximum", a, b, new MaximumOp());
    public static Tensor Minimum(Tensor a, Tensor b) => Binary.Apply("minimum", a, b, new MinimumOp());

    public static Tensor Add(Tensor a, double b) => Add(a, ScalarLike(b, a));
    public static Tensor Sub(Tensor a, double b) => Sub(a, ScalarLike(b, a));
    public static Tensor Sub(double a, Tensor b) => Sub(ScalarLike(a, b), b);
    public static Tensor Mul(Tensor a, double b) => Mul(a, ScalarLike(b, a));
    public static Tensor Div(Tensor a, double b) => Div(a, ScalarLike(b, a));
    public static Tensor Div(double a, Tensor b) => Div(ScalarLike(a, b), b);
    public static Tensor Pow(double a, Tensor b) => Pow(ScalarLike(a, b), b);

    /// <summary>A 0-d constant of another tensor's dtype and device.</summary>
    internal static Tensor ScalarLike(double value, Tensor like) => Tensor.Scalar(value, like.DType, like.Device);
}
