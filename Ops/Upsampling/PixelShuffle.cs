namespace Framework;

public static partial class F
{
    /// <summary>
    /// Rearranges (*, C r^2, H, W) into (*, C, H r, W r) (torch.nn.functional.pixel_shuffle): output
    /// [c, h r + i, w r + j] = input [c r^2 + i r + j, h, w]. A reshape and a permute, so its backward is theirs.
    /// </summary>
    public static Tensor PixelShuffle(Tensor input, int upscaleFactor)
    {
        const string op = "pixel_shuffle";
        int r = upscaleFactor;
        if (input.Rank < 3) throw new ArgumentException($"{op}: expects input to have at least 3 dimensions, got shape {input.Shape}");
        if (r <= 0) throw new ArgumentException($"{op}: expects a positive upscale_factor, got {r}");
        int c = input.Shape[^3], h = input.Shape[^2], w = input.Shape[^1];
        if (c % ((long)r * r) != 0)
            throw new ArgumentException($"{op}: expects its input's 'channel' dimension to be divisible by the square of upscale_factor, got input.size(-3)={c} for upscale_factor {r} (input {input.Shape})");
        var lead = input.Shape.Take(input.Rank - 3).ToArray();
        int k = lead.Length, oc = c / (r * r);
        var x = Reshape(input, [.. lead, oc, r, r, h, w]);
        int[] perm = [.. Enumerable.Range(0, k), k, k + 3, k + 1, k + 4, k + 2];
        return Reshape(Permute(x, perm), [.. lead, oc, h * r, w * r]);
    }

    /// <summary>The inverse of <see cref="PixelShuffle"/>: (*, C, H r, W r) into (*, C r^2, H, W) (pixel_unshuffle).</summary>
    public static Tensor PixelUnshuffle(Tensor input, int downscaleFactor)
    {
        const string op = "pixel_unshuffle";
        int r = downscaleFactor;
        if (input.Rank < 3) throw new ArgumentException($"{op}: expects input to have at least 3 dimensions, got shape {input.Shape}");
        if (r <= 0) throw new ArgumentException($"{op}: expects a positive downscale_factor, got {r}");
        int c = input.Shape[^3], h = input.Shape[^2], w = input.Shape[^1];
        if (h % r != 0) throw new ArgumentException($"{op}: expects height to be divisible by downscale_factor, got input.size(-2)={h} for downscale_factor {r} (input {input.Shape})");
        if (w % r != 0) throw new ArgumentException($"{op}: expects width to be divisible by downscale_factor, got input.size(-1)={w} for downscale_factor {r} (input {input.Shape})");
        var lead = input.Shape.Take(input.Rank - 3).ToArray();
        int k = lead.Length;
        var x = Reshape(input, [.. lead, c, h / r, r, w / r, r]);
        int[] perm = [.. Enumerable.Range(0, k), k, k + 2, k + 4, k + 1, k + 3];
        return Reshape(Permute(x, perm), [.. lead, c * r * r, h / r, w / r]);
    }
}
