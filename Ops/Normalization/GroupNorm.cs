namespace Framework;

public static partial class F
{
    /// <summary>
    /// Group normalization of a (N, C, ...) input (torch.nn.functional.group_norm): the C channels are split into
    /// <paramref name="numGroups"/> groups, each (sample, group) normalized with its mean and biased variance,
    /// then scaled and shifted per channel by weight and bias of shape (C) when given.
    /// </summary>
    public static Tensor GroupNorm(Tensor input, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "group_norm";
        Check.Float(op, input);
        Check.Finite(op, eps, "eps");
        if (input.Rank < 2) throw new ArgumentException($"{op}: expected input of at least 2 dims (N, C, ...), got shape {input.Shape}");
        int c = input.Shape[1];
        if (numGroups <= 0) throw new ArgumentException($"{op}: num_groups must be positive, got {numGroups}");
        if (c % numGroups != 0)
            throw new ArgumentException($"{op}: expected number of channels in input to be divisible by num_groups, got input of shape {input.Shape} and num_groups={numGroups}");
        CheckChannelVector(op, input, weight, "weight", c);
        CheckChannelVector(op, input, bias, "bias", c);
        var layout = new NormLayout
        {
            N = input.Shape[0], C = c, S = checked((int)input.Shape.Skip(2).Aggregate(1L, (p, d) => p * d)), Groups = numGroups,
            HasWeight = weight is null ? 0 : 1, HasBias = bias is null ? 0 : 1,
        };
        return input.DType == DType.Float32
            ? GroupwiseNorm(op, input, weight, bias, NormArgs<float>.Create(layout, eps))
            : GroupwiseNorm(op, input, weight, bias, NormArgs<double>.Create(layout, eps));
    }
}
