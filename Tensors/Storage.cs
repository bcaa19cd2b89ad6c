namespace Framework;

/// <summary>A flat buffer of elements on one device. Tensors that are reshaped views of each other share one.</summary>
public abstract class Storage
{
    protected Storage(Device device, DType dtype, long length)
    {
        Device = device;
        DType = dtype;
        Length = length;
    }

    public Device Device { get; }
    public DType DType { get; }
    public long Length { get; }
}

/// <summary>Managed-array storage of the CPU backend.</summary>
public sealed class CpuStorage : Storage
{
    public CpuStorage(Array data, DType dtype) : base(Device.Cpu, dtype, data.LongLength)
    {
        Data = data;
    }

    public Array Data { get; }

    /// <summary>
    /// A new buffer: zero-filled when <paramref name="zeroed"/>, else uninitialised (the GC skips the memset, which
    /// for a 10 MB tensor costs as much as the op that fills it). With <see cref="PoisonUninitialized"/> on, an
    /// uninitialised float buffer is filled with NaN instead, so an op that reads what it never wrote shows.
    /// </summary>
    public static CpuStorage Allocate(DType dtype, long length, string op, bool zeroed = true)
    {
        MemoryGuard.Check(dtype, length, op);
        if (length > Array.MaxLength)
            throw new ArgumentException($"{op}: {length} elements exceed the largest CPU tensor ({Array.MaxLength} elements)");
        int n = (int)length;
        Array data = dtype switch
        {
            DType.Float32 => zeroed ? new float[n] : Uninitialized<float>(n, float.NaN),
            DType.Float64 => zeroed ? new double[n] : Uninitialized<double>(n, double.NaN),
            DType.Int64 => new long[n],
            DType.Bool => new bool[n],
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
        return new CpuStorage(data, dtype);
    }

    /// <summary>
    /// Fill uninitialised CPU float tensors (<see cref="Tensor.Uninitialized"/>) with NaN. The test suite turns it on;
    /// the environment variable FRAMEWORK_POISON_EMPTY=1 turns it on anywhere.
    /// </summary>
    public static bool PoisonUninitialized { get; set; } = Environment.GetEnvironmentVariable("FRAMEWORK_POISON_EMPTY") == "1";

    private static T[] Uninitialized<T>(int n, T poison)
    {
        var data = GC.AllocateUninitializedArray<T>(n);
        if (PoisonUninitialized) data.AsSpan().Fill(poison);
        return data;
    }
}

/// <summary>
/// Refuses allocations larger than a limit, so a typo in a shape fails with a message instead of
/// thrashing the machine. The limit defaults to half the memory available to the process.
/// </summary>
public static class MemoryGuard
{
    private static long _limit = DefaultLimit();

    public static long LimitBytes
    {
        get => Interlocked.Read(ref _limit);
        set
        {
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "memory limit must be positive");
            Interlocked.Exchange(ref _limit, value);
        }
    }

    private static long DefaultLimit()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return total > 0 ? total / 2 : 8L << 30;
    }

    public static void Check(DType dtype, long length, string op)
    {
        if (length < 0) throw new ArgumentException($"{op}: negative element count {length}");
        double bytes = (double)length * dtype.ElementSize();
        if (bytes > LimitBytes)
            throw new OutOfMemoryException(
                $"{op}: refusing to allocate {FormatBytes(bytes)} for {length} {dtype.Name()} elements; " +
                $"the limit is {FormatBytes(LimitBytes)} (MemoryGuard.LimitBytes)");
    }

    public static string FormatBytes(double bytes) =>
        bytes >= 1 << 30 ? $"{bytes / (1 << 30):0.##} GiB" :
        bytes >= 1 << 20 ? $"{bytes / (1 << 20):0.##} MiB" :
        $"{bytes:0} B";
}
