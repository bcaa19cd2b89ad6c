using System.Numerics;
using System.Runtime.CompilerServices;
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
    /// <summary>Output point at grid value (gx, gy, gz): inBase = n C D H W, outBase = n C D_out H_out W_out + q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<T, TS, TB>(TB input, TB output, T gx, T gy, T gz, long inBase, long outBase, in GridAxis<T> ax, in GridAxis<T> ay, in GridAxis<T> az, in GridSampleArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long inS = (long)a.InD * a.InH * a.InW, outS = (long)a.OutD * a.OutH * a.OutW;
        T sx = Source(gx, ax), sy = Source(gy, ay), sz = Source(gz, az);
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

    /// <summary>Adds this point's share to gradInput (when a.NeedInputGrad) and returns its grid gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<T, TS, TB>(TB input, TB gradOut, TB gradInput, T gx, T gy, T gz, long inBase, long outBase,
        in GridAxis<T> ax, in GridAxis<T> ay, in GridAxis<T> az, in GridSampleArgs a, TS ts, out T gradX, out T gradY, out T gradZ)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long inS = (long)a.InD * a.InH * a.InW, outS = (long)a.OutD * a.OutH * a.OutW;
        if (a.Mode == Nearest)
        {
            if (a.NeedInputGrad != 0)
            {
                T sx = Source(gx, ax), sy = Source(gy, ay), sz = Source(gz, az);
                long o = Offset3(ts.ToIndex(T.Round(sz)), ts.ToIndex(T.Round(sy)), ts.ToIndex(T.Round(sx)), a);
                if (o >= 0)
                    for (int c = 0; c < a.C; c++)
                        gradInput.Add(inBase + c * inS + o, gradOut.Get(outBase + c * outS));
            }
            gradX = gradY = gradZ = T.Zero;
            return;
        }
        T px = SourceGrad(gx, ax, out T mx);
        T py = SourceGrad(gy, ay, out T my);
        T pz = SourceGrad(gz, az, out T mz);
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
        gradX = accX * mx;
        gradY = accY * my;
        gradZ = accZ * mz;
    }

    /// <summary>The weight factor along one axis: 1 - f for the lower corner, f for the upper.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Frac<T>(T f, int upper) where T : unmanaged, IFloatingPointIeee754<T> => upper != 0 ? f : T.One - f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Sign<T>(int upper) where T : unmanaged, IFloatingPointIeee754<T> => upper != 0 ? T.One : -T.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Offset3(int z, int y, int x, in GridSampleArgs a) =>
        (uint)z < (uint)a.InD && (uint)y < (uint)a.InH && (uint)x < (uint)a.InW ? ((long)z * a.InH + y) * a.InW + x : -1;
}
