using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

/// <summary>End to end: networks built from the layers learn separable toy problems, seeded so the tests are stable.</summary>
public class TrainingTests
{
    /// <summary>XOR of the quadrants, points kept 0.2 away from the axes: separable, but not linearly.</summary>
    private static (Tensor X, Tensor Y) Quadrants(int n, ulong seed)
    {
        var g = new Generator(seed);
        var x = new float[n * 2];
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            double a = (0.2 + 0.8 * g.NextDouble()) * (g.NextDouble() < 0.5 ? -1 : 1);
            double b = (0.2 + 0.8 * g.NextDouble()) * (g.NextDouble() < 0.5 ? -1 : 1);
            x[2 * i] = (float)a;
            x[2 * i + 1] = (float)b;
            y[i] = a * b > 0 ? 1 : 0;
        }
        return (Tensor.FromArray(x, n, 2), Tensor.FromArray(y));
    }

    [Fact]
    public void A_tiny_mlp_learns_xor_quadrants_to_near_zero_loss()
    {
        using var seed = GeneratorScope.Begin(0);
        var (x, y) = Quadrants(64, seed: 1);
        var model = new Sequential(new Linear(2, 16), new Tanh(), new Linear(16, 16), new ReLU(), new Linear(16, 2));
        var opt = new Adam(model.Parameters(), lr: 0.03);
        double loss = double.NaN;
        for (int step = 0; step < 300; step++)
        {
            opt.ZeroGrad();
            var l = F.CrossEntropy(model.Forward(x), y);
            l.Backward();
            opt.Step();
            loss = l.Item();
        }
        Assert.True(loss < 0.02, $"final loss {loss}");
        var (tx, ty) = Quadrants(200, seed: 2);
        using (Autograd.NoGrad())
        {
            var predicted = model.Eval().Forward(tx).Argmax(1).ToArray<long>();
            Assert.True(predicted.Zip(ty.ToArray<long>()).Count(p => p.First == p.Second) >= 190);
        }
    }

    [Fact]
    public void Minibatch_sgd_with_momentum_a_schedule_and_clipping_learns_a_linear_rule()
    {
        using var seed = GeneratorScope.Begin(5);
        var g = new Generator(9);
        var xs = new float[256 * 4];
        for (int i = 0; i < xs.Length; i++) xs[i] = (float)(2 * g.NextDouble() - 1);
        var ys = Enumerable.Range(0, 256).Select(i => xs[4 * i] - 0.5 * xs[4 * i + 1] + 0.25 * xs[4 * i + 3] > 0 ? 1L : 0L).ToArray();
        var data = new TensorDataset(Tensor.FromArray(xs, 256, 4), Tensor.FromArray(ys));
        var model = new Sequential(new Linear(4, 8), new ReLU(), new Dropout(0.1), new Linear(8, 2));
        var opt = new SGD(model.Parameters(), lr: 0.5, momentum: 0.9, nesterov: true);
        var sched = new StepLR(opt, stepSize: 20, gamma: 0.5);
        var loader = new DataLoader(data, batchSize: 32, shuffle: true, generator: new Generator(3));
        for (int epoch = 0; epoch < 60; epoch++)
        {
            foreach (var (xb, yb) in loader)
            {
                opt.ZeroGrad();
                F.CrossEntropy(model.Forward(xb), yb).Backward();
                Utils.ClipGradNorm(model.Parameters(), 1.0);
                opt.Step();
            }
            sched.Step();
        }
        model.Eval();
        using var _ = Autograd.NoGrad();
        var (all, labels) = (data.Tensors[0], data.Tensors[1]);
        double finalLoss = F.CrossEntropy(model.Forward(all), labels).Item();
        int correct = model.Forward(all).Argmax(1).ToArray<long>().Zip(ys).Count(p => p.First == p.Second);
        Assert.True(correct >= 250, $"{correct}/256 correct, loss {finalLoss}");
        Assert.True(finalLoss < 0.1, $"final loss {finalLoss}");
    }
}

public class CnnTrainingTests
{
    /// <summary>12x12 images with one bar, horizontal, vertical, diagonal or anti-diagonal, anywhere, with noise: the class is its direction.</summary>
    internal static (Tensor X, Tensor Y) Bars(int n, ulong seed)
    {
        var g = new Generator(seed);
        var x = new float[n * 144];
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 4;
            y[i] = c;
            int r0 = (int)g.NextLong(2, 10), c0 = (int)g.NextLong(2, 10);
            for (int k = -2; k <= 2; k++)
            {
                var (r, col) = c switch { 0 => (r0, c0 + k), 1 => (r0 + k, c0), 2 => (r0 + k, c0 + k), _ => (r0 + k, c0 - k) };
                x[i * 144 + r * 12 + col] = 1;
            }
            for (int p = 0; p < 144; p++) x[i * 144 + p] += (float)(0.2 * g.NextDouble());
        }
        return (Tensor.FromArray(x, n, 1, 12, 12), Tensor.FromArray(y));
    }

    [Fact]
    public void A_tiny_cnn_learns_bar_directions_to_near_zero_loss()
    {
        using var seed = GeneratorScope.Begin(0);
        var (x, y) = Bars(256, seed: 1);
        var model = new Sequential(
            new Conv2d(1, 8, 3, padding: 1), new ReLU(),
            new Conv2d(8, 8, 3, stride: 2, padding: 1), new ReLU(),
            new Flatten(), new Linear(8 * 6 * 6, 4));
        var opt = new Adam(model.Parameters(), lr: 0.01);
        double loss = double.NaN;
        for (int step = 0; step < 150; step++)
        {
            opt.ZeroGrad();
            var l = F.CrossEntropy(model.Forward(x), y);
            l.Backward();
            opt.Step();
            loss = l.Item();
        }
        Assert.True(loss < 0.02, $"final loss {loss}");
        var (tx, ty) = Bars(100, seed: 2);
        using var _ = Autograd.NoGrad();
        int correct = model.Forward(tx).Argmax(1).ToArray<long>().Zip(ty.ToArray<long>()).Count(p => p.First == p.Second);
        Assert.True(correct >= 95, $"{correct}/100 correct on new bars");
    }
}

public class NormalizedCnnTrainingTests
{
    [Fact]
    public void A_cnn_with_batch_norm_pooling_and_dropout_learns_bar_directions()
    {
        using var seed = GeneratorScope.Begin(3);
        var (x, y) = CnnTrainingTests.Bars(256, seed: 4);
        var model = new Sequential(
            new Conv2d(1, 8, 3, padding: 1, bias: false), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
            new Conv2d(8, 16, 3, padding: 1), new ReLU(), new AdaptiveAvgPool2d(1),
            new Flatten(), new Dropout(0.1), new Linear(16, 4));
        var opt = new AdamW(model.Parameters(), lr: 0.02);
        var sched = new OneCycleLR(opt, maxLr: 0.02, totalSteps: 150);
        var loader = new DataLoader(new TensorDataset(x, y), batchSize: 64, shuffle: true, generator: new Generator(1));
        int step = 0;
        while (step < 150)
            foreach (var (xb, yb) in loader)
            {
                if (step++ == 150) break;
                opt.ZeroGrad();
                F.CrossEntropy(model.Forward(xb), yb).Backward();
                opt.Step();
                sched.Step();
            }
        model.Eval();
        using var _ = Autograd.NoGrad();
        double trainLoss = F.CrossEntropy(model.Forward(x), y).Item();
        var (tx, ty) = CnnTrainingTests.Bars(100, seed: 5);
        int correct = model.Forward(tx).Argmax(1).ToArray<long>().Zip(ty.ToArray<long>()).Count(p => p.First == p.Second);
        Assert.True(trainLoss < 0.1, $"train loss {trainLoss}");
        Assert.True(correct >= 95, $"{correct}/100 correct on new bars");
    }
}
