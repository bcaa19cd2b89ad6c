using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

/// <summary>Schedules against closed forms written here and the values PyTorch 1.13 produces.</summary>
public class SchedulerTests
{
    private static SGD Sgd(double lr = 0.1) => new([Tensor.Ones(1).RequiresGrad_()], lr: lr);

    private static List<double> Lrs(Optimizer opt, LRScheduler s, int steps, Func<ParamGroup, double>? read = null)
    {
        read ??= g => g.Lr;
        var list = new List<double> { read(opt.ParamGroups[0]) };
        for (int i = 0; i < steps; i++)
        {
            opt.Step();
            s.Step();
            list.Add(read(opt.ParamGroups[0]));
        }
        return list;
    }

    private static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"epoch {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void StepLR_multiplies_by_gamma_every_step_size_epochs()
    {
        var opt = Sgd();
        var s = new StepLR(opt, stepSize: 3, gamma: 0.5);
        Close(Enumerable.Range(0, 10).Select(e => 0.1 * Math.Pow(0.5, e / 3)).ToList(), Lrs(opt, s, 9));
        Assert.Equal(opt.ParamGroups[0].Lr, s.GetLastLr()[0]);
    }

    [Fact]
    public void ExponentialLR_multiplies_every_epoch()
    {
        var opt = Sgd();
        Close(Enumerable.Range(0, 6).Select(e => 0.1 * Math.Pow(0.9, e)).ToList(), Lrs(opt, new ExponentialLR(opt, 0.9), 5));
    }

    [Fact]
    public void CosineAnnealingLR_follows_the_cosine_past_T_max_as_pytorch()
    {
        var opt = Sgd();
        var actual = Lrs(opt, new CosineAnnealingLR(opt, tMax: 4, etaMin: 0.01), 12);
        Close(Enumerable.Range(0, 13).Select(e => 0.01 + (0.1 - 0.01) * (1 + Math.Cos(Math.PI * e / 4)) / 2).ToList(), actual);
        // PyTorch 1.13, CosineAnnealingLR(SGD(lr=0.1), T_max=4, eta_min=0.01)
        Close([0.1, 0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01, 0.023180194846605363, 0.05500000000000002,
               0.08681980515339469, 0.10000000000000006, 0.0868198051533947, 0.05500000000000005, 0.023180194846605412, 0.01], actual);
    }

    [Fact]
    public void OneCycleLR_defaults_match_pytorch()
    {
        var opt = Sgd();
        var s = new OneCycleLR(opt, maxLr: 0.1, totalSteps: 10);
        var moms = new List<double> { opt.ParamGroups[0].Momentum };
        var lrs = new List<double> { opt.ParamGroups[0].Lr };
        for (int i = 0; i < 9; i++)
        {
            opt.Step();
            s.Step();
            lrs.Add(opt.ParamGroups[0].Lr);
            moms.Add(opt.ParamGroups[0].Momentum);
        }
        // closed form: cos annealing, warm-up over pct_start * total - 1 = 2 steps, initial = max / 25, final = initial / 1e4
        double Cos(double start, double end, double pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1);
        var expectedLr = Enumerable.Range(0, 10).Select(t => t <= 2 ? Cos(0.004, 0.1, t / 2.0) : Cos(0.1, 0.004 / 1e4, (t - 2) / 7.0)).ToList();
        Close(expectedLr, lrs);
        // PyTorch 1.13: OneCycleLR(SGD(lr=0.1), max_lr=0.1, total_steps=10)
        Close([0.0040000000000000036, 0.052000000000000005, 0.1, 0.09504846320134738, 0.0811745653949763, 0.06112620219362893,
               0.03887419780637107, 0.0188258346050237, 0.004951936798652629, 4e-07], lrs);
        Close([0.95, 0.8999999999999999, 0.85, 0.854951556604879, 0.8688255099070633, 0.8888739533021842, 0.9111260466978157,
               0.9311744900929366, 0.945048443395121, 0.95], moms);
        opt.Step();
        var ex = Assert.Throws<InvalidOperationException>(() => { s.Step(); s.Step(); });
        Assert.Contains("total steps is 10", ex.Message);
    }

    [Fact]
    public void OneCycleLR_three_phase_linear_cycles_adam_beta1_as_pytorch()
    {
        var opt = new Adam([Tensor.Ones(1).RequiresGrad_()], lr: 0.1);
        var s = new OneCycleLR(opt, maxLr: [0.2], totalSteps: 7, threePhase: true, annealStrategy: "linear");
        var betas = new List<double> { opt.ParamGroups[0].Momentum };
        var lrs = new List<double> { opt.ParamGroups[0].Lr };
        for (int i = 0; i < 6; i++)
        {
            opt.Step();
            s.Step();
            lrs.Add(opt.ParamGroups[0].Lr);
            betas.Add(opt.ParamGroups[0].Momentum);
        }
        // PyTorch 1.13: OneCycleLR(Adam(lr=0.1), max_lr=[0.2], total_steps=7, three_phase=True, anneal_strategy='linear')
        Close([0.008, 0.18254545454545454, 0.04290909090909095, 0.006315957894736842, 0.004210905263157896, 0.002105852631578948,
               8.000000000004531e-07], lrs);
        Close([0.95, 0.8590909090909091, 0.9318181818181818, 0.95, 0.95, 0.95, 0.95], betas);
    }

    [Fact]
    public void Scheduler_arguments_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new StepLR(Sgd(), 0));
        Assert.Contains("total_steps", Assert.Throws<ArgumentException>(() => new OneCycleLR(Sgd(), 0.1)).Message);
        Assert.Contains("anneal_strategy", Assert.Throws<ArgumentException>(() => new OneCycleLR(Sgd(), 0.1, totalSteps: 5, annealStrategy: "exp")).Message);
        Assert.Contains("initial_lr", Assert.Throws<ArgumentException>(() => new StepLR(Sgd(), 2, lastEpoch: 3)).Message);
    }
}
