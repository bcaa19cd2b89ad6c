using System.Numerics;

namespace Framework.Models;

/// <summary>
/// Adam (torch.optim.Adam), with L2 weight decay added to the gradient and optional AMSGrad:
/// <code>
/// g = grad (+ weight_decay * p);  m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
/// v_hat = max(v_hat, v) with amsgrad;  denom = sqrt(v or v_hat) / sqrt(1 - beta2^t) + eps
/// p = p - lr / (1 - beta1^t) * m / denom
/// </code>
/// </summary>
public class Adam : Optimizer
{
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double Beta1, double Beta2)? betas = null, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(OneGroup(parameters), lr, betas, eps, weightDecay, amsgrad, maximize) { }

    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, (double Beta1, double Beta2)? betas = null, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this("Adam", groups, lr, betas ?? (0.9, 0.999), eps, weightDecay, amsgrad, maximize, decoupled: false) { }

    private protected Adam(string name, IEnumerable<ParamGroup> groups, double lr, (double Beta1, double Beta2) betas, double eps,
        double weightDecay, bool amsgrad, bool maximize, bool decoupled)
        : base(name, groups, lr, weightDecay, betas.Beta1, betas.Beta2)
    {
        if (!(eps >= 0)) throw new ArgumentException($"{name}: invalid epsilon value: {eps}");
        Eps = eps;
        Amsgrad = amsgrad;
        Maximize = maximize;
        DecoupledWeightDecay = decoupled;
    }

    public double Eps { get; }
    public bool Amsgrad { get; }
    public bool Maximize { get; }

    /// <summary>True for AdamW: p = p * (1 - lr * weight_decay) before the Adam step instead of L2 in the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    internal override bool MomentumIsBeta1 => true;

    protected override void CheckHyperparameters(ParamGroup g)
    {
        base.CheckHyperparameters(g);
        if (!(g.Momentum >= 0 && g.Momentum < 1)) throw new ArgumentException($"{Name}: invalid beta parameter at index 0: {g.Momentum}");
        if (!(g.Beta2 >= 0 && g.Beta2 < 1)) throw new ArgumentException($"{Name}: invalid beta parameter at index 1: {g.Beta2}");
    }

    protected override void UpdateCpu(Tensor p, Tensor grad, ParamGroup g, long step)
    {
        if (p.DType == DType.Float32) Update<float>(p, grad, g, step);
        else Update<double>(p, grad, g, step);
    }

    private void Update<T>(Tensor p, Tensor grad, ParamGroup group, long step) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = p.AsSpan<T>();
        var gr = grad.AsReadOnlySpan<T>();
        var m = StateTensor(p, "exp_avg", out _).AsSpan<T>();
        var v = StateTensor(p, "exp_avg_sq", out _).AsSpan<T>();
        var vmax = Amsgrad ? StateTensor(p, "max_exp_avg_sq", out _).AsSpan<T>() : default;
        var (stepSize, bc2Sqrt) = BiasCorrection(group, step);
        T b1c = T.CreateTruncating(1 - group.Momentum), b2 = T.CreateTruncating(group.Beta2), b2c = T.CreateTruncating(1 - group.Beta2);
        T wd = T.CreateTruncating(group.WeightDecay), decay = T.CreateTruncating(1 - group.Lr * group.WeightDecay);
        T eps = T.CreateTruncating(Eps), size = T.CreateTruncating(stepSize), bc2 = T.CreateTruncating(bc2Sqrt);
        bool l2 = group.WeightDecay != 0 && !DecoupledWeightDecay, decoupled = group.WeightDecay != 0 && DecoupledWeightDecay;
        for (int i = 0; i < x.Length; i++)
        {
            T gi = Maximize ? -gr[i] : gr[i];
            if (decoupled) x[i] *= decay;
            if (l2) gi += wd * x[i];
            m[i] += b1c * (gi - m[i]);                 // torch: exp_avg.lerp_(grad, 1 - beta1)
            v[i] = v[i] * b2 + b2c * gi * gi;
            T second = v[i];
            if (Amsgrad) second = vmax[i] = T.Max(vmax[i], v[i]);
            T denom = T.Sqrt(second) / bc2 + eps;
            x[i] -= size * (m[i] / denom);
        }
    }

    protected override void UpdateWithOps(Tensor p, Tensor grad, ParamGroup group, long step)
    {
        var gi = Maximize ? F.Neg(grad) : grad;
        if (group.WeightDecay != 0 && DecoupledWeightDecay) p.CopyFrom(F.Mul(p, 1 - group.Lr * group.WeightDecay));
        if (group.WeightDecay != 0 && !DecoupledWeightDecay) gi = F.Add(gi, F.Mul(p, group.WeightDecay));
        var m = StateTensor(p, "exp_avg", out _);
        var v = StateTensor(p, "exp_avg_sq", out _);
        m.CopyFrom(F.Add(m, F.Mul(F.Sub(gi, m), 1 - group.Momentum)));
        v.CopyFrom(F.Add(F.Mul(v, group.Beta2), F.Mul(F.Mul(gi, gi), 1 - group.Beta2)));
        var second = v;
        if (Amsgrad)
        {
            var vmax = StateTensor(p, "max_exp_avg_sq", out _);
            vmax.CopyFrom(F.Maximum(vmax, v));
            second = vmax;
        }
        var (stepSize, bc2Sqrt) = BiasCorrection(group, step);
        var denom = F.Add(F.Div(F.Sqrt(second), bc2Sqrt), Eps);
        p.CopyFrom(F.Sub(p, F.Mul(F.Div(m, denom), stepSize)));
    }

    /// <summary>lr / (1 - beta1^t) and sqrt(1 - beta2^t), in double as torch computes them on the host.</summary>
    private static (double StepSize, double Bc2Sqrt) BiasCorrection(ParamGroup g, long step)
    {
        double bc1 = 1 - Math.Pow(g.Momentum, step), bc2 = 1 - Math.Pow(g.Beta2, step);
        return (g.Lr / bc1, Math.Sqrt(bc2));
    }
}

/// <summary>
/// Adam with decoupled weight decay (torch.optim.AdamW; weight_decay defaults to 0.01):
/// p = p * (1 - lr * weight_decay), then the Adam step without L2.
/// </summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double Beta1, double Beta2)? betas = null, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : this(OneGroup(parameters), lr, betas, eps, weightDecay, amsgrad, maximize) { }

    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, (double Beta1, double Beta2)? betas = null, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base("AdamW", groups, lr, betas ?? (0.9, 0.999), eps, weightDecay, amsgrad, maximize, decoupled: true) { }
}
