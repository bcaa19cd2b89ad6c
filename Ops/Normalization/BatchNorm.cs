using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// Batch normalization of a (N, C, ...) input over N and the spatial dims, per channel
    /// (torch.nn.functional.batch_norm). Training normalizes with the batch mean and biased variance and, when
    /// running statistics are given, updates them in place: running = (1 - momentum) running + momentum batch,
    /// with the unbiased batch variance. Eval normalizes with the running statistics. Gradients flow to input,
    /// weight and bias (not to the running statistics).
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "batch_norm";
        Check.Float(op, input);
        if (input.Rank < 2) throw new ArgumentException($"{op}: expected input of at least 2 dims (N, C, ...), got shape {input.Shape}");
        Check.Finite(op, eps, "eps");
        Check.Finite(op, momentum, "momentum");
        int c = input.Shape[1];
        CheckChannelVector(op, input, runningMean, "running_mean", c);
        CheckChannelVector(op, input, runningVar, "running_var", c);
        CheckChannelVector(op, input, weight, "weight", c);
        CheckChannelVector(op, input, bias, "bias", c);
        if (!training && (runningMean is null || runningVar is null))
            throw new ArgumentException($"{op}: running_mean and running_var must be defined in evaluation mode (training false)");
        var layout = new NormLayout
        {
            N = input.Shape[0], C = c, S = checked((int)input.Shape.Skip(2).Aggregate(1L, (p, d) => p * d)), Groups = 1, PerChannel = 1,
            HasWeight = weight is null ? 0 : 1, HasBias = bias is null ? 0 : 1,
        };
        if (training && layout.Count == 1)
            throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input size {input.Shape}");
        return input.DType == DType.Float32
            ? BatchNormRun(input, runningMean, runningVar, weight, bias, NormArgs<float>.Create(layout, eps, momentum, training))
            : BatchNormRun(input, runningMean, runningVar, weight, bias, NormArgs<double>.Create(layout, eps, momentum, training));
    }

    /// <summary>A per-channel vector argument: null, or C elements of the input's dtype and device.</summary>
    internal static void CheckChannelVector(string op, Tensor input, Tensor? v, string name, int channels)
    {
        if (v is null) return;
        Check.SameDTypeAndDevice(op, input, v);
        if (v.Numel != channels)
            throw new ArgumentException($"{op}: {name} should contain {channels} elements (the channels of input {input.Shape}), got shape {v.Shape}");
    }

    private static Tensor BatchNormRun<T>(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? w, Tensor? b, NormArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        var stats = Tensor.Empty(new Shape(3 * l.C), x.DType, x.Device);
        if (a.Training != 0)
        {
            NormKernels.Stats(x, stats, a);
            // an empty batch has no statistics to learn from (PyTorch leaves the running ones as they are)
            if (l.Count > 0 && (runningMean is not null || runningVar is not null))
            {
                var u = a;
                u.UpdateMean = runningMean is null ? 0 : 1;
                u.UpdateVar = runningVar is null ? 0 : 1;
                NormKernels.UpdateRunning(runningMean ?? stats, runningVar ?? stats, stats, u);
            }
        }
        else NormKernels.RunningStats(runningMean!, runningVar!, stats, a);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        NormKernels.Apply(x, stats, w, b, y, a);
        Tensor[] inputs = [x, .. w is null ? Array.Empty<Tensor>() : [w], .. b is null ? Array.Empty<Tensor>() : [b]];
        return Autograd.Record("batch_norm", y, inputs, g =>
        {
            var sumG = Tensor.Empty(new Shape(l.C), x.DType, x.Device);
            var sumGX = Tensor.Empty(new Shape(l.C), x.DType, x.Device);
            NormKernels.AffineSums(g, x, stats, sumG, sumGX, a);
            Tensor? gx = null;
            if (x.RequiresGrad)
            {
                gx = Tensor.Empty(x.Shape, x.DType, x.Device);
                NormKernels.ChannelInputGrad(g, x, stats, w, sumG, sumGX, gx, a);
            }
            var grads = new List<Tensor?> { gx };
            if (w is not null) grads.Add(w.RequiresGrad ? sumGX.ViewAs(w.Shape) : null);
            if (b is not null) grads.Add(b.RequiresGrad ? sumG.ViewAs(b.Shape) : null);
            return grads.ToArray();
        });
    }
}
