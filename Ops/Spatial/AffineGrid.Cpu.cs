using System.Numerics;
using System.Runtime.CompilerServices;

namespace Framework;

/// <summary>Sizes of one affine_grid call (ints only: also an ILGPU kernel parameter).</summary>
internal struct AffineGridArgs
{
    public int N, D, H, W;
    public int Volumetric;   // 1 for 5-D sizes (theta N x 3 x 4)

    public readonly int Rows => Volumetric != 0 ? 3 : 2;
    public readonly int Cols => Volumetric != 0 ? 4 : 3;
    public readonly long Points => (long)D * H * W;
}

/// <summary>
/// affine_grid on the CPU: grid[n, p, r] = sum_k theta[n, r, k] * base_k(p) with base = (x_w, y_h[, z_d], 1);
/// the backward sums g[n, p, r] * base_k(p) over the points p of each sample.
/// </summary>
internal static class AffineGridCpu
{
    /// <summary>
    /// x coordinates (W of them), then y (H), then z (D): PyTorch's linspace_from_neg_one, computed in double
    /// as at::linspace does (from the start below the middle, from the end above it), times (n - 1) / n
    /// without align_corners; a single step is 0.
    /// </summary>
    public static Tensor BaseCoordinates(AffineGridArgs a, bool alignCorners, DType dtype, Device device)
    {
        var values = new List<double>();
        foreach (int n in new[] { a.W, a.H, a.D })
        {
            if (n <= 1) { values.Add(0); continue; }
            double step = 2.0 / (n - 1);
            for (int i = 0; i < n; i++)
            {
                double v = i < n / 2 ? -1 + step * i : 1 - step * (n - i - 1);
                values.Add(alignCorners ? v : v * (n - 1) / n);
            }
        }
        return Tensor.FromDoubles(values.ToArray(), new Shape(values.Count), dtype, device);
    }

    public static void Forward(Tensor theta, Tensor coords, Tensor grid, AffineGridArgs a)
    {
        if (theta.Device.IsIlgpu) { AffineGridGpu.Forward(theta, coords, grid, a); return; }
        if (theta.DType == DType.Float32) Forward(theta.Data<float>(), coords.Data<float>(), grid.Data<float>(), a);
        else Forward(theta.Data<double>(), coords.Data<double>(), grid.Data<double>(), a);
    }

    public static void Backward(Tensor g, Tensor coords, Tensor gradTheta, AffineGridArgs a)
    {
        if (g.Device.IsIlgpu) { AffineGridGpu.Backward(g, coords, gradTheta, a); return; }
        if (g.DType == DType.Float32) Backward(g.Data<float>(), coords.Data<float>(), gradTheta.Data<float>(), a);
        else Backward(g.Data<double>(), coords.Data<double>(), gradTheta.Data<double>(), a);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<T>(T[] theta, T[] coords, T[] grid, AffineGridArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long points = a.Points;
        int rows = a.Rows, cols = a.Cols, w = a.W, h = a.H, depth = a.D;
        bool volumetric = a.Volumetric != 0;
        Par.For(a.N, points * rows * cols, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (n0, n1) =>
        {
            for (long n = n0; n < n1; n++)
            {
                var th = new ReadOnlySpan<T>(theta, (int)(n * rows * cols), rows * cols);
                var o = new Span<T>(grid, (int)(n * points * rows), (int)(points * rows));
                int k = 0;
                if (!volumetric)
                {
                    T t0 = th[0], t1 = th[1], t2 = th[2], t3 = th[3], t4 = th[4], t5 = th[5];
                    for (int i = 0; i < h; i++)
                    {
                        T y = coords[w + i];
                        for (int j = 0; j < w; j++, k += 2)
                        {
                            T x = coords[j];
                            o[k] = t0 * x + t1 * y + t2;
                            o[k + 1] = t3 * x + t4 * y + t5;
                        }
                    }
                    continue;
                }
                for (int d = 0; d < depth; d++)
                    for (int i = 0; i < h; i++)
                    {
                        T y = coords[w + i], z = coords[w + h + d];
                        for (int j = 0; j < w; j++, k += 3)
                        {
                            T x = coords[j];
                            o[k] = th[0] * x + th[1] * y + th[2] * z + th[3];
                            o[k + 1] = th[4] * x + th[5] * y + th[6] * z + th[7];
                            o[k + 2] = th[8] * x + th[9] * y + th[10] * z + th[11];
                        }
                    }
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<T>(T[] g, T[] coords, T[] gradTheta, AffineGridArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long points = a.Points;
        int rows = a.Rows, cols = a.Cols, w = a.W, h = a.H, depth = a.D;
        bool volumetric = a.Volumetric != 0;
        Par.For(a.N, points * rows * cols, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (n0, n1) =>
        {
            for (long n = n0; n < n1; n++)
            {
                var gv = new ReadOnlySpan<T>(g, (int)(n * points * rows), (int)(points * rows));
                var dst = new Span<T>(gradTheta, (int)(n * rows * cols), rows * cols);
                int k = 0;
                if (!volumetric)
                {
                    // per output row r: sum g x, sum g y, sum g
                    T a0 = T.Zero, a1 = T.Zero, a2 = T.Zero, b0 = T.Zero, b1 = T.Zero, b2 = T.Zero;
                    for (int i = 0; i < h; i++)
                    {
                        T y = coords[w + i], rowX0 = T.Zero, rowX1 = T.Zero, sum0 = T.Zero, sum1 = T.Zero;
                        for (int j = 0; j < w; j++, k += 2)
                        {
                            T x = coords[j], g0 = gv[k], g1 = gv[k + 1];
                            rowX0 += g0 * x; rowX1 += g1 * x;
                            sum0 += g0; sum1 += g1;
                        }
                        a0 += rowX0; a1 += sum0 * y; a2 += sum0;
                        b0 += rowX1; b1 += sum1 * y; b2 += sum1;
                    }
                    dst[0] = a0; dst[1] = a1; dst[2] = a2; dst[3] = b0; dst[4] = b1; dst[5] = b2;
                    continue;
                }
                Span<T> acc = stackalloc T[12];
                acc.Clear();
                for (int d = 0; d < depth; d++)
                    for (int i = 0; i < h; i++)
                    {
                        T y = coords[w + i], z = coords[w + h + d];
                        for (int j = 0; j < w; j++, k += 3)
                        {
                            T x = coords[j];
                            for (int r = 0; r < 3; r++)
                            {
                                T gr = gv[k + r];
                                acc[4 * r] += gr * x;
                                acc[4 * r + 1] += gr * y;
                                acc[4 * r + 2] += gr * z;
                                acc[4 * r + 3] += gr;
                            }
                        }
                    }
                acc.CopyTo(dst);
            }
        });
    }
}
