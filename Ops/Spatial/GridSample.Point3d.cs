using System.Numerics;
using static Framework.GridSampleMath;

namespace Framework;

/// <summary>
/// grid_sample on a 5-D input, one output point (n, q) at a time over every channel; shared by the CPU loops
/// and the ILGPU kernels. Layouts: input (N, C, D, H, W), grid (N, D_out, H_out, W_out, 3) holding (x, y, z),
/// output (N, C, D_out, H_out, W_out). Formulas follow PyTorch's scalar 3-D kernel (native/GridSampler.cpp).
/// Corner k of the trilinear cell is (x0 + (k &amp; 1), y0 + (k &gt;&gt; 1 &amp; 1), z0 + (k &gt;&gt; 2)).
/// </summary>
internal static class GridSamplePoint3d
{
    public static void Forward<T, TS, TB>(TB input, TB grid, TB output, int n, int q, GridSampleArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long inS = (long)a.InD * a.InH * a.InW, outS = (long)a.OutD * a.OutH * a.OutW;
        long gp = ((long)n * outS + q) * 3;
        long inBase = (long)n * a.C * inS, outBase = (long)n * a.C * outS + q;
        T sx = Source(grid.Get(gp), a.InW, a, ts), sy = Source(grid.Get(gp + 1), a.InH, a, ts), sz = Source(grid.Get(gp + 2), a.InD, a, ts);
        if (a.Mode == Nearest)
        {
            long o = Offset3(ts.ToIndex(T.Round(sz)), ts.ToIndex(T.Round(sy)), ts.ToIndex(T.Round(sx)), a);
            for (int c = 0; c < a.C; c++)
                output.Set(outBase + c * outS, o < 0 ? T.Zero : input.Get(inBase + c * inS + o));
            return;
        }
        T x0 = T.Floor(sx), y0 = T.Floor(sy), z0 = T.Floor(sz);
        int ix = ts.ToIndex(x0), iy = ts.ToIndex(y0), iz = ts.ToIndex(z0);
        T fx = sx - x0, fy = sy - y0, fz = sz - z0;
        for (int c = 0; c < a.C; c++)
        {
            long plane = inBase + c * inS;
            T v = T.Zero;
            for (int k = 0; k < 8; k++)
            {
                int dx = k & 1, dy = (k >> 1) & 1, dz = k >> 2;
                long o = Offset3(iz + dz, iy + dy, ix + dx, a);
                T w = Frac(fx, dx) * Frac(fy, dy) * Frac(fz, dz);
                v += (o < 0 ? T.Zero : input.Get(plane + o)) * w;
            }
            output.Set(outBase + c * outS, v);
        }
    }

    public static void Backward<T, TS, TB>(TB input, TB grid, TB gradOut, TB gradInput, TB gradGrid, int n, int q, GridSampleArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long inS = (long)a.InD * a.InH * a.InW, outS = (long)a.OutD * a.OutH * a.OutW;
        long gp = ((long)n * outS + q) * 3;
        long inBase = (long)n * a.C * inS, outBase = (long)n * a.C * outS + q;
        if (a.Mode == Nearest)
        {
            if (a.NeedInputGrad != 0)
            {
                T sx = Source(grid.Get(gp), a.InW, a, ts), sy = Source(grid.Get(gp + 1), a.InH, a, ts), sz = Source(grid.Get(gp + 2), a.InD, a, ts);
                long o = Offset3(ts.ToIndex(T.Round(sz)), ts.ToIndex(T.Round(sy)), ts.ToIndex(T.Round(sx)), a);
                if (o >= 0)
                    for (int c = 0; c < a.C; c++)
                        gradInput.Add(inBase + c * inS + o, gradOut.Get(outBase + c * outS));
            }
            gradGrid.Set(gp, T.Zero);
            gradGrid.Set(gp + 1, T.Zero);
            gradGrid.Set(gp + 2, T.Zero);
            return;
        }
        T px = SourceGrad(grid.Get(gp), a.InW, a, ts, out T mx);
        T py = SourceGrad(grid.Get(gp + 1), a.InH, a, ts, out T my);
        T pz = SourceGrad(grid.Get(gp + 2), a.InD, a, ts, out T mz);
        T x0 = T.Floor(px), y0 = T.Floor(py), z0 = T.Floor(pz);
        int ix = ts.ToIndex(x0), iy = ts.ToIndex(y0), iz = ts.ToIndex(z0);
        T fx = px - x0, fy = py - y0, fz = pz - z0;
        T accX = T.Zero, accY = T.Zero, accZ = T.Zero;
        for (int c = 0; c < a.C; c++)
        {
            long plane = inBase + c * inS;
            T go = gradOut.Get(outBase + c * outS);
            for (int k = 0; k < 8; k++)
            {
                int dx = k & 1, dy = (k >> 1) & 1, dz = k >> 2;
                long o = Offset3(iz + dz, iy + dy, ix + dx, a);
                T wx = Frac(fx, dx), wy = Frac(fy, dy), wz = Frac(fz, dz);
                if (a.NeedInputGrad != 0 && o >= 0) gradInput.Add(plane + o, wx * wy * wz * go);
                T v = (o < 0 ? T.Zero : input.Get(plane + o)) * go;
                // floor rule: d/dx of the weight of corner x0 + dx is -1 for dx = 0 and +1 for dx = 1
                accX += Sign<T>(dx) * v * wy * wz;
                accY += Sign<T>(dy) * v * wx * wz;
                accZ += Sign<T>(dz) * v * wx * wy;
            }
        }
        gradGrid.Set(gp, accX * mx);
        gradGrid.Set(gp + 1, accY * my);
        gradGrid.Set(gp + 2, accZ * mz);
    }

    /// <summary>The weight factor along one axis: 1 - f for the lower corner, f for the upper.</summary>
    private static T Frac<T>(T f, int upper) where T : unmanaged, IFloatingPointIeee754<T> => upper != 0 ? f : T.One - f;

    private static T Sign<T>(int upper) where T : unmanaged, IFloatingPointIeee754<T> => upper != 0 ? T.One : -T.One;

    private static long Offset3(int z, int y, int x, GridSampleArgs a) =>
        (uint)z < (uint)a.InD && (uint)y < (uint)a.InH && (uint)x < (uint)a.InW ? ((long)z * a.InH + y) * a.InW + x : -1;
}
