using Framework;
using Framework.Models;

namespace Framework.Benchmarks;

/// <summary>
/// The spatial-transformer row of torch_reference.py: one SGD(lr 0.01) training step of PyTorch's STN tutorial
/// network on a random batch of 64 28x28 images (zero_grad, cross_entropy(net(x), y).backward(), step). The
/// network is the one Examples/Labs/StnLab.cs trains (copied here so the benchmarks need no Examples reference).
/// </summary>
public static class StnRows
{
    public static IEnumerable<BenchRow> Rows()
    {
        yield return new BenchRow(79, "STN tutorial train step, batch 64", () =>
        {
            var net = new StnTutorialNet();
            var opt = new SGD(net.Parameters(), lr: 0.01);
            var x = Tensor.Randn(64, 1, 28, 28);
            var g = new Generator(1);
            var y = Tensor.FromArray(Enumerable.Range(0, 64).Select(_ => g.NextLong(0, 10)).ToArray());
            return () =>
            {
                opt.ZeroGrad();
                F.CrossEntropy(net.Forward(x), y).Backward();
                opt.Step();
            };
        });
    }

    /// <summary>torch_reference.py's Net: localisation conv net, fc_loc 90-32-6, affine_grid + grid_sample, LeNet-ish classifier.</summary>
    private sealed class StnTutorialNet : Module
    {
        private readonly Sequential _loc = new(new Conv2d(1, 8, 7), new MaxPool2d(2), new ReLU(), new Conv2d(8, 10, 5), new MaxPool2d(2), new ReLU());
        private readonly Sequential _fcLoc = new(new Linear(90, 32), new ReLU(), new Linear(32, 6));
        private readonly Conv2d _c1 = new(1, 10, 5), _c2 = new(10, 20, 5);
        private readonly Linear _f1 = new(320, 50), _f2 = new(50, 10);

        public override Tensor Forward(Tensor x)
        {
            var theta = _fcLoc.Forward(_loc.Forward(x).View(-1, 90)).View(-1, 2, 3);
            x = F.GridSample(x, F.AffineGrid(theta, x.Shape.ToArray(), alignCorners: false), alignCorners: false);
            x = F.Relu(F.MaxPool2d(_c1.Forward(x), 2));
            x = F.Relu(F.MaxPool2d(_c2.Forward(x), 2));
            return _f2.Forward(F.Relu(_f1.Forward(x.View(-1, 320))));
        }
    }
}
