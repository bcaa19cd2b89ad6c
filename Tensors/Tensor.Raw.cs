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
            case DType.Float32: AddInto(((CpuStorage)Storage).Data as float[], ((CpuStorage)other.Storage).Data as float[]); break;
            case DType.Float64: AddInto(((CpuStorage)Storage).Data as double[], ((CpuStorage)other.Storage).Data as double[]); break;
            default: throw new InvalidOperationException($"AddInPlace_: {DType.Name()} tensors do not accumulate");
        }
    }

    /// <summary>Elements from which a gradient accumulation runs on all cores (below it, waking them costs more).</summary>
    private const int ParallelAddElements = 1 << 20;

    private void AddInto<T>(T[]? into, T[]? add) where T : unmanaged, System.Numerics.IAdditionOperators<T, T, T>, System.Numerics.IAdditiveIdentity<T, T>
    {
        int n = checked((int)Numel);
        T[] a = into!, b = add!;
        if (n < ParallelAddElements)
        {
            TensorPrimitives.Add<T>(a.AsSpan(0, n), b.AsSpan(0, n), a.AsSpan(0, n));
            return;
        }
        // a leaf's gradient, accumulated every step, is as large as the parameter or input: on all cores
        int chunks = Math.Min(Environment.ProcessorCount, n / (ParallelAddElements / 2));
        Parallel.For(0, chunks, c =>
        {
            int s = (int)((long)n * c / chunks), e = (int)((long)n * (c + 1) / chunks);
            TensorPrimitives.Add<T>(a.AsSpan(s, e - s), b.AsSpan(s, e - s), a.AsSpan(s, e - s));
        });
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
