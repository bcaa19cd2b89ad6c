using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Framework.GridSampleMath;

namespace Framework;

/// <summary>
/// The CPU's fast path for float32 bilinear grid_sample on 4-D inputs (what a spatial transformer runs), 8 output
/// points per step with AVX2, as PyTorch's vectorised kernel does: the coordinates, padding and gradient factors,
/// corner masks and weights in vectors, the four corners read with masked gathers (a masked lane reads nothing
/// and counts 0), the floor-rule grid gradient in vectors, the input gradient scattered lane by lane. Values are
/// computed with the same operations in the same order as <see cref="GridSamplePoint2d"/> (the tails of rows use
/// it), so both paths and the ILGPU kernels agree; only the order of the input-gradient additions differs.
/// </summary>
internal static unsafe class GridSampleSimd2d
{
    /// <summary>Off switch for comparing the two paths.</summary>
    internal static bool Enabled = true;

    public static bool Applies(GridSampleArgs a) =>
        Enabled && Avx2.IsSupported && a.Volumetric == 0 && a.Mode == GridSampleMath.Bilinear && (long)a.InH * a.InW < int.MaxValue;   // 32-bit gather offsets

    private static readonly Vector256<int> Even = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);

    /// <summary>Corners of 8 points: flat offsets of nw (others are +1, +W, +W+1), lane masks, weights and side distances.</summary>
    private struct Cell
    {
        public Vector256<int> Nw;
        public Vector256<float> MNw, MNe, MSw, MSe;   // all-ones where the corner is inside the image
        public Vector256<float> WNw, WNe, WSw, WSe;
        public Vector256<float> E, W, S, N;
        public Vector256<float> MultX, MultY;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardRows(float[] input, float[] grid, float[] output, GridSampleArgs a, GridAxis<float> ax, GridAxis<float> ay, long r0, long r1)
    {
        int w = a.OutW, vecEnd = w / 8 * 8;
        long inHW = (long)a.InH * a.InW, outHW = (long)a.OutH * w;
        var inp = new ArrayBuffer<float>(input);
        var outp = new ArrayBuffer<float>(output);
        fixed (float* pIn = input, pGrid = grid, pOut = output)
            for (long r = r0; r < r1; r++)
            {
                long n = r / a.OutH, q0 = r % a.OutH * w, gp = (n * outHW + q0) * 2;
                for (int j = 0; j < vecEnd; j += 8)
                {
                    var cell = Locate(pGrid + gp + 2 * j, a, ax, ay, withGrad: false);
                    var ne = cell.Nw + Vector256<int>.One;
                    var sw = cell.Nw + Vector256.Create(a.InW);
                    var se = sw + Vector256<int>.One;
                    for (int c = 0; c < a.C; c++)
                    {
                        float* plane = pIn + (n * a.C + c) * inHW;
                        var v = Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, cell.Nw, cell.MNw, 4) * cell.WNw
                              + Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, ne, cell.MNe, 4) * cell.WNe
                              + Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, sw, cell.MSw, 4) * cell.WSw
                              + Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, se, cell.MSe, 4) * cell.WSe;
                        v.Store(pOut + (n * a.C + c) * outHW + q0 + j);
                    }
                }
                for (int j = vecEnd; j < w; j++)
                    GridSamplePoint2d.Forward(inp, outp, grid[gp + 2 * j], grid[gp + 2 * j + 1], n * a.C * inHW, n * a.C * outHW + q0 + j, ax, ay, a, default(Float32Ops));
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardRows(float[] input, float[] grid, float[] gradOut, float[]? gradInput, float[] gradGrid, GridSampleArgs a,
        GridAxis<float> ax, GridAxis<float> ay, long r0, long r1)
    {
        int w = a.OutW, vecEnd = w / 8 * 8;
        long inHW = (long)a.InH * a.InW, outHW = (long)a.OutH * w;
        var inp = new ArrayBuffer<float>(input);
        var go = new ArrayBuffer<float>(gradOut);
        var gi = new ArrayBuffer<float>(gradInput ?? input);
        int* offsets = stackalloc int[8];
        float* shares = stackalloc float[32];
        fixed (float* pIn = input, pGrid = grid, pGo = gradOut, pGg = gradGrid)
            for (long r = r0; r < r1; r++)
            {
                long n = r / a.OutH, q0 = r % a.OutH * w, gp = (n * outHW + q0) * 2;
                for (int j = 0; j < vecEnd; j += 8)
                {
                    var cell = Locate(pGrid + gp + 2 * j, a, ax, ay, withGrad: true);
                    var ne = cell.Nw + Vector256<int>.One;
                    var sw = cell.Nw + Vector256.Create(a.InW);
                    var se = sw + Vector256<int>.One;
                    Vector256<float> accX = Vector256<float>.Zero, accY = Vector256<float>.Zero;
                    if (gradInput is not null) cell.Nw.Store(offsets);
                    for (int c = 0; c < a.C; c++)
                    {
                        long planeAt = (n * a.C + c) * inHW;
                        float* plane = pIn + planeAt;
                        var g = Vector256.Load(pGo + (n * a.C + c) * outHW + q0 + j);
                        if (gradInput is not null)
                        {
                            (cell.WNw * g).Store(shares);
                            (cell.WNe * g).Store(shares + 8);
                            (cell.WSw * g).Store(shares + 16);
                            (cell.WSe * g).Store(shares + 24);
                            Scatter(gradInput, planeAt, offsets, shares, cell, a.InW);
                        }
                        var vnw = Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, cell.Nw, cell.MNw, 4);
                        var vne = Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, ne, cell.MNe, 4);
                        var vsw = Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, sw, cell.MSw, 4);
                        var vse = Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, se, cell.MSe, 4);
                        accX += ((vne - vnw) * cell.S + (vse - vsw) * cell.N) * g;
                        accY += ((vsw - vnw) * cell.E + (vse - vne) * cell.W) * g;
                    }
                    // interleave (x, y) of the 8 points into the grid gradient
                    var gx = accX * cell.MultX;
                    var gy = accY * cell.MultY;
                    var lo = Avx.UnpackLow(gx, gy);
                    var hi = Avx.UnpackHigh(gx, gy);
                    Avx.Permute2x128(lo, hi, 0x20).Store(pGg + gp + 2 * j);
                    Avx.Permute2x128(lo, hi, 0x31).Store(pGg + gp + 2 * j + 8);
                }
                for (int j = vecEnd; j < w; j++)
                {
                    GridSamplePoint2d.Backward(inp, go, gi, grid[gp + 2 * j], grid[gp + 2 * j + 1], n * a.C * inHW, n * a.C * outHW + q0 + j, ax, ay, a, default(Float32Ops),
                        out gradGrid[gp + 2 * j], out gradGrid[gp + 2 * j + 1]);
                }
            }
    }

    /// <summary>gradInput[plane + corner offset] += share, lane by lane, for the corners inside the image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scatter(float[] gradInput, long planeAt, int* nwOffsets, float* shares, in Cell cell, int width)
    {
        int mNw = Avx.MoveMask(cell.MNw), mNe = Avx.MoveMask(cell.MNe), mSw = Avx.MoveMask(cell.MSw), mSe = Avx.MoveMask(cell.MSe);
        for (int l = 0; l < 8; l++)
        {
            long o = planeAt + nwOffsets[l];
            if ((mNw >> l & 1) != 0) gradInput[o] += shares[l];
            if ((mNe >> l & 1) != 0) gradInput[o + 1] += shares[8 + l];
            if ((mSw >> l & 1) != 0) gradInput[o + width] += shares[16 + l];
            if ((mSe >> l & 1) != 0) gradInput[o + width + 1] += shares[24 + l];
        }
    }

    /// <summary>Vector form of Source / SourceGrad and Corners.Of for the 8 points whose (x, y) start at xy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Cell Locate(float* xy, GridSampleArgs a, in GridAxis<float> ax, in GridAxis<float> ay, bool withGrad)
    {
        var cell = new Cell { MultX = Vector256.Create(ax.Scale), MultY = Vector256.Create(ay.Scale) };
        var sx = Source(Avx2.GatherVector256(xy, Even, 4), ax, withGrad, ref cell.MultX);
        var sy = Source(Avx2.GatherVector256(xy + 1, Even, 4), ay, withGrad, ref cell.MultY);
        var x0 = Vector256.Floor(sx);
        var y0 = Vector256.Floor(sy);
        cell.W = sx - x0; cell.E = Vector256<float>.One - cell.W;
        cell.N = sy - y0; cell.S = Vector256<float>.One - cell.N;
        cell.WNw = cell.S * cell.E; cell.WNe = cell.S * cell.W; cell.WSw = cell.N * cell.E; cell.WSe = cell.N * cell.W;
        float iw = a.InW, ih = a.InH;
        // corner masks in float: false for NaN and for values beyond int range
        var inX0 = Vector256.GreaterThanOrEqual(x0, Vector256<float>.Zero) & Vector256.LessThan(x0, Vector256.Create(iw));
        var inX1 = Vector256.GreaterThanOrEqual(x0, Vector256.Create(-1f)) & Vector256.LessThan(x0, Vector256.Create(iw - 1));
        var inY0 = Vector256.GreaterThanOrEqual(y0, Vector256<float>.Zero) & Vector256.LessThan(y0, Vector256.Create(ih));
        var inY1 = Vector256.GreaterThanOrEqual(y0, Vector256.Create(-1f)) & Vector256.LessThan(y0, Vector256.Create(ih - 1));
        cell.MNw = inY0 & inX0; cell.MNe = inY0 & inX1; cell.MSw = inY1 & inX0; cell.MSe = inY1 & inX1;
        var ix = Vector256.ConvertToInt32(Vector256.ConditionalSelect(inX0 | inX1, x0, Vector256<float>.Zero));
        var iy = Vector256.ConvertToInt32(Vector256.ConditionalSelect(inY0 | inY1, y0, Vector256<float>.Zero));
        cell.Nw = iy * Vector256.Create(a.InW) + ix;
        return cell;
    }

    /// <summary>Vector form of <see cref="GridSampleMath.Source{T}"/> / <see cref="GridSampleMath.SourceGrad{T}"/>; grad enters as the scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Source(Vector256<float> x, in GridAxis<float> g, bool withGrad, ref Vector256<float> grad)
    {
        var u = ((x + Vector256<float>.One) * Vector256.Create(g.A) - Vector256.Create(g.B)) * Vector256.Create(g.C);
        if (g.Padding == Zeros) return u;
        if (g.Padding == Reflection)
        {
            if (g.NoSpan != 0) { grad = Vector256<float>.Zero; u = Vector256<float>.Zero; }
            else
            {
                var low = Vector256.Create(g.Low);
                var span = Vector256.Create(g.TwiceSpan);
                var shifted = u - low;
                var abs = Vector256.Abs(shifted);
                var extra = abs - Vector256.Floor(abs / span) * span;
                var reflected = span - extra;
                var flip = Vector256.GreaterThan(extra, reflected);
                var negative = Vector256.LessThan(shifted, Vector256<float>.Zero);
                grad = Vector256.ConditionalSelect(flip ^ negative, -grad, grad);
                u = Vector256.ConditionalSelect(flip, reflected, extra) + low;
            }
        }
        var max = Vector256.Create(g.Max);
        if (!withGrad)   // Clip: NaN becomes 0
            return Vector256.ConditionalSelect(Vector256.GreaterThan(u, Vector256<float>.Zero), Vector256.ConditionalSelect(Vector256.LessThan(u, max), u, max), Vector256<float>.Zero);
        var below = Vector256.LessThanOrEqual(u, Vector256<float>.Zero);
        var above = Vector256.GreaterThanOrEqual(u, max);
        grad = Vector256.ConditionalSelect(below | above, Vector256<float>.Zero, grad);
        return Vector256.ConditionalSelect(below, Vector256<float>.Zero, Vector256.ConditionalSelect(above, max, u));
    }
}
