using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>ILGPU kernels of the pointwise ops: the same op structs as the CPU loop, one thread per element.</summary>
internal static class UnaryGpu
{
    public static void Forward<T, TOp>(TOp op, Tensor x, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp<T>
    {
        if (x.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, TOp>(Gpu.Acc(x), ForwardKernel<T, TOp>)(Gpu.Int(x.Numel), x.View<T>(), y.View<T>(), op);
    }

    public static void Backward<T, TOp>(TOp op, Tensor x, Tensor y, Tensor g, Tensor gx)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp<T>
    {
        if (x.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, TOp>(Gpu.Acc(x), BackwardKernel<T, TOp>)(
            Gpu.Int(x.Numel), x.View<T>(), y.View<T>(), g.View<T>(), gx.View<T>(), op);
    }

    private static void ForwardKernel<T, TOp>(Index1D i, ArrayView<T> x, ArrayView<T> y, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp<T> => y[i] = op.Forward(x[i]);

    private static void BackwardKernel<T, TOp>(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<T> g, ArrayView<T> gx, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp<T> => gx[i] = op.Backward(x[i], y[i], g[i]);
}
