using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>ILGPU kernels of comparisons (byte results: ILGPU has no bool buffers) and where.</summary>
internal static class CompareGpu
{
    public static void Compare<T>(Tensor a, Tensor b, Tensor y, int cmp) where T : unmanaged, INumber<T>
    {
        var plan = BroadcastPlan.Create(y.Shape, a.Shape, b.Shape);
        using var meta = BinaryGpu.PlanMeta(y.Device, plan);
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<byte>, ArrayView<long>, int, int>(Gpu.Acc(y), CompareKernel<T>)(
            Gpu.Int(y.Numel), a.View<T>(), b.View<T>(), y.View<byte>(), meta.View<long>(), plan.Dims.Length, cmp);
    }

    private static void CompareKernel<T>(Index1D i, ArrayView<T> a, ArrayView<T> b, ArrayView<byte> y, ArrayView<long> meta, int rank, int cmp)
        where T : unmanaged, INumber<T>
    {
        T x = a[BinaryGpu.Offset(i, meta, rank, 0)], z = b[BinaryGpu.Offset(i, meta, rank, 1)];
        bool r = cmp switch { 0 => x == z, 1 => x != z, 2 => x < z, 3 => x <= z, 4 => x > z, _ => x >= z };
        y[i] = r ? (byte)1 : (byte)0;
    }

    public static void Where<T>(Tensor c, Tensor a, Tensor b, Tensor y) where T : unmanaged
    {
        var plan = BroadcastPlan.Create(y.Shape, c.Shape, a.Shape, b.Shape);
        using var meta = BinaryGpu.PlanMeta(y.Device, plan);
        KernelCache.Get<Index1D, ArrayView<byte>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<long>, int>(Gpu.Acc(y), WhereKernel<T>)(
            Gpu.Int(y.Numel), c.View<byte>(), a.View<T>(), b.View<T>(), y.View<T>(), meta.View<long>(), plan.Dims.Length);
    }

    private static void WhereKernel<T>(Index1D i, ArrayView<byte> c, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, ArrayView<long> meta, int rank) where T : unmanaged =>
        y[i] = c[BinaryGpu.Offset(i, meta, rank, 0)] != 0 ? a[BinaryGpu.Offset(i, meta, rank, 1)] : b[BinaryGpu.Offset(i, meta, rank, 2)];
}
