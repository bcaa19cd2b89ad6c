namespace Framework.Models;

/// <summary>
/// Zeroes each element with probability p while training and scales the rest by 1/(1-p) (torch.nn.Dropout);
/// passes the input through in eval mode. The mask draws from <see cref="GeneratorScope.Current"/>.
/// </summary>
public sealed class Dropout : Module
{
    public Dropout(double p = 0.5)
    {
        if (p is < 0 or > 1) throw new ArgumentException($"Dropout: dropout probability has to be between 0 and 1, but got {p}");
        P = p;
    }

    public double P { get; }

    public override Tensor Forward(Tensor input) => DropoutMask.Apply(input, P, Training, input.Shape.ToArray());

    protected override string ExtraRepr() => $"p={Py.Float(P)}, inplace=False";
}

/// <summary>
/// Zeroes whole channels with probability p while training (torch.nn.Dropout2d): input (N, C, H, W), or
/// (C, H, W) as one unbatched image.
/// </summary>
public sealed class Dropout2d : Module
{
    public Dropout2d(double p = 0.5)
    {
        if (p is < 0 or > 1) throw new ArgumentException($"Dropout2d: dropout probability has to be between 0 and 1, but got {p}");
        P = p;
    }

    public double P { get; }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (3 or 4))
            throw new ArgumentException($"Dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got {input.Shape}");
        var maskShape = input.Rank == 4 ? new[] { input.Shape[0], input.Shape[1], 1, 1 } : [input.Shape[0], 1, 1];
        return DropoutMask.Apply(input, P, Training, maskShape);
    }

    protected override string ExtraRepr() => $"p={Py.Float(P)}, inplace=False";
}

internal static class DropoutMask
{
    /// <summary>x * mask / (1 - p) with mask ~ Bernoulli(1 - p) of maskShape (broadcast over x).</summary>
    public static Tensor Apply(Tensor x, double p, bool training, int[] maskShape)
    {
        if (!training || p == 0) return x;
        if (p == 1) return F.Mul(x, 0.0);
        var u = new double[new Shape(maskShape).Numel];
        GeneratorScope.Current.FillUniform(u, 0, 1);
        double scale = 1 / (1 - p);
        for (int i = 0; i < u.Length; i++) u[i] = u[i] >= p ? scale : 0;
        var mask = Tensor.FromDoubles(u, new Shape(maskShape), x.DType, x.Device);
        return F.Mul(x, mask);
    }
}
