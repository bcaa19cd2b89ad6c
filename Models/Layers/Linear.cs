namespace Framework.Models;

/// <summary>
/// y = x W^T + b (torch.nn.Linear). Weight (out_features, in_features) and bias (out_features) start as
/// PyTorch's: U(-1/sqrt(in_features), 1/sqrt(in_features)).
/// </summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures < 0 || outFeatures < 0)
            throw new ArgumentException($"Linear: in_features and out_features must be non-negative, got {inFeatures} and {outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterParameter("weight", Tensor.Empty(new Shape(outFeatures, inFeatures)));
        RegisterParameter("bias", bias ? Tensor.Empty(new Shape(outFeatures)) : null);
        ResetParameters();
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight => GetParameter("weight")!;
    public Tensor? Bias => GetParameter("bias");

    /// <summary>Redraws weight and bias with PyTorch's default initialisation.</summary>
    public void ResetParameters()
    {
        Init.DefaultWeight(Weight);
        if (Bias is { } b) Init.DefaultBias(b, Weight);
    }

    public override Tensor Forward(Tensor input) => F.Linear(input, Weight, Bias);

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Py.Bool(Bias is not null)}";
}

/// <summary>Returns its input (torch.nn.Identity): a placeholder where a block has no layer.</summary>
public sealed class Identity : Module
{
    public override Tensor Forward(Tensor input) => input;
}

/// <summary>Flattens dims startDim..endDim into one (torch.nn.Flatten; by default all but the batch dim).</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    public int StartDim { get; } = startDim;
    public int EndDim { get; } = endDim;

    public override Tensor Forward(Tensor input) => F.Flatten(input, StartDim, EndDim);

    protected override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}

/// <summary>Expands one dim into a shape (torch.nn.Unflatten), the inverse of Flatten.</summary>
public sealed class Unflatten : Module
{
    public Unflatten(int dim, params int[] unflattenedSize)
    {
        if (unflattenedSize.Length == 0) throw new ArgumentException("Unflatten: unflattened_size must not be empty");
        Dim = dim;
        UnflattenedSize = unflattenedSize;
    }

    public int Dim { get; }
    public int[] UnflattenedSize { get; }

    public override Tensor Forward(Tensor input)
    {
        int d = Shape.NormalizeDim(Dim, input.Rank, "Unflatten");
        var dims = input.Shape.ToArray();
        return F.Reshape(input, [.. dims[..d], .. UnflattenedSize, .. dims[(d + 1)..]]);
    }

    protected override string ExtraRepr() => $"dim={Dim}, unflattened_size={Py.Tuple(UnflattenedSize)}";
}
