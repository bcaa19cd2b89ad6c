using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>ILGPU kernels of affine_grid: one thread per grid value forward, one per theta entry backward (a sum over the points, no atomics).</summary>
internal static class AffineGridGpu
{
    public static void Forward(Tensor theta, Tensor coords, Tensor grid, AffineGridArgs a)
    {
        if (grid.Numel == 0) return;
        if (theta.DType == DType.Float32) Launch<float>(theta, coords, grid, a, forward: true);
        else Launch<double>(theta, coords, grid, a, forward: true);
    }

    public static void Backward(Tensor g, Tensor coords, Tensor gradTheta, AffineGridArgs a)
    {
        if (gradTheta.Numel == 0) return;
        if (g.DType == DType.Float32) Launch<float>(g, coords, gradTheta, a, forward: false);
        else Launch<double>(g, coords, gradTheta, a, forward: false);
    }

    private static void Launch<T>(Tensor src, Tensor coords, Tensor dst, AffineGridArgs a, bool forward) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var acc = Gpu.Acc(src);
        if (forward)
            KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, AffineGridArgs>(acc, ForwardKernel<T>)(
                Gpu.Int(dst.Numel), src.View<T>(), coords.View<T>(), dst.View<T>(), a);
        else
            KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, AffineGridArgs>(acc, BackwardKernel<T>)(
                Gpu.Int(dst.Numel), src.View<T>(), coords.View<T>(), dst.View<T>(), a);
    }

    /// <summary>Base coordinate k of point p (p = (d * H + h) * W + w): x_w, y_h, z_d (5-D only), then 1.</summary>
    private static T Base<T>(ArrayView<T> coords, long p, int k, AffineGridArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = (int)(p % a.W), h = (int)(p / a.W % a.H), d = (int)(p / ((long)a.W * a.H));
        if (k == 0) return coords[w];
        if (k == 1) return coords[a.W + h];
        if (k == 2 && a.Volumetric != 0) return coords[a.W + a.H + d];
        return T.One;
    }

    private static void ForwardKernel<T>(Index1D i, ArrayView<T> theta, ArrayView<T> coords, ArrayView<T> grid, AffineGridArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = a.Rows, cols = a.Cols;
        long points = a.Points;
        long n = i / (points * rows), rem = i % (points * rows);
        long p = rem / rows;
        int r = (int)(rem % rows);
        long t = (n * rows + r) * cols;
        T v = T.Zero;
        for (int k = 0; k < cols; k++) v += theta[t + k] * Base(coords, p, k, a);
        grid[i] = v;
    }

    private static void BackwardKernel<T>(Index1D i, ArrayView<T> g, ArrayView<T> coords, ArrayView<T> gradTheta, AffineGridArgs a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = a.Rows, cols = a.Cols;
        long points = a.Points;
        long n = i / (rows * cols);
        int r = (int)(i % (rows * cols) / cols), k = (int)(i % cols);
        T s = T.Zero;
        for (long p = 0; p < points; p++) s += g[(n * points + p) * rows + r] * Base(coords, p, k, a);
        gradTheta[i] = s;
    }
}
