using System.Numerics;

namespace Framework;

/// <summary>
/// CPU loops of grid_sample around the shared per-point code: the forward is parallel over every output
/// point (n, q); the backward over the batch (each thread owns its samples' slice of the input gradient),
/// or over every point when the input needs no gradient.
/// </summary>
internal static class GridSampleCpu
{
    public static void Forward(Tensor input, Tensor grid, Tensor output, GridSampleArgs a)
    {
        if (input.Device.IsIlgpu) { GridSampleGpu.Forward(input, grid, output, a); return; }
        if (input.DType == DType.Float32) Forward<float, Float32Ops>(input.Data<float>(), grid.Data<float>(), output.Data<float>(), a);
        else Forward<double, Float64Ops>(input.Data<double>(), grid.Data<double>(), output.Data<double>(), a);
    }

    public static void Backward(Tensor input, Tensor grid, Tensor gradOut, Tensor? gradInput, Tensor gradGrid, GridSampleArgs a)
    {
        if (input.Device.IsIlgpu) { GridSampleGpu.Backward(input, grid, gradOut, gradInput, gradGrid, a); return; }
        if (input.DType == DType.Float32)
            Backward<float, Float32Ops>(input.Data<float>(), grid.Data<float>(), gradOut.Data<float>(), gradInput?.Data<float>(), gradGrid.Data<float>(), a);
        else
            Backward<double, Float64Ops>(input.Data<double>(), grid.Data<double>(), gradOut.Data<double>(), gradInput?.Data<double>(), gradGrid.Data<double>(), a);
    }

    /// <summary>Rough cost of one output point over all channels, in simple operations (drives Par.For's split).</summary>
    private static long PointCost(GridSampleArgs a) =>
        20 + (long)a.C * (a.Mode == GridSampleMath.Bicubic ? 40 : a.Volumetric != 0 ? 24 : 8);

    private static void Forward<T, TS>(T[] input, T[] grid, T[] output, GridSampleArgs a)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        long points = (long)a.OutD * a.OutH * a.OutW;
        Par.For(a.N * points, PointCost(a), (s, e) =>
        {
            var inp = new ArrayBuffer<T>(input);
            var grd = new ArrayBuffer<T>(grid);
            var outp = new ArrayBuffer<T>(output);
            for (long p = s; p < e; p++)
            {
                int n = (int)(p / points), q = (int)(p % points);
                if (a.Volumetric != 0) GridSamplePoint3d.Forward<T, TS, ArrayBuffer<T>>(inp, grd, outp, n, q, a, default);
                else GridSamplePoint2d.Forward<T, TS, ArrayBuffer<T>>(inp, grd, outp, n, q, a, default);
            }
        });
    }

    private static void Backward<T, TS>(T[] input, T[] grid, T[] gradOut, T[]? gradInput, T[] gradGrid, GridSampleArgs a)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        long points = (long)a.OutD * a.OutH * a.OutW;
        var inp = new ArrayBuffer<T>(input);
        var grd = new ArrayBuffer<T>(grid);
        var go = new ArrayBuffer<T>(gradOut);
        var gi = new ArrayBuffer<T>(gradInput ?? input);   // unused unless a.NeedInputGrad
        var gg = new ArrayBuffer<T>(gradGrid);
        void Point(long p)
        {
            int n = (int)(p / points), q = (int)(p % points);
            if (a.Volumetric != 0) GridSamplePoint3d.Backward<T, TS, ArrayBuffer<T>>(inp, grd, go, gi, gg, n, q, a, default);
            else GridSamplePoint2d.Backward<T, TS, ArrayBuffer<T>>(inp, grd, go, gi, gg, n, q, a, default);
        }
        if (a.NeedInputGrad == 0)
        {
            Par.For(a.N * points, PointCost(a) * 2, (s, e) => { for (long p = s; p < e; p++) Point(p); });
            return;
        }
        Par.For(a.N, points * PointCost(a) * 2, (s, e) =>
        {
            for (long p = s * points; p < e * points; p++) Point(p);
        });
    }
}
