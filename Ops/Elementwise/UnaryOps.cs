using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

// Pointwise ops: each struct is the formula and its derivative; F.* below are the public entry points.
// Derivatives at kinks follow PyTorch: relu'(0) = 0, |x|'(0) = 0, clamp passes the gradient on min <= x <= max.

public readonly struct NegOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => -g;
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Negate(x, y); return true; }
}

public readonly struct ExpOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * y;
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Exp(x, y); return true; }
}

public readonly struct LogOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g / x;
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Log(x, y); return true; }
}

public readonly struct SqrtOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g / (y + y);
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Sqrt(x, y); return true; }
}

public readonly struct AbsOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> =>
        x > T.Zero ? g : x < T.Zero ? -g : T.Zero;
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Abs(x, y); return true; }
}

public readonly struct SinOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sin(x);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * T.Cos(x);
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Sin(x, y); return true; }
}

public readonly struct CosOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cos(x);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => -g * T.Sin(x);
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Cos(x, y); return true; }
}

public readonly struct ReluOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : T.IsNaN(x) ? x : T.Zero;
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? g : T.Zero;
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Max(x, T.Zero, y); return true; }
}

public readonly struct LeakyReluOp(double slope) : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : x * T.CreateTruncating(slope);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? g : g * T.CreateTruncating(slope);
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;
}

public readonly struct EluOp(double alpha) : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        x > T.Zero ? x : T.CreateTruncating(alpha) * (T.Exp(x) - T.One);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> =>
        x > T.Zero ? g : g * (y + T.CreateTruncating(alpha));
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;
}

/// <summary>GELU: x Phi(x) exactly (erf), or PyTorch's approximate="tanh" form.</summary>
public readonly struct GeluOp(bool tanhApproximation) : IUnaryOp
{
    private const double InvSqrt2 = 0.70710678118654752440, InvSqrt2Pi = 0.39894228040143267794, Sqrt2OverPi = 0.79788456080286535588;

    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double v = double.CreateTruncating(x);
        if (tanhApproximation)
            return T.CreateTruncating(0.5 * v * (1 + Math.Tanh(Sqrt2OverPi * (v + 0.044715 * v * v * v))));
        return T.CreateTruncating(0.5 * v * (1 + SpecialFunctions.Erf(v * InvSqrt2)));
    }

    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double v = double.CreateTruncating(x), d;
        if (tanhApproximation)
        {
            double inner = Sqrt2OverPi * (v + 0.044715 * v * v * v), t = Math.Tanh(inner);
            d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * Sqrt2OverPi * (1 + 3 * 0.044715 * v * v);
        }
        else d = 0.5 * (1 + SpecialFunctions.Erf(v * InvSqrt2)) + v * InvSqrt2Pi * Math.Exp(-0.5 * v * v);
        return g * T.CreateTruncating(d);
    }

    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;
}

public readonly struct SigmoidOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        x >= T.Zero ? T.One / (T.One + T.Exp(-x)) : T.Exp(x) / (T.One + T.Exp(x));
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * y * (T.One - y);
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Sigmoid(x, y); return true; }
}

public readonly struct TanhOp : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x);
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> => g * (T.One - y * y);
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> { TensorPrimitives.Tanh(x, y); return true; }
}

/// <summary>softplus(x) = log(1 + exp(beta x)) / beta, linear where beta x &gt; threshold (PyTorch's defaults 1, 20).</summary>
public readonly struct SoftplusOp(double beta, double threshold) : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T b = T.CreateTruncating(beta), bx = b * x;
        if (bx > T.CreateTruncating(threshold)) return x;
        // log1p(exp(bx)) without overflow: max(bx, 0) + log1p(exp(-|bx|))
        return (T.Max(bx, T.Zero) + T.LogP1(T.Exp(-T.Abs(bx)))) / b;
    }

    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T bx = T.CreateTruncating(beta) * x;
        if (bx > T.CreateTruncating(threshold)) return g;
        T s = bx >= T.Zero ? T.One / (T.One + T.Exp(-bx)) : T.Exp(bx) / (T.One + T.Exp(bx));
        return g * s;
    }

    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;
}

public readonly struct ClampOp(double min, double max) : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(x)) return x;
        T lo = T.CreateTruncating(min), hi = T.CreateTruncating(max);
        return x < lo ? lo : x > hi ? hi : x;
    }

    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T> =>
        x >= T.CreateTruncating(min) && x <= T.CreateTruncating(max) ? g : T.Zero;

    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;
}

/// <summary>x^p for a scalar exponent; the gradient p x^(p-1) is taken as 0 where p = 0 (PyTorch).</summary>
public readonly struct PowScalarOp(double exponent) : IUnaryOp
{
    public T Forward<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        exponent == 2 ? x * x : exponent == 1 ? x : T.Pow(x, T.CreateTruncating(exponent));
    public T Backward<T>(T x, T y, T g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (exponent == 0) return T.Zero;
        T p = T.CreateTruncating(exponent);
        return exponent == 2 ? g * (x + x) : exponent == 1 ? g : g * p * T.Pow(x, p - T.One);
    }
    public bool ForwardSpan<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (exponent == 2) { TensorPrimitives.Multiply(x, x, y); return true; }
        return false;
    }
}

public static partial class F
{
    public static Tensor Neg(Tensor x) => Unary.Apply("neg", x, new NegOp());
    public static Tensor Exp(Tensor x) => Unary.Apply("exp", x, new ExpOp());
    public static Tensor Log(Tensor x) => Unary.Apply("log", x, new LogOp());
    public static Tensor Sqrt(Tensor x) => Unary.Apply("sqrt", x, new SqrtOp());
    public static Tensor Abs(Tensor x) => Unary.Apply("abs", x, new AbsOp());
    public static Tensor Sin(Tensor x) => Unary.Apply("sin", x, new SinOp());
    public static Tensor Cos(Tensor x) => Unary.Apply("cos", x, new CosOp());
    public static Tensor Relu(Tensor x) => Unary.Apply("relu", x, new ReluOp());
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01) => Unary.Apply("leaky_relu", x, new LeakyReluOp(negativeSlope));
    public static Tensor Elu(Tensor x, double alpha = 1.0) => Unary.Apply("elu", x, new EluOp(alpha));

    /// <summary>GELU; approximate: "none" (exact, erf) or "tanh", as torch.nn.functional.gelu.</summary>
    public static Tensor Gelu(Tensor x, string approximate = "none") => approximate switch
    {
        "none" => Unary.Apply("gelu", x, new GeluOp(false)),
        "tanh" => Unary.Apply("gelu", x, new GeluOp(true)),
        _ => throw new ArgumentException($"gelu: approximate must be 'none' or 'tanh', got '{approximate}'"),
    };

    public static Tensor Sigmoid(Tensor x) => Unary.Apply("sigmoid", x, new SigmoidOp());
    public static Tensor Tanh(Tensor x) => Unary.Apply("tanh", x, new TanhOp());

    public static Tensor Softplus(Tensor x, double beta = 1, double threshold = 20)
    {
        if (!(beta > 0)) throw new ArgumentException($"softplus: beta must be positive, got {beta}");
        return Unary.Apply("softplus", x, new SoftplusOp(beta, threshold));
    }

    /// <summary>Clamps into [min, max]; either bound may be omitted (null).</summary>
    public static Tensor Clamp(Tensor x, double? min = null, double? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("clamp: at least one of min or max must be given");
        double lo = min ?? double.NegativeInfinity, hi = max ?? double.PositiveInfinity;
        if (double.IsNaN(lo) || double.IsNaN(hi)) throw new ArgumentException($"clamp: bounds must not be NaN (min {lo}, max {hi})");
        return Unary.Apply("clamp", x, new ClampOp(lo, hi));
    }

    public static Tensor Pow(Tensor x, double exponent) => Unary.Apply("pow", x, new PowScalarOp(exponent));
    public static Tensor Square(Tensor x) => Unary.Apply("square", x, new PowScalarOp(2));
}
