using System.Numerics;
using System.Runtime.CompilerServices;

namespace Framework;

/// <summary>
/// CPU loops of grid_sample around the shared per-point code, over rows of output points (no per-point index
/// division): the forward is parallel over all rows; the backward over the batch (each task owns its samples'
/// slice of the input gradient), or over all rows when the input needs no gradient.
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
        var ts = default(TS);
        var ax = GridAxis<T>.Of(a.InW, a, ts);
        var ay = GridAxis<T>.Of(a.InH, a, ts);
        var az = GridAxis<T>.Of(a.InD, a, ts);
        long rowsPerSample = (long)a.OutD * a.OutH;
        if (typeof(T) == typeof(float) && GridSampleSimd2d.Applies(a))
        {
            var (fx, fy) = (Unsafe.As<GridAxis<T>, GridAxis<float>>(ref ax), Unsafe.As<GridAxis<T>, GridAxis<float>>(ref ay));
            float[] fi = (float[])(object)input, fg = (float[])(object)grid, fo = (float[])(object)output;
            Par.For(a.N * rowsPerSample, a.OutW * PointCost(a) / 2, (r0, r1) => GridSampleSimd2d.ForwardRows(fi, fg, fo, a, fx, fy, r0, r1));
            return;
        }
        Par.For(a.N * rowsPerSample, a.OutW * PointCost(a), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
        {
            var inp = new ArrayBuffer<T>(input);
            var outp = new ArrayBuffer<T>(output);
            long inSize = (long)a.C * a.InD * a.InH * a.InW, outSize = (long)a.C * rowsPerSample * a.OutW;
            int dims = a.Volumetric != 0 ? 3 : 2;
            for (long r = r0; r < r1; r++)
            {
                long n = r / rowsPerSample, q0 = r % rowsPerSample * a.OutW;
                long inBase = n * inSize, outBase = n * outSize + q0, gp = (n * rowsPerSample * a.OutW + q0) * dims;
                for (int w = 0; w < a.OutW; w++, gp += dims)
                {
                    if (dims == 3)
                        GridSamplePoint3d.Forward(inp, outp, grid[gp], grid[gp + 1], grid[gp + 2], inBase, outBase + w, ax, ay, az, a, ts);
                    else
                        GridSamplePoint2d.Forward(inp, outp, grid[gp], grid[gp + 1], inBase, outBase + w, ax, ay, a, ts);
                }
            }
        });
    }

    private static void Backward<T, TS>(T[] input, T[] grid, T[] gradOut, T[]? gradInput, T[] gradGrid, GridSampleArgs a)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        var ts = default(TS);
        var ax = GridAxis<T>.Of(a.InW, a, ts);
        var ay = GridAxis<T>.Of(a.InH, a, ts);
        var az = GridAxis<T>.Of(a.InD, a, ts);
        long rowsPerSample = (long)a.OutD * a.OutH;
        long inSize = (long)a.C * a.InD * a.InH * a.InW, outSize = (long)a.C * rowsPerSample * a.OutW;
        int dims = a.Volumetric != 0 ? 3 : 2;
        var inp = new ArrayBuffer<T>(input);
        var go = new ArrayBuffer<T>(gradOut);
        var gi = new ArrayBuffer<T>(gradInput ?? input);   // unused unless a.NeedInputGrad

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Rows(long r0, long r1)
        {
            for (long r = r0; r < r1; r++)
            {
                long n = r / rowsPerSample, q0 = r % rowsPerSample * a.OutW;
                long inBase = n * inSize, outBase = n * outSize + q0, gp = (n * rowsPerSample * a.OutW + q0) * dims;
                for (int w = 0; w < a.OutW; w++, gp += dims)
                {
                    if (dims == 3)
                    {
                        GridSamplePoint3d.Backward(inp, go, gi, grid[gp], grid[gp + 1], grid[gp + 2], inBase, outBase + w, ax, ay, az, a, ts,
                            out gradGrid[gp], out gradGrid[gp + 1], out gradGrid[gp + 2]);
                    }
                    else
                        GridSamplePoint2d.Backward(inp, go, gi, grid[gp], grid[gp + 1], inBase, outBase + w, ax, ay, a, ts, out gradGrid[gp], out gradGrid[gp + 1]);
                }
            }
        }

        if (typeof(T) == typeof(float) && GridSampleSimd2d.Applies(a))
        {
            var (fx, fy) = (Unsafe.As<GridAxis<T>, GridAxis<float>>(ref ax), Unsafe.As<GridAxis<T>, GridAxis<float>>(ref ay));
            float[] fi = (float[])(object)input, fg = (float[])(object)grid, fo = (float[])(object)gradOut, fgg = (float[])(object)gradGrid;
            float[]? fgi = a.NeedInputGrad != 0 ? (float[])(object)gradInput! : null;
            if (fgi is null)
                Par.For(a.N * rowsPerSample, a.OutW * PointCost(a), (r0, r1) => GridSampleSimd2d.BackwardRows(fi, fg, fo, null, fgg, a, fx, fy, r0, r1));
            else
                Par.For(a.N, rowsPerSample * a.OutW * PointCost(a),
                    (n0, n1) => GridSampleSimd2d.BackwardRows(fi, fg, fo, fgi, fgg, a, fx, fy, n0 * rowsPerSample, n1 * rowsPerSample));
            return;
        }
        if (a.NeedInputGrad == 0)
        {
            Par.For(a.N * rowsPerSample, a.OutW * PointCost(a) * 2, Rows);
            return;
        }
        Par.For(a.N, rowsPerSample * a.OutW * PointCost(a) * 2, (n0, n1) => Rows(n0 * rowsPerSample, n1 * rowsPerSample));
    }
}
