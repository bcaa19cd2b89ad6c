using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

/// <summary>
/// Each optimizer against (1) a scalar loop written here from torch.optim's documented algorithm and (2) the
/// parameters PyTorch 1.13 reaches after 5 steps on the same problem (python3 with Debian's python3-torch).
/// Problem: loss = sum(a * p^2 + sin p), a = (0.5, 1.5, 2), p0 = (1, -2, 0.5), so dloss/dp = 2 a p + cos p.
/// </summary>
public class OptimizerTests
{
    private static readonly double[] A = [0.5, 1.5, 2.0];
    private static readonly double[] P0 = [1.0, -2.0, 0.5];
    private const int Steps = 5;

    private static double Grad(int i, double p) => 2 * A[i] * p + Math.Cos(p);

    /// <summary>The parameters after each step of the optimizer made by <paramref name="make"/>, driven by autograd.</summary>
    private static List<double[]> Run(Func<Tensor, Optimizer> make, DType dtype = DType.Float64, Device? device = null)
    {
        var p = Tensor.FromDoubles(P0, new Shape(3), dtype, device).RequiresGrad_();
        var a = Tensor.FromDoubles(A, new Shape(3), dtype, device);
        var opt = make(p);
        var trajectory = new List<double[]>();
        for (int s = 0; s < Steps; s++)
        {
            opt.ZeroGrad();
            (a * p * p + F.Sin(p)).Sum().Backward();
            opt.Step();
            trajectory.Add(p.ToDoubleArray());
        }
        return trajectory;
    }

    private static List<double[]> ScalarSgd(double lr, double momentum = 0, double dampening = 0, double wd = 0, bool nesterov = false, bool maximize = false)
    {
        var p = (double[])P0.Clone();
        var buf = new double[3];
        var result = new List<double[]>();
        for (int s = 0; s < Steps; s++)
        {
            for (int i = 0; i < 3; i++)
            {
                double g = Grad(i, p[i]);
                if (maximize) g = -g;
                g += wd * p[i];
                if (momentum != 0)
                {
                    buf[i] = s == 0 ? g : momentum * buf[i] + (1 - dampening) * g;
                    g = nesterov ? g + momentum * buf[i] : buf[i];
                }
                p[i] -= lr * g;
            }
            result.Add((double[])p.Clone());
        }
        return result;
    }

    private static List<double[]> ScalarAdam(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0,
        bool amsgrad = false, bool decoupled = false)
    {
        var p = (double[])P0.Clone();
        double[] m = new double[3], v = new double[3], vmax = new double[3];
        var result = new List<double[]>();
        for (int t = 1; t <= Steps; t++)
        {
            for (int i = 0; i < 3; i++)
            {
                double g = Grad(i, p[i]);
                if (decoupled) p[i] *= 1 - lr * wd;
                else g += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                vmax[i] = Math.Max(vmax[i], v[i]);
                double vHat = (amsgrad ? vmax[i] : v[i]) / (1 - Math.Pow(b2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            result.Add((double[])p.Clone());
        }
        return result;
    }

    private static void Same(List<double[]> expected, List<double[]> actual, double tol)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int s = 0; s < expected.Count; s++)
            for (int i = 0; i < 3; i++)
                Assert.True(Math.Abs(expected[s][i] - actual[s][i]) <= tol * Math.Max(1, Math.Abs(expected[s][i])),
                    $"step {s + 1}, element {i}: expected {expected[s][i]:R}, got {actual[s][i]:R}");
    }

    public static TheoryData<string> Cases() => ["sgd", "sgd_momentum_dampening_wd", "sgd_nesterov_wd_maximize", "adam", "adam_wd_amsgrad", "adamw"];

    private static (Func<Tensor, Optimizer> Make, List<double[]> Formula, double[] Torch) Case(string name) => name switch
    {
        "sgd" => (p => new SGD([p], lr: 0.1), ScalarSgd(0.1),
            [0.27594481855745107, -0.49595298119923475, -0.18828266654113007]),
        "sgd_momentum_dampening_wd" => (p => new SGD([p], lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01),
            ScalarSgd(0.05, 0.9, 0.1, 0.01), [0.08170107791612743, 0.5099941147719931, -0.6298302168264397]),
        "sgd_nesterov_wd_maximize" => (p => new SGD([p], lr: 0.05, momentum: 0.8, weightDecay: 0.1, nesterov: true, maximize: true),
            ScalarSgd(0.05, 0.8, 0, 0.1, nesterov: true, maximize: true), [2.019215998137545, -9.609936350401435, 4.083500668501315]),
        "adam" => (p => new Adam([p], lr: 0.1), ScalarAdam(0.1),
            [0.5008164060829109, -1.503915265316396, 0.011886598164487908]),
        "adam_wd_amsgrad" => (p => new Adam([p], lr: 0.05, betas: (0.8, 0.9), eps: 1e-6, weightDecay: 0.1, amsgrad: true),
            ScalarAdam(0.05, 0.8, 0.9, 1e-6, 0.1, amsgrad: true), [0.750237064171771, -1.7508753366741268, 0.2521958687686665]),
        "adamw" => (p => new AdamW([p], lr: 0.1, weightDecay: 0.5), ScalarAdam(0.1, wd: 0.5, decoupled: true),
            [0.32277380416774437, -1.105135962947244, -0.04979499238416069]),
        _ => throw new ArgumentException(name),
    };

    [Theory, MemberData(nameof(Cases))]
    public void Float64_trajectory_matches_the_formula_and_pytorch(string name)
    {
        var (make, formula, torch) = Case(name);
        var actual = Run(make);
        Same(formula, actual, 1e-12);
        Same([torch], [actual[^1]], 1e-12);
    }

    [Theory, MemberData(nameof(Cases))]
    public void Float32_trajectory_stays_close_to_float64(string name)
    {
        var (make, formula, _) = Case(name);
        Same(formula, Run(make, DType.Float32), 2e-5);
    }

    [Fact]
    public void Param_groups_take_their_own_learning_rate_and_the_defaults_otherwise()
    {
        var p = Tensor.FromArray(new[] { 1.0 }).RequiresGrad_();
        var q = Tensor.FromArray(new[] { 1.0 }).RequiresGrad_();
        var opt = new SGD([new ParamGroup([p], lr: 0.5), new ParamGroup([q])], lr: 0.1);
        (p * 2.0 + q * 2.0).Sum().Backward();
        opt.Step();
        Assert.Equal(0.0, p.Item(), 12);
        Assert.Equal(0.8, q.Item(), 12);
        Assert.Equal([0.5, 0.1], opt.ParamGroups.Select(g => g.Lr).ToArray());
    }

    [Fact]
    public void Parameters_without_gradient_are_skipped()
    {
        var p = Tensor.FromArray(new[] { 1.0 }).RequiresGrad_();
        var opt = new Adam([p], lr: 0.1);
        opt.Step();
        Assert.Equal(1.0, p.Item());
        Assert.Equal(0, opt.StepCount(p));
    }

    [Fact]
    public void Bad_hyperparameters_are_refused_with_pytorch_messages()
    {
        var p = Tensor.Ones(1).RequiresGrad_();
        Assert.Contains("Nesterov momentum requires a momentum and zero dampening",
            Assert.Throws<ArgumentException>(() => new SGD([p], lr: 0.1, nesterov: true)).Message);
        Assert.Contains("invalid learning rate", Assert.Throws<ArgumentException>(() => new SGD([p], lr: -1)).Message);
        Assert.Contains("invalid beta parameter at index 1", Assert.Throws<ArgumentException>(() => new Adam([p], betas: (0.9, 1.0))).Message);
        Assert.Contains("empty parameter list", Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<Tensor>())).Message);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => new SGD([p, p])).Message);
        var nonLeaf = p * 2.0;
        Assert.Contains("non-leaf", Assert.Throws<ArgumentException>(() => new SGD([nonLeaf])).Message);
    }

    [Fact]
    public void Clip_grad_norm_matches_pytorch()
    {
        var p = Tensor.Zeros(new Shape(3), DType.Float64).RequiresGrad_();
        var q = Tensor.Zeros(new Shape(2), DType.Float64).RequiresGrad_();
        p.Grad = Tensor.FromArray(new[] { 3.0, -4.0, 1.0 });
        q.Grad = Tensor.FromArray(new[] { 2.0, 0.5 });
        var total = Utils.ClipGradNorm([p, q], 1.0);
        Assert.Equal(5.5, total.Item(), 12);
        // PyTorch 1.13: torch.nn.utils.clip_grad_norm_([p, q], 1.0)
        Assert.Equal([0.5454544462810098, -0.7272725950413463, 0.18181814876033658], p.Grad.ToArray<double>(), new Tol(1e-14));
        Assert.Equal([0.36363629752067317, 0.09090907438016829], q.Grad.ToArray<double>(), new Tol(1e-14));

        p.Grad = Tensor.FromArray(new[] { 3.0, -4.0, 1.0 });
        q.Grad = Tensor.FromArray(new[] { 2.0, 0.5 });
        Assert.Equal(4.0, Utils.ClipGradNorm([p, q], 2.0, double.PositiveInfinity).Item(), 12);
        Assert.Equal([1.4999996250000938, -1.999999500000125, 0.49999987500003124], p.Grad.ToArray<double>(), new Tol(1e-14));

        // below the limit the gradients keep their values (times min(1, ...) = 1)
        p.Grad = Tensor.FromArray(new[] { 0.1, 0.0, 0.0 });
        q.Grad = null;
        Assert.Equal(0.1, Utils.ClipGradNorm([p, q], 1.0).Item(), 12);
        Assert.Equal(0.1, p.Grad.ToArray<double>()[0], 15);
    }

    internal sealed class Tol(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tol * Math.Max(1, Math.Abs(x));
        public int GetHashCode(double obj) => 0;
    }

    internal sealed class TolF(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tol * Math.Max(1, Math.Abs(x));
        public int GetHashCode(float obj) => 0;
    }
}

/// <summary>The F.*-op path the optimizers take on devices agrees with the CPU span path.</summary>
[Collection("Ilgpu")]
public class OptimizerDeviceTests
{
    [Theory]
    [InlineData("sgd_nesterov")]
    [InlineData("adam_amsgrad")]
    [InlineData("adamw")]
    public void Device_update_matches_the_cpu_update(string name)
    {
        Func<Tensor, Optimizer> make = name switch
        {
            "sgd_nesterov" => p => new SGD([p], lr: 0.05, momentum: 0.8, weightDecay: 0.1, nesterov: true),
            "adam_amsgrad" => p => new Adam([p], lr: 0.05, weightDecay: 0.1, amsgrad: true),
            _ => p => new AdamW([p], lr: 0.1, weightDecay: 0.5),
        };
        double[] Final(Device d)
        {
            var p = Tensor.FromArray(new[] { 1.0, -2.0, 0.5 }).ToDevice(d).RequiresGrad_();
            var opt = make(p);
            for (int s = 0; s < 4; s++)
            {
                opt.ZeroGrad();
                (p * p * 1.5 + F.Sin(p)).Sum().Backward();
                opt.Step();
            }
            return p.ToDoubleArray();
        }
        Assert.Equal(Final(Device.Cpu), Final(Device.IlgpuCpu), new OptimizerTests.Tol(1e-12));
    }
}

[Collection("Ilgpu")]
public class ModuleDeviceTests
{
    [Fact]
    public void To_device_moves_parameters_and_a_training_step_runs_there()
    {
        Sequential cpu, dev;
        using (GeneratorScope.Begin(1)) cpu = new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 2));
        using (GeneratorScope.Begin(1)) dev = new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 2)).To(Device.IlgpuCpu);
        Assert.All(dev.Parameters(), p => Assert.Equal(Device.IlgpuCpu, p.Device));
        Assert.All(dev.Parameters(), p => Assert.True(Module.IsParameter(p) && p.RequiresGrad));
        var x = Tensor.FromArray(new[] { 0.5f, -1f, 2f, 1f, 0f, -0.5f }, 2, 3);
        var y = Tensor.FromArray(new[] { 1L, 0L });
        foreach (var (model, input, target) in new[] { (cpu, x, y), (dev, x.ToDevice(Device.IlgpuCpu), y.ToDevice(Device.IlgpuCpu)) })
        {
            var opt = new SGD(model.Parameters(), lr: 0.1, momentum: 0.9);
            for (int s = 0; s < 3; s++)
            {
                using var scope = DisposeScope.Begin();
                opt.ZeroGrad();
                F.CrossEntropy(model.Forward(input), target).Backward();
                opt.Step();
            }
        }
        foreach (var ((name, a), (_, b)) in cpu.NamedParameters().Zip(dev.NamedParameters()))
            Assert.Equal(a.ToArray<float>(), b.ToArray<float>(), new OptimizerTests.TolF(1e-5f));
        // and back: a checkpoint of the device model loads into the CPU one
        cpu.LoadStateDict(dev.StateDict());
    }
}
