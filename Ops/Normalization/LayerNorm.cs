using System.Numerics;

namespace Framework;

public static partial class F
{
    /// <summary>
    /// Layer normalization over the trailing dims <paramref name="normalizedShape"/> (torch.nn.functional.layer_norm):
    /// each row is normalized with its mean and biased variance, then scaled by weight and shifted by bias,
    /// both of shape normalizedShape when given.
    /// </summary>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "layer_norm";
        Check.Float(op, input);
        Check.Finite(op, eps, "eps");
        int k = normalizedShape.Length;
        if (k == 0)
            throw new ArgumentException($"{op}: expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, got ()");
        var ns = Shape.Format(normalizedShape);
        if (input.Rank < k || !input.Shape.Skip(input.Rank - k).SequenceEqual(normalizedShape))
            throw new ArgumentException($"{op}: given normalized_shape={ns}, expected input with shape (*, {string.Join(", ", normalizedShape)}), got input of size {input.Shape}");
        foreach (var (t, name) in new[] { (weight, "weight"), (bias, "bias") })
        {
            if (t is null) continue;
            Check.SameDTypeAndDevice(op, input, t);
            if (!t.Shape.SequenceEqual(normalizedShape))
                throw new ArgumentException($"{op}: expected {name} to be of same shape as normalized_shape, got {name} of shape {t.Shape} and normalized_shape={ns}");
        }
        long d = normalizedShape.Aggregate(1L, (a, b) => a * b);
        var layout = new NormLayout
        {
            N = checked((int)(d == 0 ? input.Shape.Take(input.Rank - k).Aggregate(1L, (a, b) => a * b) : input.Numel / d)),
            C = checked((int)d), S = 1, Groups = 1,
            HasWeight = weight is null ? 0 : 1, HasBias = bias is null ? 0 : 1,
        };
        return input.DType == DType.Float32
            ? GroupwiseNorm(op, input, weight, bias, NormArgs<float>.Create(layout, eps))
            : GroupwiseNorm(op, input, weight, bias, NormArgs<double>.Create(layout, eps));
    }

    /// <summary>Forward and backward of a normalization with statistics per (n, group): layer_norm and group_norm.</summary>
    internal static Tensor GroupwiseNorm<T>(string op, Tensor x, Tensor? w, Tensor? b, NormArgs<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = a.L;
        var stats = Tensor.Empty(new Shape(3 * l.Stats), x.DType, x.Device);
        NormKernels.Stats(x, stats, a);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        NormKernels.Apply(x, stats, w, b, y, a);
        Tensor[] inputs = [x, .. w is null ? Array.Empty<Tensor>() : [w], .. b is null ? Array.Empty<Tensor>() : [b]];
        return Autograd.Record(op, y, inputs, g =>
        {
            Tensor? gx = null;
            if (x.RequiresGrad)
            {
                gx = Tensor.Empty(x.Shape, x.DType, x.Device);
                NormKernels.GroupInputGrad(g, x, stats, w, gx, a);
            }
            var grads = new List<Tensor?> { gx };
            if (w?.RequiresGrad == true || b?.RequiresGrad == true)
            {
                var sumG = Tensor.Empty(new Shape(l.C), x.DType, x.Device);
                var sumGX = Tensor.Empty(new Shape(l.C), x.DType, x.Device);
                NormKernels.AffineSums(g, x, stats, sumG, sumGX, a);
                if (w is not null) grads.Add(w.RequiresGrad ? sumGX.ViewAs(w.Shape) : null);
                if (b is not null) grads.Add(b.RequiresGrad ? sumG.ViewAs(b.Shape) : null);
            }
            else
            {
                if (w is not null) grads.Add(null);
                if (b is not null) grads.Add(null);
            }
            return grads.ToArray();
        });
    }
}
