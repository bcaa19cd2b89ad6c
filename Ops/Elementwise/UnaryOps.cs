using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

// Pointwise ops: each struct is the formula and its derivative; F.* below are the public entry points.
// Derivatives at kinks follow PyTorch: relu'(0) = 0, |x|'(0) = 0, clamp passes the gradient on min <= x <= max.

public readonly struct NegOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => -x;
    public T Backward(T x, T y, T g)  => -g;
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Negate(x, y); return true; }
}

public readonly struct ExpOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => T.Exp(x);
    public T Backward(T x, T y, T g)  => g * y;
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Exp(x, y); return true; }
}

public readonly struct LogOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => T.Log(x);
    public T Backward(T x, T y, T g)  => g / x;
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Log(x, y); return true; }
}

public readonly struct SqrtOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => T.Sqrt(x);
    public T Backward(T x, T y, T g)  => g / (y + y);
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Sqrt(x, y); return true; }
}

public readonly struct AbsOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => T.Abs(x);
    public T Backward(T x, T y, T g)  =>
        x > T.Zero ? g : x < T.Zero ? -g : T.Zero;
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Abs(x, y); return true; }
}

public readonly struct SinOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => T.Sin(x);
    public T Backward(T x, T y, T g)  => g * T.Cos(x);
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Sin(x, y); return true; }
}

public readonly struct CosOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => T.Cos(x);
    public T Backward(T x, T y, T g)  => -g * T.Sin(x);
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Cos(x, y); return true; }
}

public readonly struct ReluOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => x > T.Zero ? x : T.IsNaN(x) ? x : T.Zero;
    public T Backward(T x, T y, T g)  => x > T.Zero ? g : T.Zero;
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Max(x, T.Zero, y); return true; }
}

public readonly struct LeakyReluOp<T>(T slope) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => x > T.Zero ? x : x * slope;
    public T Backward(T x, T y, T g) => x > T.Zero ? g : g * slope;
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y) => false;
}

public readonly struct EluOp<T>(T alpha) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => x > T.Zero ? x : alpha * (T.Exp(x) - T.One);
    public T Backward(T x, T y, T g) => x > T.Zero ? g : g * (y + alpha);
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y) => false;
}

/// <summary>GELU: x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 exactly, or PyTorch's approximate="tanh" form.</summary>
public readonly struct GeluOp<T>(int tanhApproximation) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // 0.044715 is PyTorch's constant of the tanh form, converted on the host; other constants come from T.Pi
    private readonly T _cubic = T.CreateTruncating(0.044715);

    private static T Half => T.One / (T.One + T.One);
    private static T InvSqrt2 => T.One / T.Sqrt(T.One + T.One);
    private static T Sqrt2OverPi => T.Sqrt((T.One + T.One) / T.Pi);

    public T Forward(T x)
    {
        if (tanhApproximation != 0)
            return Half * x * (T.One + T.Tanh(Sqrt2OverPi * (x + _cubic * x * x * x)));
        return Half * x * (T.One + SpecialFunctions.Erf(x * InvSqrt2));
    }

    public T Backward(T x, T y, T g)
    {
        T d;
        if (tanhApproximation != 0)
        {
            T t = T.Tanh(Sqrt2OverPi * (x + _cubic * x * x * x));
            T three = T.One + T.One + T.One;
            d = Half * (T.One + t) + Half * x * (T.One - t * t) * Sqrt2OverPi * (T.One + three * _cubic * x * x);
        }
        else d = Half * (T.One + SpecialFunctions.Erf(x * InvSqrt2)) + x * InvSqrt2 / T.Sqrt(T.Pi) * T.Exp(-Half * x * x);
        return g * d;
    }

    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y) => false;
}

public readonly struct SigmoidOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  =>
        x >= T.Zero ? T.One / (T.One + T.Exp(-x)) : T.Exp(x) / (T.One + T.Exp(x));
    public T Backward(T x, T y, T g)  => g * y * (T.One - y);
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Sigmoid(x, y); return true; }
}

public readonly struct TanhOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)  => T.Tanh(x);
    public T Backward(T x, T y, T g)  => g * (T.One - y * y);
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)  { TensorPrimitives.Tanh(x, y); return true; }
}

/// <summary>softplus(x) = log(1 + exp(beta x)) / beta, linear where beta x &gt; threshold (PyTorch's defaults 1, 20).</summary>
public readonly struct SoftplusOp<T>(T beta, T threshold) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x)
    {
        T bx = beta * x;
        if (bx > threshold) return x;
        // log1p(exp(bx)) without overflow: max(bx, 0) + log1p(exp(-|bx|))
        return (T.Max(bx, T.Zero) + T.LogP1(T.Exp(-T.Abs(bx)))) / beta;
    }

    public T Backward(T x, T y, T g)
    {
        T bx = beta * x;
        if (bx > threshold) return g;
        T s = bx >= T.Zero ? T.One / (T.One + T.Exp(-bx)) : T.Exp(bx) / (T.One + T.Exp(bx));
        return g * s;
    }

    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y) => false;
}

public readonly struct ClampOp<T>(T min, T max) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => T.IsNaN(x) ? x : x < min ? min : x > max ? max : x;
    public T Backward(T x, T y, T g) => x >= min && x <= max ? g : T.Zero;
    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y) => false;
}

/// <summary>x^p for a scalar exponent; the gradient p x^(p-1) is taken as 0 where p = 0 (PyTorch).</summary>
public readonly struct PowScalarOp<T>(T exponent) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Two => T.One + T.One;

    public T Forward(T x) => exponent == Two ? x * x : exponent == T.One ? x : T.Pow(x, exponent);

    public T Backward(T x, T y, T g) =>
        exponent == T.Zero ? T.Zero :
        exponent == Two ? g * (x + x) :
        exponent == T.One ? g :
        g * exponent * T.Pow(x, exponent - T.One);

    public bool ForwardSpan(ReadOnlySpan<T> x, Span<T> y)
    {
        if (exponent != Two) return false;
        TensorPrimitives.Multiply(x, x, y);
        return true;
    }
}

public static partial class F
{
    public static Tensor Neg(Tensor x) => Unary.Apply("neg", x, new NegOp<float>(), new NegOp<double>());
    public static Tensor Exp(Tensor x) => Unary.Apply("exp", x, new ExpOp<float>(), new ExpOp<double>());
    public static Tensor Log(Tensor x) => Unary.Apply("log", x, new LogOp<float>(), new LogOp<double>());
    public static Tensor Sqrt(Tensor x) => Unary.Apply("sqrt", x, new SqrtOp<float>(), new SqrtOp<double>());
    public static Tensor Abs(Tensor x) => Unary.Apply("abs", x, new AbsOp<float>(), new AbsOp<double>());
    public static Tensor Sin(Tensor x) => Unary.Apply("sin", x, new SinOp<float>(), new SinOp<double>());
    public static Tensor Cos(Tensor x) => Unary.Apply("cos", x, new CosOp<float>(), new CosOp<double>());
    public static Tensor Relu(Tensor x) => Unary.Apply("relu", x, new ReluOp<float>(), new ReluOp<double>());

    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01) =>
        Unary.Apply("leaky_relu", x, new LeakyReluOp<float>((float)negativeSlope), new LeakyReluOp<double>(negativeSlope));

    public static Tensor Elu(Tensor x, double alpha = 1.0) =>
        Unary.Apply("elu", x, new EluOp<float>((float)alpha), new EluOp<double>(alpha));

    /// <summary>GELU; approximate: "none" (exact, erf) or "tanh", as torch.nn.functional.gelu.</summary>
    public static Tensor Gelu(Tensor x, string approximate = "none")
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"gelu: approximate must be 'none' or 'tanh', got '{approximate}'");
        int tanh = approximate == "tanh" ? 1 : 0;   // an int, not a bool: kernel parameters must be blittable
        return Unary.Apply("gelu", x, new GeluOp<float>(tanh), new GeluOp<double>(tanh));
    }

    public static Tensor Sigmoid(Tensor x) => Unary.Apply("sigmoid", x, new SigmoidOp<float>(), new SigmoidOp<double>());
    public static Tensor Tanh(Tensor x) => Unary.Apply("tanh", x, new TanhOp<float>(), new TanhOp<double>());

    public static Tensor Softplus(Tensor x, double beta = 1, double threshold = 20)
    {
        if (!(beta > 0)) throw new ArgumentException($"softplus: beta must be positive, got {beta}");
        return Unary.Apply("softplus", x, new SoftplusOp<float>((float)beta, (float)threshold), new SoftplusOp<double>(beta, threshold));
    }

    /// <summary>Clamps into [min, max]; either bound may be omitted (null).</summary>
    public static Tensor Clamp(Tensor x, double? min = null, double? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("clamp: at least one of min or max must be given");
        double lo = min ?? double.NegativeInfinity, hi = max ?? double.PositiveInfinity;
        if (double.IsNaN(lo) || double.IsNaN(hi)) throw new ArgumentException($"clamp: bounds must not be NaN (min {lo}, max {hi})");
        return Unary.Apply("clamp", x, new ClampOp<float>((float)lo, (float)hi), new ClampOp<double>(lo, hi));
    }

    public static Tensor Pow(Tensor x, double exponent) =>
        Unary.Apply("pow", x, new PowScalarOp<float>((float)exponent), new PowScalarOp<double>(exponent));

    public static Tensor Square(Tensor x) => Unary.Apply("square", x, new PowScalarOp<float>(2), new PowScalarOp<double>(2));
}
