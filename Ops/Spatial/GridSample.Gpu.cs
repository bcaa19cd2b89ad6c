using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>
/// ILGPU kernels of grid_sample: one thread per output point (n, q) over every channel, running the same
/// per-point code as the CPU; the backward adds into the input gradient atomically. Float and double get
/// their own kernels because ILGPU's atomics are per type.
/// </summary>
internal static class GridSampleGpu
{
    public static void Forward(Tensor input, Tensor grid, Tensor output, GridSampleArgs a)
    {
        int threads = Gpu.Int((long)a.N * a.OutD * a.OutH * a.OutW);
        var acc = Gpu.Acc(input);
        if (input.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GridSampleArgs>(acc, ForwardF)(
                threads, input.View<float>(), grid.View<float>(), output.View<float>(), a);
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, GridSampleArgs>(acc, ForwardD)(
                threads, input.View<double>(), grid.View<double>(), output.View<double>(), a);
    }

    public static void Backward(Tensor input, Tensor grid, Tensor gradOut, Tensor? gradInput, Tensor gradGrid, GridSampleArgs a)
    {
        int threads = Gpu.Int((long)a.N * a.OutD * a.OutH * a.OutW);
        var acc = Gpu.Acc(input);
        var gi = gradInput ?? gradGrid;   // unused unless a.NeedInputGrad
        if (input.DType == DType.Float32)
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GridSampleArgs>(acc, BackwardF)(
                threads, input.View<float>(), grid.View<float>(), gradOut.View<float>(), gi.View<float>(), gradGrid.View<float>(), a);
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, GridSampleArgs>(acc, BackwardD)(
                threads, input.View<double>(), grid.View<double>(), gradOut.View<double>(), gi.View<double>(), gradGrid.View<double>(), a);
    }

    private static void ForwardF(Index1D p, ArrayView<float> input, ArrayView<float> grid, ArrayView<float> output, GridSampleArgs a) =>
        ForwardPoint<float, Float32Ops, ViewBufferF>(p.X, new(input), new(grid), new(output), a, default);

    private static void ForwardD(Index1D p, ArrayView<double> input, ArrayView<double> grid, ArrayView<double> output, GridSampleArgs a) =>
        ForwardPoint<double, Float64Ops, ViewBufferD>(p.X, new(input), new(grid), new(output), a, default);

    private static void BackwardF(Index1D p, ArrayView<float> input, ArrayView<float> grid, ArrayView<float> gradOut,
        ArrayView<float> gradInput, ArrayView<float> gradGrid, GridSampleArgs a) =>
        BackwardPoint<float, Float32Ops, ViewBufferF>(p.X, new(input), new(grid), new(gradOut), new(gradInput), new(gradGrid), a, default);

    private static void BackwardD(Index1D p, ArrayView<double> input, ArrayView<double> grid, ArrayView<double> gradOut,
        ArrayView<double> gradInput, ArrayView<double> gradGrid, GridSampleArgs a) =>
        BackwardPoint<double, Float64Ops, ViewBufferD>(p.X, new(input), new(grid), new(gradOut), new(gradInput), new(gradGrid), a, default);

    /// <summary>Thread p = n points + q: the axes' constants are rebuilt per thread (a few flops), the rest is the CPU's per-point code.</summary>
    private static void ForwardPoint<T, TS, TB>(long p, TB input, TB grid, TB output, GridSampleArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long points = (long)a.OutD * a.OutH * a.OutW;
        long n = p / points, q = p % points;
        long inBase = n * a.C * a.InD * a.InH * a.InW, outBase = n * a.C * points + q;
        var ax = GridAxis<T>.Of(a.InW, a, ts);
        var ay = GridAxis<T>.Of(a.InH, a, ts);
        if (a.Volumetric != 0)
        {
            var az = GridAxis<T>.Of(a.InD, a, ts);
            GridSamplePoint3d.Forward(input, output, grid.Get(p * 3), grid.Get(p * 3 + 1), grid.Get(p * 3 + 2), inBase, outBase, ax, ay, az, a, ts);
        }
        else
            GridSamplePoint2d.Forward(input, output, grid.Get(p * 2), grid.Get(p * 2 + 1), inBase, outBase, ax, ay, a, ts);
    }

    private static void BackwardPoint<T, TS, TB>(long p, TB input, TB grid, TB gradOut, TB gradInput, TB gradGrid, GridSampleArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long points = (long)a.OutD * a.OutH * a.OutW;
        long n = p / points, q = p % points;
        long inBase = n * a.C * a.InD * a.InH * a.InW, outBase = n * a.C * points + q;
        var ax = GridAxis<T>.Of(a.InW, a, ts);
        var ay = GridAxis<T>.Of(a.InH, a, ts);
        if (a.Volumetric != 0)
        {
            var az = GridAxis<T>.Of(a.InD, a, ts);
            GridSamplePoint3d.Backward(input, gradOut, gradInput, grid.Get(p * 3), grid.Get(p * 3 + 1), grid.Get(p * 3 + 2), inBase, outBase, ax, ay, az, a, ts,
                out T gx, out T gy, out T gz);
            gradGrid.Set(p * 3, gx);
            gradGrid.Set(p * 3 + 1, gy);
            gradGrid.Set(p * 3 + 2, gz);
        }
        else
        {
            GridSamplePoint2d.Backward(input, gradOut, gradInput, grid.Get(p * 2), grid.Get(p * 2 + 1), inBase, outBase, ax, ay, a, ts, out T gx, out T gy);
            gradGrid.Set(p * 2, gx);
            gradGrid.Set(p * 2 + 1, gy);
        }
    }
}
