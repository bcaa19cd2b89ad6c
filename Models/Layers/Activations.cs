namespace Framework.Models;

// Activation layers: each wraps its F.* function with PyTorch's defaults and repr.

public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor input) => F.Relu(input);
}

public sealed class LeakyReLU(double negativeSlope = 0.01) : Module
{
    public double NegativeSlope { get; } = negativeSlope;
    public override Tensor Forward(Tensor input) => F.LeakyRelu(input, NegativeSlope);
    protected override string ExtraRepr() => $"negative_slope={Py.Float(NegativeSlope)}";
}

public sealed class ELU(double alpha = 1.0) : Module
{
    public double Alpha { get; } = alpha;
    public override Tensor Forward(Tensor input) => F.Elu(input, Alpha);
    protected override string ExtraRepr() => $"alpha={Py.Float(Alpha)}";
}

/// <summary>GELU with approximate "none" (erf) or "tanh", as torch.nn.GELU.</summary>
public sealed class GELU : Module
{
    public GELU(string approximate = "none")
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"GELU: approximate must be 'none' or 'tanh', got '{approximate}'");
        Approximate = approximate;
    }

    public string Approximate { get; }
    public override Tensor Forward(Tensor input) => F.Gelu(input, Approximate);
    protected override string ExtraRepr() => $"approximate={Py.Str(Approximate)}";
}

public sealed class Sigmoid : Module
{
    public override Tensor Forward(Tensor input) => F.Sigmoid(input);
}

public sealed class Tanh : Module
{
    public override Tensor Forward(Tensor input) => F.Tanh(input);
}

public sealed class Softplus(double beta = 1.0, double threshold = 20.0) : Module
{
    public double Beta { get; } = beta;
    public double Threshold { get; } = threshold;
    public override Tensor Forward(Tensor input) => F.Softplus(input, Beta, Threshold);
    protected override string ExtraRepr() => $"beta={Py.Float(Beta)}, threshold={Py.Float(Threshold)}";
}

/// <summary>Softmax over <paramref name="dim"/> (torch.nn.Softmax; the dim is required here, as PyTorch recommends).</summary>
public sealed class Softmax(int dim) : Module
{
    public int Dim { get; } = dim;
    public override Tensor Forward(Tensor input) => F.Softmax(input, Dim);
    protected override string ExtraRepr() => $"dim={Dim}";
}

public sealed class LogSoftmax(int dim) : Module
{
    public int Dim { get; } = dim;
    public override Tensor Forward(Tensor input) => F.LogSoftmax(input, Dim);
    protected override string ExtraRepr() => $"dim={Dim}";
}
