using System.Numerics.Tensors;

namespace Framework;

// The few raw storage operations the layers below Ops need (gradient accumulation, finite checks).
// They bypass autograd; differentiable arithmetic lives in Ops.
public sealed partial class Tensor
{
    /// <summary>this += other, in place, outside autograd (same shape and dtype).</summary>
    public void AddInPlace_(Tensor other)
    {
        if (other.Shape != Shape || other.DType != DType)
            throw new ArgumentException(
                $"AddInPlace_: {other.DType.Name()} {other.Shape} does not match {DType.Name()} {Shape}");
        CheckSameDevice("AddInPlace_", this, other);
        if (Storage is IlgpuStorage)
        {
            if (!DType.IsFloatingPoint()) throw new InvalidOperationException($"AddInPlace_: {DType.Name()} tensors do not accumulate");
            IlgpuOps.AddInPlace(this, other);
            return;
        }
        switch (DType)
        {
            case DType.Float32: TensorPrimitives.Add(AsSpan<float>(), other.AsSpan<float>(), AsSpan<float>()); break;
            case DType.Float64: TensorPrimitives.Add(AsSpan<double>(), other.AsSpan<double>(), AsSpan<double>()); break;
            default: throw new InvalidOperationException($"AddInPlace_: {DType.Name()} tensors do not accumulate");
        }
    }

    /// <summary>Whether any element is NaN or infinite (always false for integer dtypes).</summary>
    public bool HasNonFinite()
    {
        if (Storage is not CpuStorage) return DType.IsFloatingPoint() && ToDoubleArray().Any(v => !double.IsFinite(v));
        switch (DType)
        {
            case DType.Float32:
                foreach (var v in AsSpan<float>()) if (!float.IsFinite(v)) return true;
                return false;
            case DType.Float64:
                foreach (var v in AsSpan<double>()) if (!double.IsFinite(v)) return true;
                return false;
            default: return false;
        }
    }

    public static void CheckSameDevice(string op, Tensor a, Tensor b)
    {
        if (a.Device != b.Device)
            throw new ArgumentException(
                $"{op}: expected all tensors on the same device, got '{a.Device}' {a.Shape} and '{b.Device}' {b.Shape}");
    }
}
