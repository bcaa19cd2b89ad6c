using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace Framework;

/// <summary>
/// Loads each ILGPU kernel once per accelerator and keeps it (compiling a kernel costs ~0.5 s). Every kernel
/// ever loaded is remembered, so a test can compile the same set to PTX for CUDA without a GPU.
/// </summary>
public static class KernelCache
{
    private static readonly ConcurrentDictionary<(Accelerator, MethodInfo), Delegate> _kernels = new();
    private static readonly ConcurrentDictionary<MethodInfo, byte> _seen = new();

    /// <summary>The kernel methods loaded so far in this process (closed generic methods).</summary>
    public static IReadOnlyCollection<MethodInfo> LoadedKernels => _seen.Keys.ToList();

    private static TDelegate Get<TDelegate>(Accelerator acc, Delegate kernel, Func<TDelegate> load) where TDelegate : Delegate
    {
        _seen.TryAdd(kernel.Method, 0);
        return (TDelegate)_kernels.GetOrAdd((acc, kernel.Method), _ => load());
    }

    public static Action<TIndex, T1> Get<TIndex, T1>(Accelerator acc, Action<TIndex, T1> k)
        where TIndex : struct, IIndex where T1 : struct =>
        Get(acc, k, () => acc.LoadAutoGroupedStreamKernel(k));

    public static Action<TIndex, T1, T2> Get<TIndex, T1, T2>(Accelerator acc, Action<TIndex, T1, T2> k)
        where TIndex : struct, IIndex where T1 : struct where T2 : struct =>
        Get(acc, k, () => acc.LoadAutoGroupedStreamKernel(k));

    public static Action<TIndex, T1, T2, T3> Get<TIndex, T1, T2, T3>(Accelerator acc, Action<TIndex, T1, T2, T3> k)
        where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct =>
        Get(acc, k, () => acc.LoadAutoGroupedStreamKernel(k));

    public static Action<TIndex, T1, T2, T3, T4> Get<TIndex, T1, T2, T3, T4>(Accelerator acc, Action<TIndex, T1, T2, T3, T4> k)
        where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct =>
        Get(acc, k, () => acc.LoadAutoGroupedStreamKernel(k));

    public static Action<TIndex, T1, T2, T3, T4, T5> Get<TIndex, T1, T2, T3, T4, T5>(Accelerator acc, Action<TIndex, T1, T2, T3, T4, T5> k)
        where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct =>
        Get(acc, k, () => acc.LoadAutoGroupedStreamKernel(k));

    public static Action<TIndex, T1, T2, T3, T4, T5, T6> Get<TIndex, T1, T2, T3, T4, T5, T6>(Accelerator acc, Action<TIndex, T1, T2, T3, T4, T5, T6> k)
        where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct =>
        Get(acc, k, () => acc.LoadAutoGroupedStreamKernel(k));

    public static Action<TIndex, T1, T2, T3, T4, T5, T6, T7> Get<TIndex, T1, T2, T3, T4, T5, T6, T7>(Accelerator acc, Action<TIndex, T1, T2, T3, T4, T5, T6, T7> k)
        where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct =>
        Get(acc, k, () => acc.LoadAutoGroupedStreamKernel(k));

    public static Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8> Get<TIndex, T1, T2, T3, T4, T5, T6, T7, T8>(Accelerator acc, Action<TIndex, T1, T2, T3, T4, T5, T6, T7, T8> k)
        where TIndex : struct, IIndex where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct =>
        Get(acc, k, () => acc.LoadAutoGroupedStreamKernel(k));
}
