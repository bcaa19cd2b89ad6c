using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>
/// ILGPU kernels of the broadcasting ops: one thread per output element, operand offsets from the
/// collapsed broadcast plan (dims, then each operand's strides) uploaded as a small int64 array.
/// </summary>
internal static class BinaryGpu
{
    public static Tensor PlanMeta(Device device, BroadcastPlan plan)
    {
        var meta = new List<long>(plan.Dims.Select(d => (long)d));
        foreach (var s in plan.Strides) meta.AddRange(s);
        return Gpu.Meta(device, meta.ToArray());
    }

    public static void Forward<T, TOp>(TOp op, Tensor a, Tensor b, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp<T>
    {
        var plan = BroadcastPlan.Create(y.Shape, a.Shape, b.Shape);
        using var meta = PlanMeta(y.Device, plan);
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<long>, int, TOp>(Gpu.Acc(y), ForwardKernel<T, TOp>)(
            Gpu.Int(y.Numel), a.View<T>(), b.View<T>(), y.View<T>(), meta.View<long>(), plan.Dims.Length, op);
    }

    public static void Backward<T, TOp>(TOp op, Tensor a, Tensor b, Tensor y, Tensor g, Tensor gaFull, Tensor gbFull)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp<T>
    {
        var plan = BroadcastPlan.Create(y.Shape, a.Shape, b.Shape);
        using var meta = PlanMeta(y.Device, plan);
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<long>, TOp>(Gpu.Acc(y), BackwardKernel<T, TOp>)(
            Gpu.Int(y.Numel), a.View<T>(), b.View<T>(), y.View<T>(), g.View<T>(), gaFull.View<T>(), gbFull.View<T>(), meta.View<long>(), op);
    }

    /// <summary>Offset of output element i in operand k: meta = [dims (rank), strides of operand 0, 1, ...].</summary>
    public static long Offset(long i, ArrayView<long> meta, int rank, int operand)
    {
        long rem = i, off = 0;
        for (int d = rank - 1; d >= 0; d--)
        {
            long dim = meta[d];
            off += rem % dim * meta[(operand + 1) * rank + d];
            rem /= dim;
        }
        return off;
    }

    private static void ForwardKernel<T, TOp>(Index1D i, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, ArrayView<long> meta, int rank, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp<T> =>
        y[i] = op.Forward(a[Offset(i, meta, rank, 0)], b[Offset(i, meta, rank, 1)]);

    private static void BackwardKernel<T, TOp>(Index1D i, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, ArrayView<T> g,
        ArrayView<T> ga, ArrayView<T> gb, ArrayView<long> meta, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp<T>
    {
        int rank = (int)(meta.Length / 3);
        var (da, db) = op.Backward(a[Offset(i, meta, rank, 0)], b[Offset(i, meta, rank, 1)], y[i], g[i]);
        ga[i] = da;
        gb[i] = db;
    }
}
