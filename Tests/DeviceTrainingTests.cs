using Framework.Models;
using Xunit;

namespace Framework.Tests;

/// <summary>
/// A small spatial-transformer training step (conv layers, a localisation head, AffineGrid + GridSample,
/// pooling, batch norm, cross-entropy, SGD with momentum) gives the same loss curve on the CPU backend and on
/// ILGPU's CPU accelerator: the GPU path trains, not only evaluates single ops.
/// </summary>
[Collection("Ilgpu")]
public class DeviceTrainingTests
{
    private sealed class TinyStn : Module
    {
        readonly Conv2d loc = new(1, 4, 3, padding: 1);
        readonly Linear theta = new(4 * 4 * 4, 6);
        readonly Conv2d conv = new(1, 6, 3);
        readonly BatchNorm2d bn = new(6);
        readonly Linear fc = new(6 * 3 * 3, 3);

        public override Tensor Forward(Tensor x)
        {
            var l = F.MaxPool2d(F.Relu(loc.Forward(x)), 2);
            var t = F.Reshape(theta.Forward(F.Flatten(l, 1)), -1, 2, 3) * 0.1 + Identity(x);
            var grid = F.AffineGrid(t, [x.Shape[0], 1, 8, 8], alignCorners: false);
            var warped = F.GridSample(x, grid, "bilinear", "zeros", alignCorners: false);
            var h = F.MaxPool2d(F.Relu(bn.Forward(conv.Forward(warped))), 2);
            return fc.Forward(F.Flatten(h, 1));
        }

        private static Tensor Identity(Tensor like) =>
            Tensor.FromArray(new[] { 1.0, 0, 0, 0, 1, 0 }, 1, 2, 3).ConvertTo(like.DType).ToDevice(like.Device);
    }

    private static double[] Train(Device device)
    {
        using var _ = GeneratorScope.Begin(3);
        var g = new Generator(4);
        var x = Tensor.Randn(new Shape(6, 1, 8, 8), DType.Float64, g).ToDevice(device);
        var y = Tensor.RandInt(0, 3, new Shape(6), generator: g).ToDevice(device);
        var net = new TinyStn().Double().To(device);
        var opt = new SGD(net.Parameters(), lr: 0.05, momentum: 0.9);
        var losses = new double[6];
        for (int step = 0; step < losses.Length; step++)
        {
            using var scope = DisposeScope.Begin();
            opt.ZeroGrad();
            var loss = F.CrossEntropy(net.Forward(x), y);
            loss.Backward();
            opt.Step();
            losses[step] = loss.Item();
        }
        return losses;
    }

    [Fact, Trait("Category", "Ilgpu")]
    public void A_small_stn_training_run_gives_the_same_loss_curve_on_both_devices()
    {
        var cpu = Train(Device.Cpu);
        var gpu = Train(Device.IlgpuCpu);
        Assert.True(cpu[^1] < cpu[0], $"the loss must go down: {string.Join(", ", cpu)}");
        for (int i = 0; i < cpu.Length; i++)
            Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-10 * (1 + Math.Abs(cpu[i])), $"step {i}: cpu {cpu[i]:R}, ilgpu-cpu {gpu[i]:R}");
    }
}
