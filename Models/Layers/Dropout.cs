namespace Framework.Models;

/// <summary>
/// Zeroes each element with probability p while training and scales the rest by 1/(1-p) (torch.nn.Dropout,
/// through F.Dropout); passes the input through in eval mode. The mask draws from <see cref="GeneratorScope.Current"/>.
/// </summary>
public sealed class Dropout : Module
{
    public Dropout(double p = 0.5)
    {
        if (p is < 0 or > 1) throw new ArgumentException($"Dropout: dropout probability has to be between 0 and 1, but got {p}");
        P = p;
    }

    public double P { get; }

    public override Tensor Forward(Tensor input) => F.Dropout(input, P, Training, GeneratorScope.Current);

    protected override string ExtraRepr() => $"p={Py.Float(P)}, inplace=False";
}

/// <summary>
/// Zeroes whole channels with probability p while training (torch.nn.Dropout2d, through F.Dropout2d): input
/// (N, C, H, W), or (C, H, W) as one unbatched image.
/// </summary>
public sealed class Dropout2d : Module
{
    public Dropout2d(double p = 0.5)
    {
        if (p is < 0 or > 1) throw new ArgumentException($"Dropout2d: dropout probability has to be between 0 and 1, but got {p}");
        P = p;
    }

    public double P { get; }

    public override Tensor Forward(Tensor input) => F.Dropout2d(input, P, Training, GeneratorScope.Current);

    protected override string ExtraRepr() => $"p={Py.Float(P)}, inplace=False";
}
