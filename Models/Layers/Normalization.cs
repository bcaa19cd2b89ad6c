namespace Framework.Models;

/// <summary>
/// Batch normalization over (N, C, ...) per channel (torch.nn.BatchNorm1d/2d base). Training normalizes with
/// the batch statistics and updates the running ones (buffers running_mean, running_var, num_batches_tracked):
/// running = (1 - momentum) running + momentum batch, or the cumulative average when momentum is null.
/// Eval normalizes with the running statistics.
/// </summary>
public abstract class BatchNormBase : Module
{
    private protected BatchNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{TypeName}: num_features must be positive, got {numFeatures}");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        TrackRunningStats = trackRunningStats;
        RegisterParameter("weight", affine ? Tensor.Ones(new Shape(numFeatures)) : null);
        RegisterParameter("bias", affine ? Tensor.Zeros(new Shape(numFeatures)) : null);
        RegisterBuffer("running_mean", trackRunningStats ? Tensor.Zeros(new Shape(numFeatures)) : null);
        RegisterBuffer("running_var", trackRunningStats ? Tensor.Ones(new Shape(numFeatures)) : null);
        RegisterBuffer("num_batches_tracked", trackRunningStats ? Tensor.Zeros(Shape.Scalar, DType.Int64) : null);
    }

    public int NumFeatures { get; }
    public double Eps { get; }
    public double? Momentum { get; }
    public bool Affine { get; }
    public bool TrackRunningStats { get; }
    public Tensor? Weight => GetParameter("weight");
    public Tensor? Bias => GetParameter("bias");
    public Tensor? RunningMean => GetBuffer("running_mean");
    public Tensor? RunningVar => GetBuffer("running_var");
    public Tensor? NumBatchesTracked => GetBuffer("num_batches_tracked");

    protected abstract void CheckInputDim(Tensor input);

    /// <summary>Running mean 0, running variance 1, no batches tracked (torch's reset_running_stats).</summary>
    public void ResetRunningStats()
    {
        RunningMean?.Fill_(0);
        RunningVar?.Fill_(1);
        NumBatchesTracked?.Fill_(0);
    }

    public override Tensor Forward(Tensor input)
    {
        CheckInputDim(input);
        double factor = Momentum ?? 0.0;
        if (Training && TrackRunningStats && NumBatchesTracked is { } n)
        {
            long count = n.Item<long>() + 1;
            n.Fill_(count);
            if (Momentum is null) factor = 1.0 / count;
        }
        bool useBatchStats = Training || (RunningMean is null && RunningVar is null);
        bool passRunning = !Training || TrackRunningStats;
        return F.BatchNorm(input, passRunning ? RunningMean : null, passRunning ? RunningVar : null, Weight, Bias, useBatchStats, factor, Eps);
    }

    protected override string ExtraRepr() =>
        $"{NumFeatures}, eps={Py.Float(Eps)}, momentum={(Momentum is { } m ? Py.Float(m) : "None")}, affine={Py.Bool(Affine)}, track_running_stats={Py.Bool(TrackRunningStats)}";
}

/// <summary>Batch normalization of (N, C, H, W) (torch.nn.BatchNorm2d).</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override void CheckInputDim(Tensor input)
    {
        if (input.Rank != 4) throw new ArgumentException($"BatchNorm2d: expected 4D input (N, C, H, W), got {input.Rank}D input {input.Shape}");
    }
}

/// <summary>Batch normalization of (N, C) or (N, C, L) (torch.nn.BatchNorm1d).</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    protected override void CheckInputDim(Tensor input)
    {
        if (input.Rank is not (2 or 3)) throw new ArgumentException($"BatchNorm1d: expected 2D or 3D input, got {input.Rank}D input {input.Shape}");
    }
}

/// <summary>Layer normalization over the trailing normalized_shape dims (torch.nn.LayerNorm), with per-element weight and bias.</summary>
public sealed class LayerNorm : Module
{
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: normalized_shape must be non-empty and positive, got {Shape.Format(normalizedShape)}");
        NormalizedShape = normalizedShape;
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        RegisterParameter("weight", elementwiseAffine ? Tensor.Ones(new Shape(normalizedShape)) : null);
        RegisterParameter("bias", elementwiseAffine && bias ? Tensor.Zeros(new Shape(normalizedShape)) : null);
    }

    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true)
        : this([normalizedShape], eps, elementwiseAffine, bias) { }

    public int[] NormalizedShape { get; }
    public double Eps { get; }
    public bool ElementwiseAffine { get; }
    public Tensor? Weight => GetParameter("weight");
    public Tensor? Bias => GetParameter("bias");

    public override Tensor Forward(Tensor input) => F.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);

    protected override string ExtraRepr() => $"{Py.Tuple(NormalizedShape)}, eps={Py.Float(Eps)}, elementwise_affine={Py.Bool(ElementwiseAffine)}";
}

/// <summary>Group normalization of (N, C, ...) over channel groups (torch.nn.GroupNorm), with per-channel weight and bias.</summary>
public sealed class GroupNorm : Module
{
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true)
    {
        if (numGroups <= 0 || numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: num_channels must be divisible by num_groups, got {numChannels} channels in {numGroups} groups");
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        Affine = affine;
        RegisterParameter("weight", affine ? Tensor.Ones(new Shape(numChannels)) : null);
        RegisterParameter("bias", affine ? Tensor.Zeros(new Shape(numChannels)) : null);
    }

    public int NumGroups { get; }
    public int NumChannels { get; }
    public double Eps { get; }
    public bool Affine { get; }
    public Tensor? Weight => GetParameter("weight");
    public Tensor? Bias => GetParameter("bias");

    public override Tensor Forward(Tensor input) => F.GroupNorm(input, NumGroups, Weight, Bias, Eps);

    protected override string ExtraRepr() => $"{NumGroups}, {NumChannels}, eps={Py.Float(Eps)}, affine={Py.Bool(Affine)}";
}
