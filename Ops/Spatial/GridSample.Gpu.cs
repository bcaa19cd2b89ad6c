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

    private static void ForwardF(Index1D p, ArrayView<float> input, ArrayView<float> grid, ArrayView<float> output, GridSampleArgs a)
    {
        long points = (long)a.OutD * a.OutH * a.OutW;
        int n = (int)(p / points), q = (int)(p % points);
        if (a.Volumetric != 0)
            GridSamplePoint3d.Forward<float, Float32Ops, ViewBufferF>(new(input), new(grid), new(output), n, q, a, default);
        else
            GridSamplePoint2d.Forward<float, Float32Ops, ViewBufferF>(new(input), new(grid), new(output), n, q, a, default);
    }

    private static void ForwardD(Index1D p, ArrayView<double> input, ArrayView<double> grid, ArrayView<double> output, GridSampleArgs a)
    {
        long points = (long)a.OutD * a.OutH * a.OutW;
        int n = (int)(p / points), q = (int)(p % points);
        if (a.Volumetric != 0)
            GridSamplePoint3d.Forward<double, Float64Ops, ViewBufferD>(new(input), new(grid), new(output), n, q, a, default);
        else
            GridSamplePoint2d.Forward<double, Float64Ops, ViewBufferD>(new(input), new(grid), new(output), n, q, a, default);
    }

    private static void BackwardF(Index1D p, ArrayView<float> input, ArrayView<float> grid, ArrayView<float> gradOut,
        ArrayView<float> gradInput, ArrayView<float> gradGrid, GridSampleArgs a)
    {
        long points = (long)a.OutD * a.OutH * a.OutW;
        int n = (int)(p / points), q = (int)(p % points);
        if (a.Volumetric != 0)
            GridSamplePoint3d.Backward<float, Float32Ops, ViewBufferF>(new(input), new(grid), new(gradOut), new(gradInput), new(gradGrid), n, q, a, default);
        else
            GridSamplePoint2d.Backward<float, Float32Ops, ViewBufferF>(new(input), new(grid), new(gradOut), new(gradInput), new(gradGrid), n, q, a, default);
    }

    private static void BackwardD(Index1D p, ArrayView<double> input, ArrayView<double> grid, ArrayView<double> gradOut,
        ArrayView<double> gradInput, ArrayView<double> gradGrid, GridSampleArgs a)
    {
        long points = (long)a.OutD * a.OutH * a.OutW;
        int n = (int)(p / points), q = (int)(p % points);
        if (a.Volumetric != 0)
            GridSamplePoint3d.Backward<double, Float64Ops, ViewBufferD>(new(input), new(grid), new(gradOut), new(gradInput), new(gradGrid), n, q, a, default);
        else
            GridSamplePoint2d.Backward<double, Float64Ops, ViewBufferD>(new(input), new(grid), new(gradOut), new(gradInput), new(gradGrid), n, q, a, default);
    }
}
