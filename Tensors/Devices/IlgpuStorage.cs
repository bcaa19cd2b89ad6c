using ILGPU;
using ILGPU.Runtime;

namespace Framework;

/// <summary>
/// A buffer on an ILGPU accelerator. Tensors that share it (reshapes, detached copies) hold references;
/// the last Dispose returns the buffer to its device's pool. A finalizer returns forgotten buffers.
/// </summary>
public sealed class IlgpuStorage : Storage
{
    private readonly BufferPool _pool;
    private MemoryBuffer? _buffer;
    private int _refs = 1;

    internal IlgpuStorage(Device device, DType dtype, long length, MemoryBuffer buffer, BufferPool pool)
        : base(device, dtype, length)
    {
        _buffer = buffer;
        _pool = pool;
    }

    ~IlgpuStorage() => ReturnBuffer();

    public Accelerator Accelerator => IlgpuRuntime.Accelerator(Device);

    public bool IsReleased => _buffer is null;

    /// <summary>The elements as an ILGPU view for kernels; T must be the storage's element type.</summary>
    public ArrayView1D<T, Stride1D.Dense> View<T>() where T : unmanaged
    {
        var b = _buffer ?? throw new ObjectDisposedException(nameof(Tensor),
            $"the {DType.Name()} tensor of {Length} elements on '{Device}' was disposed (by Dispose() or its DisposeScope) and cannot be used");
        if (b is not MemoryBuffer1D<T, Stride1D.Dense> typed)
            throw new InvalidOperationException($"View<{typeof(T).Name}>: storage holds {DType.Name()} elements");
        return typed.View.SubView(0, Length);
    }

    internal void AddRef() => Interlocked.Increment(ref _refs);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            ReturnBuffer();
            GC.SuppressFinalize(this);
        }
    }

    private void ReturnBuffer()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null) _pool.Return(DType, b);
    }
}

/// <summary>
/// Reuses device buffers by (dtype, length): a training step allocates the same shapes every time, so after
/// the first step allocation stops. <see cref="Live"/> counts buffers handed out and not yet returned.
/// </summary>
public sealed class BufferPool
{
    private readonly Accelerator _accelerator;
    private readonly Dictionary<(DType, long), Stack<MemoryBuffer>> _free = [];
    // every buffer ever allocated stays referenced here, so ILGPU never finalizes one that a forgotten
    // tensor's finalizer is about to hand back (a caching allocator, as PyTorch's CUDA one)
    private readonly List<MemoryBuffer> _all = [];
    private readonly Lock _lock = new();
    private long _live;

    private static readonly Dictionary<Device, BufferPool> _pools = [];
    private static readonly Lock _poolsLock = new();

    private BufferPool(Accelerator accelerator) => _accelerator = accelerator;

    public static BufferPool For(Device device)
    {
        lock (_poolsLock)
        {
            if (!_pools.TryGetValue(device, out var p))
                _pools[device] = p = new BufferPool(IlgpuRuntime.Accelerator(device));
            return p;
        }
    }

    /// <summary>Buffers allocated on the device so far (in use or free in the pool).</summary>
    public int Allocated { get { lock (_lock) return _all.Count; } }

    /// <summary>Buffers in use (allocated and not yet returned); a leak test watches it stay flat.</summary>
    public long Live => Interlocked.Read(ref _live);

    public IlgpuStorage Rent(Device device, DType dtype, long length, string op)
    {
        MemoryGuard.Check(dtype, length, op);
        long n = Math.Max(length, 1);
        MemoryBuffer? buffer = null;
        lock (_lock)
            if (_free.TryGetValue((dtype, n), out var stack) && stack.Count > 0) buffer = stack.Pop();
        if (buffer is null)
        {
            buffer = dtype switch
            {
                DType.Float32 => _accelerator.Allocate1D<float>(n),
                DType.Float64 => _accelerator.Allocate1D<double>(n),
                DType.Int64 => _accelerator.Allocate1D<long>(n),
                _ => _accelerator.Allocate1D<byte>(n),
            };
            lock (_lock) _all.Add(buffer);
        }
        Interlocked.Increment(ref _live);
        return new IlgpuStorage(device, dtype, length, buffer, this);
    }

    internal void Return(DType dtype, MemoryBuffer buffer)
    {
        Interlocked.Decrement(ref _live);
        lock (_lock)
        {
            if (!_free.TryGetValue((dtype, buffer.Length), out var stack)) _free[(dtype, buffer.Length)] = stack = new();
            stack.Push(buffer);
        }
    }
}
