namespace Framework;

/// <summary>torch.nn.functional.affine_grid: the sampling grid of a batch of affine maps (spatial transformer networks).</summary>
public static partial class F
{
    /// <summary>
    /// The grid that <see cref="GridSample"/> reads for affine maps <paramref name="theta"/>: (N, 2, 3) for a
    /// size (N, C, H, W), giving (N, H, W, 2); (N, 3, 4) for a size (N, C, D, H, W), giving (N, D, H, W, 3).
    /// Point (h, w) of the output is theta @ (x_w, y_h, 1) with x_w, y_h PyTorch's normalised pixel
    /// coordinates: linspace(-1, 1) with align_corners, shrunk by (n - 1) / n onto pixel centres without.
    /// </summary>
    public static Tensor AffineGrid(Tensor theta, int[] size, bool alignCorners = false)
    {
        const string op = "affine_grid";
        ArgumentNullException.ThrowIfNull(size);
        Check.Float(op, theta, "theta");
        string sizeText = "[" + string.Join(", ", size) + "]";
        if (size.Length != 4 && size.Length != 5)
            throw new ArgumentException($"{op}: only supports 4-D sizes (N, C, H, W) and 5-D sizes (N, C, D, H, W), got size {sizeText}");
        bool volumetric = size.Length == 5;
        int rows = volumetric ? 3 : 2, cols = volumetric ? 4 : 3;
        if (theta.Rank != 3 || theta.Shape[1] != rows || theta.Shape[2] != cols)
            throw new ArgumentException(
                $"{op}: expected a batch of {(volumetric ? "3-D" : "2-D")} affine matrices of shape (N, {rows}, {cols}) for size {sizeText}, got theta {theta.Shape}");
        if (size.Any(s => s <= 0))
            throw new ArgumentException($"{op}: expected a positive output size, got size {sizeText}");
        if (theta.Shape[0] != size[0])
            throw new ArgumentException($"{op}: theta {theta.Shape} holds {theta.Shape[0]} matrices but size {sizeText} asks for N = {size[0]}");

        var a = new AffineGridArgs
        {
            N = size[0], D = volumetric ? size[2] : 1, H = size[^2], W = size[^1], Volumetric = volumetric ? 1 : 0,
        };
        var coords = AffineGridCpu.BaseCoordinates(a, alignCorners, theta.DType, theta.Device);
        int[] outShape = volumetric ? [a.N, a.D, a.H, a.W, 3] : [a.N, a.H, a.W, 2];
        var grid = Tensor.Empty(outShape, theta.DType, theta.Device);
        AffineGridCpu.Forward(theta, coords, grid, a);
        return Autograd.Record(op, grid, [theta], g =>
        {
            var gradTheta = Tensor.Empty(theta.Shape, theta.DType, theta.Device);
            AffineGridCpu.Backward(g, coords, gradTheta, a);
            return [gradTheta];
        });
    }
}
