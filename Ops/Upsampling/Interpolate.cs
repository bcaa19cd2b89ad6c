namespace Framework;

public static partial class F
{
    /// <summary>
    /// Resizes a (N, C, H, W) input (torch.nn.functional.interpolate) to <paramref name="size"/> or by
    /// <paramref name="scaleFactor"/> (exactly one of them): output size = floor(in * scale). Modes:
    /// "nearest" (PyTorch's legacy rule src = floor(dst * in / out), or dst / scale_factor when one is given),
    /// "nearest-exact" (src = floor((dst + 0.5) * scale)), "bilinear" (alignCorners maps the corner pixels'
    /// centres onto each other; false, the default, maps the corners' edges, clamping the source index at 0),
    /// and "area" (adaptive average pooling). recomputeScaleFactor true derives the scale from the sizes.
    /// </summary>
    public static Tensor Interpolate(Tensor input, Pair? size = null, Pair<double>? scaleFactor = null, string mode = "nearest",
        bool? alignCorners = null, bool? recomputeScaleFactor = null)
    {
        const string op = "interpolate";
        Check.Float(op, input);
        if (mode is not ("nearest" or "nearest-exact" or "bilinear" or "area"))
        {
            if (mode is "linear" or "bicubic" or "trilinear")
                throw new NotSupportedException($"{op}: mode '{mode}' is not implemented yet; supported: nearest | nearest-exact | bilinear | area");
            throw new ArgumentException($"{op}: unknown mode '{mode}'; expected one of nearest | nearest-exact | bilinear | area (linear, bicubic, trilinear: not yet)");
        }
        if (mode != "bilinear" && alignCorners is not null)
            throw new ArgumentException($"{op}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear, got mode '{mode}'");
        if (input.Rank != 4)
            throw new ArgumentException($"{op}: expected a 4-D input (N, C, H, W) for mode '{mode}', got shape {input.Shape} (3-D and 5-D inputs are not supported yet)");
        if (size is not null && scaleFactor is not null) throw new ArgumentException($"{op}: only one of size or scale_factor should be defined, got size {size} and scale_factor {scaleFactor}");
        if (size is null && scaleFactor is null) throw new ArgumentException($"{op}: either size or scale_factor should be defined");
        if (recomputeScaleFactor == true && size is not null)
            throw new ArgumentException($"{op}: recompute_scale_factor is not meaningful with an explicit size");
        int h = input.Shape[2], w = input.Shape[3];
        int oh, ow;
        double? sh = null, sw = null;
        if (size is { } s) (oh, ow) = (s.H, s.W);
        else
        {
            var f = scaleFactor!.Value;
            Check.Finite(op, f.H, "scale_factor");
            Check.Finite(op, f.W, "scale_factor");
            oh = ScaledSize(h, f.H);
            ow = ScaledSize(w, f.W);
            // "area" always works from the sizes (PyTorch recomputes the scale for it); so does recompute_scale_factor
            if (recomputeScaleFactor != true && mode != "area") (sh, sw) = (f.H, f.W);
        }
        if (h <= 0 || w <= 0 || oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: input and output sizes should be greater than 0, got input (H: {h}, W: {w}) output (H: {oh}, W: {ow}) for input {input.Shape}");
        if (mode == "area") return AdaptiveAvgPool2d(input, (oh, ow));
        if (mode == "bilinear") return Bilinear.Interpolate(input, oh, ow, sh, sw, alignCorners ?? false);
        bool exact = mode == "nearest-exact";
        int[][] maps = [IndexMap.Identity(input.Shape[0]), IndexMap.Identity(input.Shape[1]), NearestSource(h, oh, sh, exact), NearestSource(w, ow, sw, exact)];
        var y = IndexMap.Gather(input, maps);
        var inShape = input.Shape;
        return Autograd.Record("interpolate", y, [input], g => [IndexMap.ScatterAdd(g, inShape, maps)]);
    }

    /// <summary>floor(size * scale), as PyTorch's compute_output_size (clamped so absurd scales fail the size check).</summary>
    private static int ScaledSize(int size, double scale) => (int)Math.Clamp(Math.Floor(size * scale), -1, int.MaxValue);

    /// <summary>PyTorch's compute_scales_value: 1 / scale_factor when one was given (and positive), else in / out.</summary>
    internal static double SourceScale(int input, int output, double? scale) =>
        scale is > 0 ? 1.0 / scale.Value : (double)input / output;

    /// <summary>
    /// The source index of each output index, in float arithmetic as PyTorch's nearest_idx / nearest_exact_idx:
    /// legacy nearest copies when out == in and halves when out == 2 in, else min(floor(dst * scale), in - 1);
    /// nearest-exact is min(floor((dst + 0.5) * scale), in - 1).
    /// </summary>
    private static int[] NearestSource(int input, int output, double? scale, bool exact)
    {
        var src = new int[output];
        float s = scale is > 0 ? (float)(1.0 / scale.Value) : (float)input / output;
        for (int o = 0; o < output; o++)
        {
            long i;
            if (exact) i = (long)MathF.Floor((float)((o + 0.5) * s));
            else if (output == input) i = o;
            else if (output == 2 * input) i = o >> 1;
            else i = (long)MathF.Floor(o * s);
            src[o] = (int)Math.Min(i, input - 1);
        }
        return src;
    }
}
