using System.Numerics;

namespace Framework.Models;

/// <summary>
/// Stochastic gradient descent with momentum, as torch.optim.SGD exactly:
/// <code>
/// g = grad (negated when maximize);  if weight_decay != 0: g = g + weight_decay * p
/// if momentum != 0: buf = g on the first step, else buf = momentum * buf + (1 - dampening) * g
///                   g = g + momentum * buf if nesterov, else g = buf
/// p = p - lr * g
/// </code>
/// </summary>
public sealed class SGD : Optimizer
{
    public SGD(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : this(OneGroup(parameters), lr, momentum, dampening, weightDecay, nesterov, maximize) { }

    public SGD(IEnumerable<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : base("SGD", groups, lr, weightDecay, momentum, 0)
    {
        Dampening = dampening;
        Nesterov = nesterov;
        Maximize = maximize;
        if (nesterov && (ParamGroups.Any(g => g.Momentum <= 0) || dampening != 0))
            throw new ArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
    }

    public double Dampening { get; }
    public bool Nesterov { get; }
    public bool Maximize { get; }

    protected override void CheckHyperparameters(ParamGroup g)
    {
        base.CheckHyperparameters(g);
        if (!(g.Momentum >= 0)) throw new ArgumentException($"SGD: invalid momentum value: {g.Momentum}");
    }

    protected override void UpdateCpu(Tensor p, Tensor grad, ParamGroup g, long step)
    {
        if (p.DType == DType.Float32) Update<float>(p, grad, g);
        else Update<double>(p, grad, g);
    }

    private void Update<T>(Tensor p, Tensor grad, ParamGroup group) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = p.AsSpan<T>();
        var gr = grad.AsReadOnlySpan<T>();
        T lr = T.CreateTruncating(group.Lr), wd = T.CreateTruncating(group.WeightDecay);
        T mom = T.CreateTruncating(group.Momentum), keep = T.CreateTruncating(1 - Dampening);
        bool useWd = group.WeightDecay != 0, useMomentum = group.Momentum != 0;
        Span<T> buf = default;
        bool first = false;
        if (useMomentum) buf = StateTensor(p, "momentum_buffer", out first).AsSpan<T>();
        for (int i = 0; i < x.Length; i++)
        {
            T gi = Maximize ? -gr[i] : gr[i];
            if (useWd) gi += wd * x[i];
            if (useMomentum)
            {
                buf[i] = first ? gi : mom * buf[i] + keep * gi;
                gi = Nesterov ? gi + mom * buf[i] : buf[i];
            }
            x[i] -= lr * gi;
        }
    }

    protected override void UpdateWithOps(Tensor p, Tensor grad, ParamGroup group, long step)
    {
        var gi = Maximize ? F.Neg(grad) : grad;
        if (group.WeightDecay != 0) gi = F.Add(gi, F.Mul(p, group.WeightDecay));
        if (group.Momentum != 0)
        {
            var buf = StateTensor(p, "momentum_buffer", out bool first);
            buf.CopyFrom(first ? gi : F.Add(F.Mul(buf, group.Momentum), F.Mul(gi, 1 - Dampening)));
            gi = Nesterov ? F.Add(gi, F.Mul(buf, group.Momentum)) : buf;
        }
        p.CopyFrom(F.Sub(p, F.Mul(gi, group.Lr)));
    }
}
