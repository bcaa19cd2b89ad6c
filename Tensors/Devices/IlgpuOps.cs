using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Framework;

/// <summary>
/// Transfers between host and device, and the raw storage kernels the layers below Ops need on a device
/// (fill, accumulate, convert). Bool tensors live on devices as bytes (ILGPU has no bool buffers).
/// </summary>
internal static class IlgpuOps
{
    public static Accelerator Acc(Tensor t) => IlgpuRuntime.Accelerator(t.Device);

    public static IlgpuStorage Storage(Tensor t) => (IlgpuStorage)t.Storage;

    public static T[] CopyToHost<T>(Tensor t) where T : unmanaged
    {
        var s = Storage(t);
        Acc(t).Synchronize();
        if (t.DType == DType.Bool)
        {
            var bytes = new byte[t.Numel];
            s.View<byte>().CopyToCPU(bytes);
            return (T[])(object)bytes.Select(b => b != 0).ToArray();
        }
        var host = new T[t.Numel];
        s.View<T>().CopyToCPU(host);
        return host;
    }

    public static void CopyFromHost(Array host, Tensor t)
    {
        var s = Storage(t);
        switch (host)
        {
            case float[] f: s.View<float>().CopyFromCPU(f); break;
            case double[] d: s.View<double>().CopyFromCPU(d); break;
            case long[] l: s.View<long>().CopyFromCPU(l); break;
            case bool[] b: s.View<byte>().CopyFromCPU(b.Select(v => v ? (byte)1 : (byte)0).ToArray()); break;
            default: throw new NotSupportedException($"no device copy for {host.GetType().Name}");
        }
    }

    public static void Copy(Tensor source, Tensor destination) => CopyStorage(Storage(source), Storage(destination));

    public static void CopyStorage(IlgpuStorage src, IlgpuStorage dst)
    {
        switch (src.DType)
        {
            case DType.Float32: dst.View<float>().CopyFrom(src.View<float>()); break;
            case DType.Float64: dst.View<double>().CopyFrom(src.View<double>()); break;
            case DType.Int64: dst.View<long>().CopyFrom(src.View<long>()); break;
            default: dst.View<byte>().CopyFrom(src.View<byte>()); break;
        }
    }

    public static void Fill(Tensor t, double value)
    {
        if (t.Numel == 0) return;
        var acc = Acc(t);
        switch (t.DType)
        {
            case DType.Float32: KernelCache.Get<Index1D, ArrayView<float>, float>(acc, FillKernel)((int)t.Numel, Storage(t).View<float>(), (float)value); break;
            case DType.Float64: KernelCache.Get<Index1D, ArrayView<double>, double>(acc, FillKernel)((int)t.Numel, Storage(t).View<double>(), value); break;
            case DType.Int64: KernelCache.Get<Index1D, ArrayView<long>, long>(acc, FillKernel)((int)t.Numel, Storage(t).View<long>(), (long)value); break;
            default: KernelCache.Get<Index1D, ArrayView<byte>, byte>(acc, FillKernel)((int)t.Numel, Storage(t).View<byte>(), value != 0 ? (byte)1 : (byte)0); break;
        }
    }

    public static void AddInPlace(Tensor t, Tensor other)
    {
        if (t.Numel == 0) return;
        var acc = Acc(t);
        if (t.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>>(acc, AddKernel)((int)t.Numel, Storage(t).View<float>(), Storage(other).View<float>());
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>>(acc, AddKernel)((int)t.Numel, Storage(t).View<double>(), Storage(other).View<double>());
    }

    /// <summary>float32 to float64 and back on the device; other conversions go through the host.</summary>
    public static bool TryConvert(Tensor source, Tensor destination)
    {
        if (source.Numel == 0) return true;
        var acc = Acc(source);
        if (source.DType == DType.Float32 && destination.DType == DType.Float64)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<double>>(acc, WidenKernel)((int)source.Numel, Storage(source).View<float>(), Storage(destination).View<double>());
        else if (source.DType == DType.Float64 && destination.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<float>>(acc, NarrowKernel)((int)source.Numel, Storage(source).View<double>(), Storage(destination).View<float>());
        else return false;
        return true;
    }

    private static void FillKernel<T>(Index1D i, ArrayView<T> x, T value) where T : unmanaged => x[i] = value;

    private static void AddKernel<T>(Index1D i, ArrayView<T> x, ArrayView<T> y) where T : unmanaged, INumber<T> => x[i] += y[i];

    private static void WidenKernel(Index1D i, ArrayView<float> x, ArrayView<double> y) => y[i] = x[i];

    private static void NarrowKernel(Index1D i, ArrayView<double> x, ArrayView<float> y) => y[i] = (float)x[i];
}
