namespace Framework.Models;

/// <summary>
/// Parameters that share hyperparameters (a torch param group). Values left null take the optimizer's
/// defaults; schedulers change <see cref="Lr"/> (and OneCycleLR the momentum) between steps.
/// <code>
/// var opt = new SGD([new ParamGroup(net.Backbone.Parameters(), lr: 1e-3), new ParamGroup(net.Head.Parameters())], lr: 0.1, momentum: 0.9);
/// </code>
/// </summary>
public sealed class ParamGroup
{
    public ParamGroup(IEnumerable<Tensor> parameters, double? lr = null, double? weightDecay = null, double? momentum = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Params = parameters.ToList();
        LrOverride = lr;
        WeightDecayOverride = weightDecay;
        MomentumOverride = momentum;
    }

    public IReadOnlyList<Tensor> Params { get; }

    /// <summary>The learning rate of the next step.</summary>
    public double Lr { get; set; }

    /// <summary>L2 penalty (SGD, Adam) or decoupled decay (AdamW).</summary>
    public double WeightDecay { get; set; }

    /// <summary>SGD's momentum factor; for Adam and AdamW the first beta (what OneCycleLR cycles).</summary>
    public double Momentum { get; set; }

    /// <summary>Adam's second beta.</summary>
    public double Beta2 { get; set; }

    /// <summary>The learning rate a scheduler started from (torch's 'initial_lr'); set by the first scheduler.</summary>
    public double? InitialLr { get; set; }

    internal double? LrOverride { get; }
    internal double? WeightDecayOverride { get; }
    internal double? MomentumOverride { get; }
}

/// <summary>
/// The base of the optimizers (torch.optim.Optimizer): param groups, per-parameter state, ZeroGrad and Step.
/// Parameters whose Grad is null are skipped by Step, as in PyTorch.
/// </summary>
public abstract partial class Optimizer
{
    private readonly List<ParamGroup> _groups;
    private readonly Dictionary<Tensor, Dictionary<string, Tensor>> _state = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, long> _steps = new(ReferenceEqualityComparer.Instance);

    protected Optimizer(string name, IEnumerable<ParamGroup> groups, double lr, double weightDecay, double momentum, double beta2)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Name = name;
        _groups = groups.ToList();
        if (_groups.Count == 0 || _groups.All(g => g.Params.Count == 0))
            throw new ArgumentException($"{name}: optimizer got an empty parameter list");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
        {
            foreach (var p in g.Params)
            {
                if (p is null) throw new ArgumentException($"{name}: a parameter group holds null");
                if (!p.IsLeaf)
                    throw new ArgumentException($"{name}: can't optimize a non-leaf Tensor {p.Shape}; optimize the leaf it was computed from, or Detach() it and set RequiresGrad");
                if (!p.DType.IsFloatingPoint())
                    throw new ArgumentException($"{name}: can only optimize floating-point tensors, got {p.DType.Name()} {p.Shape}");
                if (!seen.Add(p))
                    throw new ArgumentException($"{name}: some parameters appear more than once (in one group or in several)");
            }
            g.Lr = g.LrOverride ?? lr;
            g.WeightDecay = g.WeightDecayOverride ?? weightDecay;
            g.Momentum = g.MomentumOverride ?? momentum;
            g.Beta2 = beta2;
            CheckHyperparameters(g);
        }
    }

    public string Name { get; }

    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Whether OneCycleLR's momentum cycling drives <see cref="ParamGroup.Momentum"/> as Adam's beta1.</summary>
    internal virtual bool MomentumIsBeta1 => false;

    /// <summary>Clears the gradients of all parameters (torch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (var g in _groups)
            foreach (var p in g.Params) p.Grad = null;
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = Autograd.NoGrad();
        foreach (var g in _groups)
        {
            CheckHyperparameters(g);
            foreach (var p in g.Params)
            {
                if (p.Grad is not { } grad) continue;
                if (grad.Shape != p.Shape || grad.DType != p.DType || grad.Device != p.Device)
                    throw new InvalidOperationException(
                        $"{Name}: the gradient {grad.DType.Name()} {grad.Shape} on '{grad.Device}' does not match its parameter {p.DType.Name()} {p.Shape} on '{p.Device}'");
                long step = _steps.TryGetValue(p, out var s) ? s + 1 : 1;
                _steps[p] = step;
                if (p.Device.IsCpu) UpdateCpu(p, grad, g, step);
                else
                {
                    using var scope = DisposeScope.Begin();
                    UpdateWithOps(p, grad, g, step);
                }
            }
        }
    }

    /// <summary>The number of steps taken for a parameter (torch's state['step']).</summary>
    public long StepCount(Tensor parameter) => _steps.TryGetValue(parameter, out var s) ? s : 0;

    /// <summary>The state tensor <paramref name="key"/> of a parameter ("momentum_buffer", "exp_avg", ...), or null.</summary>
    public Tensor? State(Tensor parameter, string key) =>
        _state.TryGetValue(parameter, out var d) && d.TryGetValue(key, out var t) ? t : null;

    /// <summary>The state tensor, created as zeros like the parameter on first use (it outlives DisposeScopes).</summary>
    protected Tensor StateTensor(Tensor parameter, string key, out bool created)
    {
        if (!_state.TryGetValue(parameter, out var d)) _state[parameter] = d = [];
        created = !d.TryGetValue(key, out var t);
        if (created)
        {
            t = Tensor.Zeros(parameter.Shape, parameter.DType, parameter.Device).DetachFromDisposeScope();
            d[key] = t;
        }
        return t!;
    }

    protected virtual void CheckHyperparameters(ParamGroup g)
    {
        if (!(g.Lr >= 0)) throw new ArgumentException($"{Name}: invalid learning rate: {g.Lr}");
        if (!(g.WeightDecay >= 0)) throw new ArgumentException($"{Name}: invalid weight_decay value: {g.WeightDecay}");
    }

    /// <summary>The update on CPU tensors, in place on the parameter's span.</summary>
    protected abstract void UpdateCpu(Tensor p, Tensor grad, ParamGroup g, long step);

    /// <summary>The same update with F.* ops (any device), written back with CopyFrom; runs under NoGrad in a DisposeScope.</summary>
    protected abstract void UpdateWithOps(Tensor p, Tensor grad, ParamGroup g, long step);

    protected static IEnumerable<ParamGroup> OneGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [new ParamGroup(parameters)];
    }
}
