using System.Numerics;
using static Framework.GridSampleMath;

namespace Framework;

/// <summary>
/// grid_sample on a 4-D input, one output point (n, q) at a time over every channel; shared by the CPU loops
/// and the ILGPU kernels. Layouts: input (N, C, H, W), grid (N, H_out, W_out, 2) holding (x, y), output
/// (N, C, H_out, W_out). Formulas follow PyTorch's vectorised CPU kernel (cpu/GridSamplerKernel.cpp).
/// </summary>
internal static class GridSamplePoint2d
{
    public static void Forward<T, TS, TB>(TB input, TB grid, TB output, int n, int q, GridSampleArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long inHW = (long)a.InH * a.InW, outHW = (long)a.OutH * a.OutW;
        long gp = ((long)n * outHW + q) * 2;
        long inBase = (long)n * a.C * inHW, outBase = (long)n * a.C * outHW + q;
        T gx = grid.Get(gp), gy = grid.Get(gp + 1);
        if (a.Mode == Bicubic)
        {
            T x = Unnormalize(gx, a.InW, a, ts), y = Unnormalize(gy, a.InH, a, ts);
            T fx = T.Floor(x), fy = T.Floor(y);
            var cx = CubicWeights(x - fx, ts);
            var cy = CubicWeights(y - fy, ts);
            var tx = Taps(fx, a.InW, a, ts);
            var ty = Taps(fy, a.InH, a, ts);
            for (int c = 0; c < a.C; c++)
            {
                long plane = inBase + c * inHW;
                T v = cy.W0 * Row(input, plane, ty.I0, tx, cx, a.InW)
                    + cy.W1 * Row(input, plane, ty.I1, tx, cx, a.InW)
                    + cy.W2 * Row(input, plane, ty.I2, tx, cx, a.InW)
                    + cy.W3 * Row(input, plane, ty.I3, tx, cx, a.InW);
                output.Set(outBase + c * outHW, v);
            }
            return;
        }
        T sx = Source(gx, a.InW, a, ts), sy = Source(gy, a.InH, a, ts);
        if (a.Mode == Nearest)
        {
            // T.Round rounds half to even, as PyTorch's nearbyint / _mm256_round_pd
            int o = Offset2(ts.ToIndex(T.Round(sy)), ts.ToIndex(T.Round(sx)), a.InH, a.InW);
            for (int c = 0; c < a.C; c++)
                output.Set(outBase + c * outHW, o < 0 ? T.Zero : input.Get(inBase + c * inHW + o));
            return;
        }
        var b = Corners<T, TS>.Of(sx, sy, a.InW, a.InH, ts);
        for (int c = 0; c < a.C; c++)
        {
            long plane = inBase + c * inHW;
            // masked corners read as zero and still multiply (a NaN weight gives NaN, as in PyTorch)
            T v = At<T, TB>(input, plane, b.Nw) * b.WNw + At<T, TB>(input, plane, b.Ne) * b.WNe + At<T, TB>(input, plane, b.Sw) * b.WSw + At<T, TB>(input, plane, b.Se) * b.WSe;
            output.Set(outBase + c * outHW, v);
        }
    }

    /// <summary>Adds this point's share to gradInput (when a.NeedInputGrad) and writes its grid gradient (floor rule at integer coordinates).</summary>
    public static void Backward<T, TS, TB>(TB input, TB grid, TB gradOut, TB gradInput, TB gradGrid, int n, int q, GridSampleArgs a, TS ts)
        where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> where TB : struct, IBuffer<T>
    {
        long inHW = (long)a.InH * a.InW, outHW = (long)a.OutH * a.OutW;
        long gp = ((long)n * outHW + q) * 2;
        long inBase = (long)n * a.C * inHW, outBase = (long)n * a.C * outHW + q;
        T gx = grid.Get(gp), gy = grid.Get(gp + 1);
        T accX = T.Zero, accY = T.Zero, multX, multY;
        if (a.Mode == Bicubic)
        {
            T x = Unnormalize(gx, a.InW, a, ts), y = Unnormalize(gy, a.InH, a, ts);
            // PyTorch's bicubic grid gradient is the weights' derivative times the unnormalisation scale only
            multX = Scale<T, TS>(a.InW, a.AlignCorners, ts);
            multY = Scale<T, TS>(a.InH, a.AlignCorners, ts);
            T fx = T.Floor(x), fy = T.Floor(y);
            var cx = CubicWeights(x - fx, ts);
            var cy = CubicWeights(y - fy, ts);
            var dx = CubicWeightsGrad(x - fx, ts);
            var dy = CubicWeightsGrad(y - fy, ts);
            var tx = Taps(fx, a.InW, a, ts);
            var ty = Taps(fy, a.InH, a, ts);
            for (int c = 0; c < a.C; c++)
            {
                long plane = inBase + c * inHW;
                T go = gradOut.Get(outBase + c * outHW);
                for (int j = 0; j < 4; j++)
                {
                    int row = ty.At(j);
                    T wy = cy.At(j), dwy = dy.At(j);
                    for (int i = 0; i < 4; i++)
                    {
                        int col = tx.At(i);
                        int o = row < 0 || col < 0 ? -1 : row * a.InW + col;
                        T wx = cx.At(i);
                        if (a.NeedInputGrad != 0 && o >= 0) gradInput.Add(plane + o, go * wx * wy);
                        T v = At<T, TB>(input, plane, o);
                        accX += v * go * dx.At(i) * wy;
                        accY += v * go * dwy * wx;
                    }
                }
            }
        }
        else if (a.Mode == Nearest)
        {
            if (a.NeedInputGrad != 0)
            {
                T sx = Source(gx, a.InW, a, ts), sy = Source(gy, a.InH, a, ts);
                int o = Offset2(ts.ToIndex(T.Round(sy)), ts.ToIndex(T.Round(sx)), a.InH, a.InW);
                if (o >= 0)
                    for (int c = 0; c < a.C; c++)
                        gradInput.Add(inBase + c * inHW + o, gradOut.Get(outBase + c * outHW));
            }
            multX = T.Zero;  // nearest is piecewise constant: zero gradient w.r.t. the grid, as PyTorch
            multY = T.Zero;
        }
        else
        {
            T sx = SourceGrad(gx, a.InW, a, ts, out multX), sy = SourceGrad(gy, a.InH, a, ts, out multY);
            var b = Corners<T, TS>.Of(sx, sy, a.InW, a.InH, ts);
            for (int c = 0; c < a.C; c++)
            {
                long plane = inBase + c * inHW;
                T go = gradOut.Get(outBase + c * outHW);
                if (a.NeedInputGrad != 0)
                {
                    if (b.Nw >= 0) gradInput.Add(plane + b.Nw, b.WNw * go);
                    if (b.Ne >= 0) gradInput.Add(plane + b.Ne, b.WNe * go);
                    if (b.Sw >= 0) gradInput.Add(plane + b.Sw, b.WSw * go);
                    if (b.Se >= 0) gradInput.Add(plane + b.Se, b.WSe * go);
                }
                T nw = At<T, TB>(input, plane, b.Nw), ne = At<T, TB>(input, plane, b.Ne), sw = At<T, TB>(input, plane, b.Sw), se = At<T, TB>(input, plane, b.Se);
                // floor rule: the derivative mixes only the corners at floor(x) and floor(x) + 1
                accX += ((ne - nw) * b.S + (se - sw) * b.N) * go;
                accY += ((sw - nw) * b.E + (se - ne) * b.W) * go;
            }
        }
        gradGrid.Set(gp, accX * multX);
        gradGrid.Set(gp + 1, accY * multY);
    }

    private static T At<T, TB>(TB buffer, long plane, int offset) where T : unmanaged, IFloatingPointIeee754<T> where TB : struct, IBuffer<T> =>
        offset < 0 ? T.Zero : buffer.Get(plane + offset);

    private static T Row<T, TB>(TB input, long plane, int row, Taps4 tx, Cubic4<T> cx, int w) where T : unmanaged, IFloatingPointIeee754<T> where TB : struct, IBuffer<T>
    {
        if (row < 0) return T.Zero;
        long r = plane + (long)row * w;
        return cx.W0 * (tx.I0 < 0 ? T.Zero : input.Get(r + tx.I0)) + cx.W1 * (tx.I1 < 0 ? T.Zero : input.Get(r + tx.I1))
             + cx.W2 * (tx.I2 < 0 ? T.Zero : input.Get(r + tx.I2)) + cx.W3 * (tx.I3 < 0 ? T.Zero : input.Get(r + tx.I3));
    }

    /// <summary>The padded indices of the four bicubic taps floor - 1 .. floor + 2 along one axis.</summary>
    public static Taps4 Taps<T, TS>(T floor, int size, GridSampleArgs a, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T one = T.One;
        return new Taps4 { I0 = Tap(floor - one, size, a, ts), I1 = Tap(floor, size, a, ts), I2 = Tap(floor + one, size, a, ts), I3 = Tap(floor + one + one, size, a, ts) };
    }
}

internal struct Taps4
{
    public int I0, I1, I2, I3;
    public readonly int At(int i) => i == 0 ? I0 : i == 1 ? I1 : i == 2 ? I2 : I3;
}

internal static class Cubic4Extensions
{
    public static T At<T>(this Cubic4<T> c, int i) where T : unmanaged => i == 0 ? c.W0 : i == 1 ? c.W1 : i == 2 ? c.W2 : c.W3;
}

/// <summary>The four bilinear corners of a pixel coordinate: offsets in the plane (-1 outside), fractions and weights.</summary>
internal struct Corners<T, TS> where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
{
    public int Nw, Ne, Sw, Se;
    public T W, E, N, S;            // distances to the west, east, north, south sides
    public T WNw, WNe, WSw, WSe;    // weights

    public static Corners<T, TS> Of(T x, T y, int w, int h, TS ts)
    {
        T x0 = T.Floor(x), y0 = T.Floor(y);
        int ix = ts.ToIndex(x0), iy = ts.ToIndex(y0);
        var b = new Corners<T, TS>();
        b.W = x - x0; b.E = T.One - b.W;
        b.N = y - y0; b.S = T.One - b.N;
        b.WNw = b.S * b.E; b.WNe = b.S * b.W; b.WSw = b.N * b.E; b.WSe = b.N * b.W;
        b.Nw = GridSampleMath.Offset2(iy, ix, h, w);
        b.Ne = GridSampleMath.Offset2(iy, ix + 1, h, w);
        b.Sw = GridSampleMath.Offset2(iy + 1, ix, h, w);
        b.Se = GridSampleMath.Offset2(iy + 1, ix + 1, h, w);
        return b;
    }
}
