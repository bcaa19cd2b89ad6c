namespace Framework.Models;

/// <summary>
/// The 1cycle policy (torch's OneCycleLR, same defaults): the learning rate rises from max_lr/div_factor to
/// max_lr over pct_start of the steps, then anneals to initial_lr/final_div_factor; momentum (SGD) or beta1
/// (Adam) moves the opposite way between max_momentum and base_momentum. Step it once per batch.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly record struct Phase(double EndStep, string StartLr, string EndLr, string StartMomentum, string EndMomentum);

    private readonly Phase[] _phases;
    private readonly double[] _initialLr, _maxLr, _minLr;

    public OneCycleLR(Optimizer optimizer, double maxLr, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, string annealStrategy = "cos", bool cycleMomentum = true, double baseMomentum = 0.85,
        double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false, int lastEpoch = -1)
        : this(optimizer, Enumerable.Repeat(maxLr, optimizer.ParamGroups.Count).ToArray(), totalSteps, epochs, stepsPerEpoch, pctStart,
            annealStrategy, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase, lastEpoch) { }

    /// <summary>One max_lr per param group.</summary>
    public OneCycleLR(Optimizer optimizer, double[] maxLr, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, string annealStrategy = "cos", bool cycleMomentum = true, double baseMomentum = 0.85,
        double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false, int lastEpoch = -1)
        : base("OneCycleLR", Prepare(optimizer, maxLr, divFactor, cycleMomentum, maxMomentum, lastEpoch), lastEpoch)
    {
        TotalSteps = ResolveTotalSteps(totalSteps, epochs, stepsPerEpoch);
        if (!(pctStart >= 0 && pctStart <= 1)) throw new ArgumentException($"OneCycleLR: expected float between 0 and 1 pct_start, but got {pctStart}");
        if (annealStrategy is not ("cos" or "linear"))
            throw new ArgumentException($"OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got {annealStrategy}");
        AnnealStrategy = annealStrategy;
        CycleMomentum = cycleMomentum;
        BaseMomentum = baseMomentum;
        MaxMomentum = maxMomentum;
        _phases = threePhase
            ? [new(pctStart * TotalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
               new(2 * pctStart * TotalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
               new(TotalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
            : [new(pctStart * TotalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
               new(TotalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")];
        _maxLr = maxLr;
        _initialLr = maxLr.Select(m => m / divFactor).ToArray();
        _minLr = _initialLr.Select(i => i / finalDivFactor).ToArray();
        InitialStep();
    }

    public int TotalSteps { get; }
    public string AnnealStrategy { get; }
    public bool CycleMomentum { get; }
    public double BaseMomentum { get; }
    public double MaxMomentum { get; }

    private static Optimizer Prepare(Optimizer optimizer, double[] maxLr, double divFactor,
        bool cycleMomentum, double maxMomentum, int lastEpoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (maxLr.Length != optimizer.ParamGroups.Count)
            throw new ArgumentException($"OneCycleLR: expected {optimizer.ParamGroups.Count} values for max_lr, got {maxLr.Length}");
        if (lastEpoch == -1)
            for (int i = 0; i < maxLr.Length; i++)
            {
                var g = optimizer.ParamGroups[i];
                g.Lr = maxLr[i] / divFactor;          // torch sets group['initial_lr'] and group['lr'] to max_lr / div_factor
                if (cycleMomentum) g.Momentum = maxMomentum;
            }
        return optimizer;
    }

    private static int ResolveTotalSteps(int? totalSteps, int? epochs, int? stepsPerEpoch)
    {
        if (totalSteps is { } t)
        {
            if (t <= 0) throw new ArgumentException($"OneCycleLR: expected positive integer total_steps, but got {t}");
            return t;
        }
        if (epochs is { } e && stepsPerEpoch is { } s)
        {
            if (e <= 0) throw new ArgumentException($"OneCycleLR: expected positive integer epochs, but got {e}");
            if (s <= 0) throw new ArgumentException($"OneCycleLR: expected positive integer steps_per_epoch, but got {s}");
            return e * s;
        }
        throw new ArgumentException("OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)");
    }

    private double Value(string key, int group) => key switch
    {
        "initial_lr" => _initialLr[group],
        "max_lr" => _maxLr[group],
        "min_lr" => _minLr[group],
        "max_momentum" => MaxMomentum,
        _ => BaseMomentum,
    };

    private double Anneal(double start, double end, double pct) => AnnealStrategy == "cos"
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;

    protected override double[] ComputeLr()
    {
        int stepNum = LastEpoch;
        if (stepNum > TotalSteps)
            throw new InvalidOperationException(
                $"OneCycleLR: tried to step {stepNum} times; the specified number of total steps is {TotalSteps}");
        var lrs = new double[Optimizer.ParamGroups.Count];
        for (int gi = 0; gi < lrs.Length; gi++)
        {
            double startStep = 0, lr = 0, momentum = 0;
            for (int i = 0; i < _phases.Length; i++)
            {
                var phase = _phases[i];
                if (stepNum <= phase.EndStep || i == _phases.Length - 1)
                {
                    double pct = (stepNum - startStep) / (phase.EndStep - startStep);
                    lr = Anneal(Value(phase.StartLr, gi), Value(phase.EndLr, gi), pct);
                    if (CycleMomentum) momentum = Anneal(Value(phase.StartMomentum, gi), Value(phase.EndMomentum, gi), pct);
                    break;
                }
                startStep = phase.EndStep;
            }
            lrs[gi] = lr;
            if (CycleMomentum) Optimizer.ParamGroups[gi].Momentum = momentum;
        }
        return lrs;
    }
}
