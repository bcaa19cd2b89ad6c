using ILGPU;
using ILGPU.Runtime;

namespace Framework;

/// <summary>Helpers for the ILGPU side of ops: accelerator, typed views, small metadata arrays.</summary>
internal static class Gpu
{
    public static Accelerator Acc(Tensor t) => IlgpuRuntime.Accelerator(t.Device);

    public static ArrayView<T> View<T>(this Tensor t) where T : unmanaged =>
        t.Storage is IlgpuStorage s ? s.View<T>() : throw new InvalidOperationException($"tensor {t.Shape} is on '{t.Device}', not an ILGPU device");

    /// <summary>A small int64 array (shapes, strides, offsets) uploaded for a kernel; dispose after the launch.</summary>
    public static Tensor Meta(Device device, long[] values) =>
        Tensor.FromArray(values.Length == 0 ? [0L] : values).ToDevice(device).DetachFromDisposeScope();

    public static Tensor Meta(Device device, int[] values) => Meta(device, values.Select(v => (long)v).ToArray());

    public static int Int(long n) => checked((int)n);
}
