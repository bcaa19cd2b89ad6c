namespace Framework;

/// <summary>
/// Operators and PyTorch-style methods on Tensor (C# 14 extension members, so Tensor itself stays in the
/// layer below). Each forwards to the functional form in <see cref="F"/>.
/// </summary>
public static class TensorOps
{
    extension(Tensor t)
    {
        public static Tensor operator +(Tensor a, Tensor b) => F.Add(a, b);
        public static Tensor operator -(Tensor a, Tensor b) => F.Sub(a, b);
        public static Tensor operator *(Tensor a, Tensor b) => F.Mul(a, b);
        public static Tensor operator /(Tensor a, Tensor b) => F.Div(a, b);
        public static Tensor operator -(Tensor a) => F.Neg(a);
        public static Tensor operator +(Tensor a, double b) => F.Add(a, b);
        public static Tensor operator +(double a, Tensor b) => F.Add(b, a);
        public static Tensor operator -(Tensor a, double b) => F.Sub(a, b);
        public static Tensor operator -(double a, Tensor b) => F.Sub(a, b);
        public static Tensor operator *(Tensor a, double b) => F.Mul(a, b);
        public static Tensor operator *(double a, Tensor b) => F.Mul(b, a);
        public static Tensor operator /(Tensor a, double b) => F.Div(a, b);
        public static Tensor operator /(double a, Tensor b) => F.Div(a, b);

        public Tensor Add(Tensor other) => F.Add(t, other);
        public Tensor Sub(Tensor other) => F.Sub(t, other);
        public Tensor Mul(Tensor other) => F.Mul(t, other);
        public Tensor Div(Tensor other) => F.Div(t, other);
        public Tensor Pow(double exponent) => F.Pow(t, exponent);
        public Tensor Pow(Tensor exponent) => F.Pow(t, exponent);
        public Tensor Neg() => F.Neg(t);
        public Tensor Exp() => F.Exp(t);
        public Tensor Log() => F.Log(t);
        public Tensor Sqrt() => F.Sqrt(t);
        public Tensor Abs() => F.Abs(t);
        public Tensor Sin() => F.Sin(t);
        public Tensor Cos() => F.Cos(t);
        public Tensor Relu() => F.Relu(t);
        public Tensor Sigmoid() => F.Sigmoid(t);
        public Tensor Tanh() => F.Tanh(t);
        public Tensor Square() => F.Square(t);
        public Tensor Clamp(double? min = null, double? max = null) => F.Clamp(t, min, max);

        public Tensor Sum() => F.Sum(t);
        public Tensor Sum(int dim, bool keepDim = false) => F.Sum(t, dim, keepDim);
        public Tensor Sum(int[] dims, bool keepDim = false) => F.Sum(t, dims, keepDim);
        public Tensor Mean() => F.Mean(t);
        public Tensor Mean(int dim, bool keepDim = false) => F.Mean(t, dim, keepDim);
        public Tensor Mean(int[] dims, bool keepDim = false) => F.Mean(t, dims, keepDim);
        public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => F.Var(t, dim, unbiased, keepDim);
        public Tensor Std(int dim, bool unbiased = true, bool keepDim = false) => F.Std(t, dim, unbiased, keepDim);
        public Tensor Max() => F.Max(t);
        public Tensor Min() => F.Min(t);
        public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => F.Max(t, dim, keepDim);
        public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => F.Min(t, dim, keepDim);
        public Tensor Argmax(int? dim = null, bool keepDim = false) => F.Argmax(t, dim, keepDim);
        public Tensor Argmin(int? dim = null, bool keepDim = false) => F.Argmin(t, dim, keepDim);
        public Tensor Norm(double p = 2) => F.Norm(t, p);

        public Tensor Matmul(Tensor other) => F.Matmul(t, other);
        public Tensor Reshape(params int[] shape) => F.Reshape(t, shape);
        public Tensor View(params int[] shape) => F.Reshape(t, shape);
        public Tensor Flatten(int startDim = 0, int endDim = -1) => F.Flatten(t, startDim, endDim);
        public Tensor Permute(params int[] dims) => F.Permute(t, dims);
        public Tensor Transpose(int dim0, int dim1) => F.Transpose(t, dim0, dim1);
        /// <summary>The transpose of a 2-D tensor (torch's .T for matrices).</summary>
        public Tensor T => t.Rank < 2 ? t : F.Transpose(t, -2, -1);
        public Tensor Squeeze(int? dim = null) => F.Squeeze(t, dim);
        public Tensor Unsqueeze(int dim) => F.Unsqueeze(t, dim);
        public Tensor Expand(params int[] shape) => F.Expand(t, shape);
        public Tensor Narrow(int dim, int start, int length) => F.Narrow(t, dim, start, length);
        public Tensor Select(int dim, int index) => F.Select(t, dim, index);
        public Tensor Repeat(params int[] repeats) => F.Repeat(t, repeats);
        public Tensor Clone() => F.Clone(t);
        /// <summary>Tensors are always contiguous here; returns the tensor itself.</summary>
        public Tensor Contiguous() => t;
        public Tensor To(DType dtype) => F.To(t, dtype);
        public Tensor To(Device device) => F.To(t, device);
        public Tensor Float() => F.To(t, DType.Float32);
        public Tensor Double() => F.To(t, DType.Float64);

        public Tensor Eq(Tensor other) => F.Eq(t, other);
        public Tensor Eq(double other) => F.Eq(t, other);
        public Tensor Gt(double other) => F.Gt(t, other);
        public Tensor Lt(double other) => F.Lt(t, other);
        public Tensor Softmax(int dim) => F.Softmax(t, dim);
        public Tensor LogSoftmax(int dim) => F.LogSoftmax(t, dim);
    }
}
