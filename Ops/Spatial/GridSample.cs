namespace Framework;

/// <summary>torch.nn.functional.grid_sample: read an image at arbitrary sampling points (spatial transformers, warping).</summary>
public static partial class F
{
    /// <summary>
    /// Samples <paramref name="input"/> (N, C, H_in, W_in) at <paramref name="grid"/> (N, H_out, W_out, 2), or a
    /// 5-D input (N, C, D_in, H_in, W_in) at a grid (N, D_out, H_out, W_out, 3); grid values are normalised
    /// coordinates (x, y[, z]) in [-1, 1] (x indexes W). Modes "bilinear", "nearest" and "bicubic" (4-D only);
    /// padding "zeros", "border" or "reflection". Differentiable w.r.t. input and grid (zero for nearest),
    /// with PyTorch's rules at borders and integer points (the derivative at an integer coordinate x uses
    /// pixels floor(x) and floor(x) + 1).
    /// </summary>
    public static Tensor GridSample(Tensor input, Tensor grid, string mode = "bilinear", string paddingMode = "zeros", bool alignCorners = false)
    {
        const string op = "grid_sample";
        int modeId = mode switch
        {
            "bilinear" => GridSampleMath.Bilinear,
            "nearest" => GridSampleMath.Nearest,
            "bicubic" => GridSampleMath.Bicubic,
            _ => throw new ArgumentException($"{op}: expected mode to be 'bilinear', 'nearest' or 'bicubic', got '{mode}'"),
        };
        int paddingId = paddingMode switch
        {
            "zeros" => GridSampleMath.Zeros,
            "border" => GridSampleMath.Border,
            "reflection" => GridSampleMath.Reflection,
            _ => throw new ArgumentException($"{op}: expected paddingMode to be 'zeros', 'border' or 'reflection', got '{paddingMode}'"),
        };
        Check.Float(op, input);
        Check.Float(op, grid, "grid");
        Check.SameDTypeAndDevice(op, input, grid);
        if (input.Rank != 4 && input.Rank != 5)
            throw new ArgumentException($"{op}: expected a 4-D input (N, C, H_in, W_in) or a 5-D input (N, C, D_in, H_in, W_in), got shape {input.Shape}");
        bool volumetric = input.Rank == 5;
        string gridLayout = volumetric ? "(N, D_out, H_out, W_out, 3)" : "(N, H_out, W_out, 2)";
        if (grid.Rank != input.Rank || grid.Shape[^1] != input.Rank - 2)
            throw new ArgumentException($"{op}: grid must have shape {gridLayout} for a {input.Rank}-D input {input.Shape}, got {grid.Shape}");
        if (grid.Shape[0] != input.Shape[0])
            throw new ArgumentException($"{op}: expected grid and input to have the same batch size, got input {input.Shape} and grid {grid.Shape}");
        for (int d = 2; d < input.Rank; d++)
            if (input.Shape[d] == 0)
                throw new ArgumentException($"{op}: expected input to have non-empty spatial dimensions, got input {input.Shape} (dim {d} is empty)");
        if (modeId == GridSampleMath.Bicubic && volumetric)
            throw new ArgumentException($"{op}: bicubic interpolation only supports 4-D input, got a 5-D input {input.Shape}");

        var a = new GridSampleArgs
        {
            N = input.Shape[0], C = input.Shape[1],
            InD = volumetric ? input.Shape[2] : 1, InH = input.Shape[^2], InW = input.Shape[^1],
            OutD = volumetric ? grid.Shape[1] : 1, OutH = grid.Shape[^3], OutW = grid.Shape[^2],
            Mode = modeId, Padding = paddingId, AlignCorners = alignCorners ? 1 : 0, Volumetric = volumetric ? 1 : 0,
        };
        int[] outShape = volumetric ? [a.N, a.C, a.OutD, a.OutH, a.OutW] : [a.N, a.C, a.OutH, a.OutW];
        var output = Tensor.Empty(outShape, input.DType, input.Device);
        if (output.Numel > 0) GridSampleCpu.Forward(input, grid, output, a);
        return Autograd.Record(op, output, [input, grid], g =>
        {
            var b = a;
            b.NeedInputGrad = input.RequiresGrad ? 1 : 0;
            var gradInput = input.RequiresGrad ? Tensor.Zeros(input.Shape, input.DType, input.Device) : null;
            var gradGrid = Tensor.Zeros(grid.Shape, grid.DType, grid.Device);
            if (output.Numel > 0) GridSampleCpu.Backward(input, grid, g, gradInput, gradGrid, b);
            return [gradInput, grid.RequiresGrad ? gradGrid : null];
        });
    }
}
