namespace Framework;

/// <summary>
/// An n-dimensional array of float32, float64, int64 or bool on one device, row-major and contiguous,
/// with an autograd slot (RequiresGrad, Grad, GradFn). Reshapes share storage; permutes, slices and
/// expands copy (every kernel can then assume contiguous memory).
/// Differentiable ops (F.*, operators, x.Sum(), ...) live in the Ops layer; Backward() in Autodiff.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    internal Tensor(Storage storage, Shape shape)
    {
        if (storage.Length < shape.Numel)
            throw new ArgumentException($"storage of {storage.Length} elements is too small for shape {shape}");
        Storage = storage;
        Shape = shape;
        RegisterInScope();
    }

    /// <summary>A second tensor over the same storage (reshapes, detach): device storage counts its users.</summary>
    private Tensor(Tensor source, Shape shape) : this(source.Storage, shape)
    {
        if (Storage is IlgpuStorage s) s.AddRef();
    }

    public Storage Storage { get; private set; }
    public Shape Shape { get; }
    public DType DType => Storage.DType;
    public Device Device => Storage.Device;
    public int Rank => Shape.Rank;
    public long Numel => Shape.Numel;
    public int Size(int dim) => Shape.Dim(dim);

    /// <summary>An optional name shown in error messages and printing (parameters get theirs).</summary>
    public string? Name { get; set; }

    // ---- autograd slot, filled by the Autodiff layer ----

    private bool _requiresGrad;

    /// <summary>Whether gradients flow to this tensor. Only floating-point tensors can require grad.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (value && !DType.IsFloatingPoint())
                throw new InvalidOperationException(
                    $"only floating-point tensors can require gradients, this one is {DType.Name()} {Shape}");
            if (!value && GradFn is not null)
                throw new InvalidOperationException(
                    "RequiresGrad cannot be turned off on a non-leaf tensor; use Detach() to cut it from the graph");
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after Backward().</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The op that produced this tensor, when it was recorded on the tape; null for leaves.</summary>
    public Node? GradFn { get; internal set; }

    public bool IsLeaf => GradFn is null;

    internal void SetGradFn(Node node)
    {
        GradFn = node;
        _requiresGrad = true;
    }

    // ---- raw data access (CPU) ----

    /// <summary>The elements as a span; the tensor must be on the CPU and of the element type T.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        if (Storage is not CpuStorage cpu)
            throw new InvalidOperationException(
                $"AsSpan: tensor {Shape} is on device '{Device}'; copy it with .To(Device.Cpu) first");
        if (cpu.Data is not T[] arr)
            throw new InvalidOperationException(
                $"AsSpan<{typeof(T).Name}>: tensor {Shape} holds {DType.Name()} elements");
        return arr.AsSpan(0, checked((int)Numel));
    }

    public ReadOnlySpan<T> AsReadOnlySpan<T>() where T : unmanaged => AsSpan<T>();

    /// <summary>A copy of the elements in row-major order.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        if (Storage is CpuStorage) return AsSpan<T>().ToArray();
        if (DTypeInfo.Of<T>() != DType)
            throw new InvalidOperationException($"ToArray<{typeof(T).Name}>: tensor {Shape} holds {DType.Name()} elements");
        return IlgpuOps.CopyToHost<T>(this);
    }

    /// <summary>The elements as doubles, whatever the dtype (bool as 0/1).</summary>
    public double[] ToDoubleArray()
    {
        if (Storage is not CpuStorage) return ToDevice(Device.Cpu).ToDoubleArray();
        switch (DType)
        {
            case DType.Float64: return ToArray<double>();
            case DType.Float32: return Array.ConvertAll(ToArray<float>(), v => (double)v);
            case DType.Int64: return Array.ConvertAll(ToArray<long>(), v => (double)v);
            default:
                var b = AsSpan<bool>();
                var r = new double[b.Length];
                for (int i = 0; i < b.Length; i++) r[i] = b[i] ? 1 : 0;
                return r;
        }
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Numel != 1)
            throw new InvalidOperationException(
                $"Item: a tensor with {Numel} elements {Shape} cannot be converted to a scalar");
        return ToDoubleArray()[0];
    }

    public T Item<T>() where T : unmanaged
    {
        if (Numel != 1)
            throw new InvalidOperationException(
                $"Item: a tensor with {Numel} elements {Shape} cannot be converted to a scalar");
        return ToArray<T>()[0];
    }

    /// <summary>A tensor sharing this one's storage with another shape of the same element count.</summary>
    internal Tensor ViewAs(Shape shape)
    {
        if (shape.Numel != Numel)
            throw new ArgumentException($"view: shape {shape} is invalid for input of size {Numel}");
        return new Tensor(this, shape);
    }

    /// <summary>A new leaf sharing this tensor's storage, cut from the graph.</summary>
    public Tensor Detach() => new(this, Shape) { Name = Name };

    /// <summary>Overwrites this tensor's elements with another's (same shape and dtype), outside autograd.</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Shape != Shape || source.DType != DType)
            throw new ArgumentException(
                $"CopyFrom: source {source.DType.Name()} {source.Shape} does not match {DType.Name()} {Shape}");
        if (Storage is CpuStorage dst && source.Storage is CpuStorage src)
        {
            Array.Copy(src.Data, dst.Data, Numel);
            return;
        }
        CheckSameDevice("CopyFrom", this, source);
        IlgpuOps.Copy(source, this);
    }


    internal static long CheckedNumel(ReadOnlySpan<int> dims, string op)
    {
        long n = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"{op}: negative dimension in shape {Shape.Format(dims)}");
            n *= d;
            if (n > (1L << 40)) throw new ArgumentException($"{op}: shape {Shape.Format(dims)} is too large");
        }
        return n;
    }
}
