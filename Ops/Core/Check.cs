namespace Framework;

/// <summary>Argument checks shared by the ops; every message starts with the op's name.</summary>
internal static class Check
{
    public static void Float(string op, Tensor t, string what = "input")
    {
        if (!t.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: {what} must be float32 or float64, got {t.DType.Name()} {t.Shape}");
    }

    public static void SameDTypeAndDevice(string op, Tensor a, Tensor b)
    {
        Tensor.CheckSameDevice(op, a, b);
        if (a.DType != b.DType)
            throw new ArgumentException(
                $"{op}: expected tensors of one dtype, got {a.DType.Name()} {a.Shape} and {b.DType.Name()} {b.Shape}; convert one with .To(DType.{b.DType})");
    }

    public static void Rank(string op, Tensor t, int rank, string what = "input", string layout = "")
    {
        if (t.Rank != rank)
            throw new ArgumentException(
                $"{op}: {what} must be {rank}-D{(layout.Length > 0 ? " " + layout : "")}, got shape {t.Shape}");
    }

    public static void NotScalar(string op, Tensor t)
    {
        if (t.Rank == 0) throw new ArgumentException($"{op}: cannot be applied to a 0-dim tensor; reshape it to 1-D first");
    }

    public static void Finite(string op, double v, string name)
    {
        if (!double.IsFinite(v)) throw new ArgumentException($"{op}: {name} must be finite, got {v}");
    }
}

/// <summary>Parallel loops that stay on the calling thread when the work is small (tiny tensors must not pay for threads).</summary>
internal static class Par
{
    /// <summary>Elements below which an elementwise loop runs on one thread.</summary>
    public const int ElementwiseGrain = 1 << 15;

    /// <summary>
    /// Elements below which a loop that only streams memory (a fill, a sum) runs on one thread: waking the other
    /// core costs tens of microseconds, as long as such a loop takes on a few megabytes.
    /// </summary>
    public const int StreamingGrain = 1 << 20;

    public static int Workers => Environment.ProcessorCount;

    /// <summary>
    /// Runs body(start, end) over [0, n) in contiguous chunks, in parallel when n * costPerItem is large.
    /// <paramref name="chunksPerWorker"/> above 1 cuts the range finer so that a core that finishes early takes
    /// over work: on a shared VM one vCPU is often descheduled for a while, and with one chunk per core the
    /// whole op then waits for it.
    /// </summary>
    public static void For(long n, long costPerItem, Action<long, long> body, long grain = ElementwiseGrain, int chunksPerWorker = 1)
    {
        if (n <= 0) return;
        int chunks = (int)Math.Min((long)Workers * chunksPerWorker, Math.Max(1, n * Math.Max(costPerItem, 1) / grain));
        chunks = (int)Math.Min(chunks, n);
        if (chunks <= 1) { body(0, n); return; }
        Parallel.For(0, chunks, c =>
        {
            long s = n * c / chunks, e = n * (c + 1) / chunks;
            if (e > s) body(s, e);
        });
    }
}

internal static class TensorData
{
    /// <summary>The CPU array behind a tensor (contiguous, offset 0).</summary>
    public static T[] Data<T>(this Tensor t) where T : unmanaged =>
        t.Storage is CpuStorage c
            ? c.Data as T[] ?? throw new ArgumentException($"kernel: expected {typeof(T).Name} elements, got a {t.DType.Name()} tensor {t.Shape}")
            : throw new NotSupportedException($"kernel: tensor {t.Shape} is on device '{t.Device}', which this op has no kernel for yet");
}
