using CsCheck;
using Framework.Models;
using Framework.Testing;
using Xunit;

namespace Framework.Tests;

/// <summary>The README's code, compiled and run: if an API it shows changes, this file stops building.</summary>
public class ReadmeExamplesTests
{
    [Fact]
    public void Fifteen_lines()
    {
        var x = Tensor.Randn(new Shape(4, 3), DType.Float64).RequiresGrad_();
        var w = Tensor.Randn(new Shape(3, 2), DType.Float64).RequiresGrad_();
        var loss = F.Tanh(x.Matmul(w)).Square().Mean();
        loss.Backward();
        Assert.Contains("grad_fn=<divBackward>", loss.ToString());
        Assert.Equal(w.Shape, w.Grad!.Shape);
        var report = GradCheck.Run(xs => F.Tanh(xs[0].Matmul(xs[1])).Square().Mean(), [x, w]);
        Assert.True(report.Passed, report.ToString());
        using (Autograd.NoGrad()) Assert.False((x * 2.0).RequiresGrad);
    }

    private static Tensor Softsign(Tensor x)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = x / (1.0 + F.Abs(x));
        return Autograd.Record("softsign", y, [x], g => [g / F.Square(1.0 + F.Abs(x))]);
    }

    [Fact]
    public void Gradient_of_your_own_op()
    {
        var inputs = Gens.Shape(minRank: 1, maxRank: 3).SelectMany(s => Gens.Tensor(s, -3, 3));
        GradCheck.Sample(inputs, Softsign, iter: 20);
    }

    private sealed class Net : Module
    {
        readonly Conv2d conv = new(1, 8, 3, padding: 1);
        readonly Linear fc = new(8 * 28 * 28, 10);
        public override Tensor Forward(Tensor x) => fc.Forward(F.Relu(conv.Forward(x)).Flatten(1));
    }

    [Fact]
    public void Models()
    {
        var (images, labels) = SyntheticDigits.Generate(128, seed: 0);
        var loader = new DataLoader(new TensorDataset(images, labels), batchSize: 64, shuffle: true, generator: new Generator(0));
        var net = new Net();
        var opt = new AdamW(net.Parameters(), lr: 1e-3);
        foreach (var (x, y) in loader) { opt.ZeroGrad(); F.CrossEntropy(net.Forward(x), y).Backward(); opt.Step(); }
        Assert.Contains("conv", net.ToString());
        var path = Path.Combine(Path.GetTempPath(), $"readme-{Guid.NewGuid():N}.safetensors");
        Safetensors.SaveModel(net, path);
        Assert.True(File.Exists(path));
        File.Delete(path);
    }
}
