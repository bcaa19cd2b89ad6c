namespace Framework;

public static partial class F
{
    /// <summary>
    /// Dropout (torch.nn.functional.dropout): in training, each element is zeroed with probability p and the
    /// kept ones are scaled by 1 / (1 - p), so the expectation is unchanged; p = 1 gives zeros. Identity in eval
    /// (training false) and for p = 0. The mask comes from <paramref name="generator"/> (Generator.Default when
    /// null): the same seed gives the same mask.
    /// </summary>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        CheckDropout("dropout", input, p);
        if (!training || p == 0 || input.Numel == 0) return input;
        return Mul(input, DropoutMask(input, input.Shape, p, generator));
    }

    /// <summary>
    /// Channel dropout (torch.nn.functional.dropout2d) of a (N, C, H, W) or unbatched (C, H, W) input: each whole
    /// channel is zeroed with probability p, the kept channels scaled by 1 / (1 - p). Identity in eval and for p = 0.
    /// </summary>
    public static Tensor Dropout2d(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        CheckDropout("dropout2d", input, p);
        if (input.Rank is not (3 or 4))
            throw new ArgumentException(
                $"dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.Shape} (for other ranks use F.Dropout)");
        if (!training || p == 0 || input.Numel == 0) return input;
        var maskShape = input.Rank == 4 ? new Shape(input.Shape[0], input.Shape[1], 1, 1) : new Shape(input.Shape[0], 1, 1);
        return Mul(input, DropoutMask(input, maskShape, p, generator));
    }

    private static void CheckDropout(string op, Tensor input, double p)
    {
        Check.Float(op, input);
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{op}: dropout probability has to be between 0 and 1, got {p}");
    }

    /// <summary>PyTorch's mask: bernoulli(1 - p) / (1 - p), i.e. 1 / (1 - p) where a uniform draw is below 1 - p, else 0.</summary>
    private static Tensor DropoutMask(Tensor like, Shape shape, double p, Generator? generator)
    {
        var mask = Tensor.Empty(shape, like.DType, Device.Cpu);
        if (like.DType == DType.Float32) FillMask(mask.Data<float>(), p, generator ?? Generator.Default);
        else FillMask(mask.Data<double>(), p, generator ?? Generator.Default);
        return like.Device.IsCpu ? mask : mask.ToDevice(like.Device);
    }

    private static void FillMask<T>(T[] mask, double p, Generator generator) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        double keep = 1 - p;
        T scale = p == 1 ? T.Zero : T.One / T.CreateTruncating(keep);
        Span<double> u = stackalloc double[1024];
        for (int start = 0; start < mask.Length; start += u.Length)
        {
            var chunk = u[..Math.Min(u.Length, mask.Length - start)];
            generator.FillUniform(chunk, 0, 1);
            for (int i = 0; i < chunk.Length; i++) mask[start + i] = chunk[i] < keep ? scale : T.Zero;
        }
    }
}
