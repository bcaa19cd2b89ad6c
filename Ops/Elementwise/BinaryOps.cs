using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

public readonly struct AddOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T a, T b) => a + b;
    public (T Da, T Db) Backward(T a, T b, T y, T g) => (g, g);
    public bool SpanSpan(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Add(a, b, y); return true; }
    public bool SpanScalar(ReadOnlySpan<T> a, T b, Span<T> y) { TensorPrimitives.Add(a, b, y); return true; }
    public bool ScalarSpan(T a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Add(b, a, y); return true; }
}

public readonly struct SubOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T a, T b) => a - b;
    public (T Da, T Db) Backward(T a, T b, T y, T g) => (g, -g);
    public bool SpanSpan(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Subtract(a, b, y); return true; }
    public bool SpanScalar(ReadOnlySpan<T> a, T b, Span<T> y) { TensorPrimitives.Subtract(a, b, y); return true; }
    public bool ScalarSpan(T a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Subtract(a, b, y); return true; }
}

public readonly struct MulOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T a, T b) => a * b;
    public (T Da, T Db) Backward(T a, T b, T y, T g) => (g * b, g * a);
    public bool SpanSpan(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Multiply(a, b, y); return true; }
    public bool SpanScalar(ReadOnlySpan<T> a, T b, Span<T> y) { TensorPrimitives.Multiply(a, b, y); return true; }
    public bool ScalarSpan(T a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Multiply(b, a, y); return true; }
}

public readonly struct DivOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T a, T b) => a / b;
    public (T Da, T Db) Backward(T a, T b, T y, T g) => (g / b, -g * a / (b * b));
    public bool SpanSpan(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Divide(a, b, y); return true; }
    public bool SpanScalar(ReadOnlySpan<T> a, T b, Span<T> y) { TensorPrimitives.Divide(a, b, y); return true; }
    public bool ScalarSpan(T a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Divide(a, b, y); return true; }
}

/// <summary>a^b; d/db = y log a, taken as 0 where a = 0 and b &gt;= 0 (PyTorch's masking).</summary>
public readonly struct PowOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T a, T b) => T.Pow(a, b);
    public (T Da, T Db) Backward(T a, T b, T y, T g)
    {
        T da = b == T.Zero ? T.Zero : g * b * T.Pow(a, b - T.One);
        T db = a == T.Zero && b >= T.Zero ? T.Zero : g * y * T.Log(a);
        return (da, db);
    }
    public bool SpanSpan(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => false;
    public bool SpanScalar(ReadOnlySpan<T> a, T b, Span<T> y) => false;
    public bool ScalarSpan(T a, ReadOnlySpan<T> b, Span<T> y) => false;
}

/// <summary>Elementwise maximum; NaN propagates; a tie splits the gradient in halves (PyTorch).</summary>
public readonly struct MaximumOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? a + b : a > b ? a : b;
    public (T Da, T Db) Backward(T a, T b, T y, T g)
    {
        if (a == b) { T h = g / (T.One + T.One); return (h, h); }
        return a > b ? (g, T.Zero) : (T.Zero, g);
    }
    public bool SpanSpan(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Max(a, b, y); return true; }
    public bool SpanScalar(ReadOnlySpan<T> a, T b, Span<T> y) { TensorPrimitives.Max(a, b, y); return true; }
    public bool ScalarSpan(T a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Max(b, a, y); return true; }
}

public readonly struct MinimumOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? a + b : a < b ? a : b;
    public (T Da, T Db) Backward(T a, T b, T y, T g)
    {
        if (a == b) { T h = g / (T.One + T.One); return (h, h); }
        return a < b ? (g, T.Zero) : (T.Zero, g);
    }
    public bool SpanSpan(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Min(a, b, y); return true; }
    public bool SpanScalar(ReadOnlySpan<T> a, T b, Span<T> y) { TensorPrimitives.Min(a, b, y); return true; }
    public bool ScalarSpan(T a, ReadOnlySpan<T> b, Span<T> y) { TensorPrimitives.Min(b, a, y); return true; }
}

public static partial class F
{
    public static Tensor Add(Tensor a, Tensor b)
    {
        var y = Binary.Forward("add", a, b, new AddOp<float>(), new AddOp<double>());
        return Autograd.Record("add", y, [a, b], g => [a.RequiresGrad ? SumToShape(g, a.Shape) : null, b.RequiresGrad ? SumToShape(g, b.Shape) : null]);
    }

    public static Tensor Sub(Tensor a, Tensor b)
    {
        var y = Binary.Forward("sub", a, b, new SubOp<float>(), new SubOp<double>());
        return Autograd.Record("sub", y, [a, b], g => [a.RequiresGrad ? SumToShape(g, a.Shape) : null, b.RequiresGrad ? SumToShape(Neg(g), b.Shape) : null]);
    }

    public static Tensor Mul(Tensor a, Tensor b) => Binary.Apply("mul", a, b, new MulOp<float>(), new MulOp<double>());
    public static Tensor Div(Tensor a, Tensor b) => Binary.Apply("div", a, b, new DivOp<float>(), new DivOp<double>());
    public static Tensor Pow(Tensor a, Tensor b) => Binary.Apply("pow", a, b, new PowOp<float>(), new PowOp<double>());
    public static Tensor Maximum(Tensor a, Tensor b) => Binary.Apply("maximum", a, b, new MaximumOp<float>(), new MaximumOp<double>());
    public static Tensor Minimum(Tensor a, Tensor b) => Binary.Apply("minimum", a, b, new MinimumOp<float>(), new MinimumOp<double>());

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
