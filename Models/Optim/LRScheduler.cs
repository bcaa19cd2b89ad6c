namespace Framework.Models;

/// <summary>
/// The base of learning-rate schedules (torch.optim.lr_scheduler.LRScheduler). Creating one records each
/// group's initial_lr and applies the schedule's value for epoch 0; call <see cref="Step"/> after each
/// optimizer step (or epoch) as in PyTorch. The formulas are PyTorch's chainable get_lr forms.
/// </summary>
public abstract class LRScheduler
{
    protected LRScheduler(string name, Optimizer optimizer, int lastEpoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Name = name;
        Optimizer = optimizer;
        if (lastEpoch < -1) throw new ArgumentException($"{name}: last_epoch must be -1 (a new schedule) or a resumed epoch, got {lastEpoch}");
        for (int i = 0; i < optimizer.ParamGroups.Count; i++)
        {
            var g = optimizer.ParamGroups[i];
            if (lastEpoch == -1) g.InitialLr = g.Lr;
            else if (g.InitialLr is null)
                throw new ArgumentException($"{name}: param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer");
        }
        BaseLrs = optimizer.ParamGroups.Select(g => g.InitialLr!.Value).ToArray();
        LastEpoch = lastEpoch;
    }

    public string Name { get; }
    public Optimizer Optimizer { get; }

    /// <summary>The learning rate of each group when the schedule started.</summary>
    public IReadOnlyList<double> BaseLrs { get; }

    /// <summary>The epoch (or step) count: 0 after construction, +1 per Step().</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Number of Step() calls, including the one at construction (torch's _step_count).</summary>
    protected int StepCount { get; private set; }

    private double[] _lastLr = [];

    /// <summary>The learning rates set by the last step (torch's get_last_lr()).</summary>
    public IReadOnlyList<double> GetLastLr() => _lastLr;

    /// <summary>Advances the schedule one epoch and writes the new learning rates into the optimizer.</summary>
    public void Step()
    {
        StepCount++;
        LastEpoch++;
        var lrs = ComputeLr();
        for (int i = 0; i < lrs.Length; i++) Optimizer.ParamGroups[i].Lr = lrs[i];
        _lastLr = lrs;
    }

    /// <summary>Each subclass calls this at the end of its constructor: torch's initial step to epoch 0.</summary>
    protected void InitialStep() => Step();

    /// <summary>The learning rate of each group at <see cref="LastEpoch"/> (torch's get_lr).</summary>
    protected abstract double[] ComputeLr();

    protected double[] CurrentLrs() => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();
}

/// <summary>Multiplies the learning rate by gamma every step_size epochs (torch's StepLR).</summary>
public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1, int lastEpoch = -1) : base("StepLR", optimizer, lastEpoch)
    {
        if (stepSize <= 0) throw new ArgumentException($"StepLR: step_size must be positive, got {stepSize}");
        StepSize = stepSize;
        Gamma = gamma;
        InitialStep();
    }

    public int StepSize { get; }
    public double Gamma { get; }

    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        if (LastEpoch == 0 || LastEpoch % StepSize != 0) return lrs;
        return lrs.Select(lr => lr * Gamma).ToArray();
    }
}

/// <summary>Multiplies the learning rate by gamma every epoch (torch's ExponentialLR).</summary>
public sealed class ExponentialLR : LRScheduler
{
    public ExponentialLR(Optimizer optimizer, double gamma, int lastEpoch = -1) : base("ExponentialLR", optimizer, lastEpoch)
    {
        Gamma = gamma;
        InitialStep();
    }

    public double Gamma { get; }

    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        return LastEpoch == 0 ? lrs : lrs.Select(lr => lr * Gamma).ToArray();
    }
}

/// <summary>
/// Cosine annealing from the base lr to eta_min over T_max epochs (torch's CosineAnnealingLR):
/// lr_t = eta_min + (base - eta_min) (1 + cos(pi t / T_max)) / 2, computed recursively as PyTorch does,
/// so it keeps following the cosine past T_max.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0, int lastEpoch = -1) : base("CosineAnnealingLR", optimizer, lastEpoch)
    {
        if (tMax <= 0) throw new ArgumentException($"CosineAnnealingLR: T_max must be positive, got {tMax}");
        TMax = tMax;
        EtaMin = etaMin;
        InitialStep();
    }

    public int TMax { get; }
    public double EtaMin { get; }

    protected override double[] ComputeLr()
    {
        var lrs = CurrentLrs();
        int t = LastEpoch;
        var result = new double[lrs.Length];
        for (int i = 0; i < lrs.Length; i++)
        {
            double baseLr = BaseLrs[i], lr = lrs[i];
            if (t == 0) result[i] = lr;
            else if (StepCount == 1 && t > 0)
                result[i] = EtaMin + (baseLr - EtaMin) * (1 + Math.Cos(t * Math.PI / TMax)) / 2;
            else if ((t - 1 - TMax) % (2 * TMax) == 0)
                result[i] = lr + (baseLr - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2;
            else
                result[i] = (1 + Math.Cos(Math.PI * t / TMax)) / (1 + Math.Cos(Math.PI * (t - 1) / TMax)) * (lr - EtaMin) + EtaMin;
        }
        return result;
    }
}
