using System.Numerics;

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

    private static void Forward<T>(T[] theta, T[] coords, T[] grid, AffineGridArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long points = a.Points;
        int rows = a.Rows, cols = a.Cols;
        Par.For(a.N, points * rows * cols, (n0, n1) =>
        {
            for (long n = n0; n < n1; n++)
            {
                int th = (int)(n * rows * cols);
                long o = n * points * rows;
                for (int d = 0; d < a.D; d++)
                    for (int h = 0; h < a.H; h++)
                    {
                        T y = coords[a.W + h], z = coords[a.W + a.H + d];
                        for (int w = 0; w < a.W; w++, o += rows)
                        {
                            T x = coords[w];
                            for (int r = 0; r < rows; r++)
                            {
                                int t = th + r * cols;
                                grid[o + r] = a.Volumetric != 0
                                    ? theta[t] * x + theta[t + 1] * y + theta[t + 2] * z + theta[t + 3]
                                    : theta[t] * x + theta[t + 1] * y + theta[t + 2];
                            }
                        }
                    }
            }
        });
    }

    private static void Backward<T>(T[] g, T[] coords, T[] gradTheta, AffineGridArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long points = a.Points;
        int rows = a.Rows, cols = a.Cols;
        Par.For(a.N, points * rows * cols, (n0, n1) =>
        {
            Span<T> acc = stackalloc T[12];
            for (long n = n0; n < n1; n++)
            {
                acc.Clear();
                long o = n * points * rows;
                for (int d = 0; d < a.D; d++)
                    for (int h = 0; h < a.H; h++)
                    {
                        T y = coords[a.W + h], z = coords[a.W + a.H + d];
                        for (int w = 0; w < a.W; w++, o += rows)
                        {
                            T x = coords[w];
                            for (int r = 0; r < rows; r++)
                            {
                                T gv = g[o + r];
                                int t = r * cols;
                                acc[t] += gv * x;
                                acc[t + 1] += gv * y;
                                if (a.Volumetric != 0) { acc[t + 2] += gv * z; acc[t + 3] += gv; }
                                else acc[t + 2] += gv;
                            }
                        }
                    }
                acc[..(rows * cols)].CopyTo(gradTheta.AsSpan((int)(n * rows * cols), rows * cols));
            }
        });
    }
}
