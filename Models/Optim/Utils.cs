namespace Framework.Models;

/// <summary>Gradient utilities (torch.nn.utils).</summary>
public static class Utils
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place so that their joint norm is at most
    /// <paramref name="maxNorm"/> (torch.nn.utils.clip_grad_norm_). The joint norm is the p-norm of the
    /// per-tensor p-norms (p = inf: the largest absolute value); gradients are multiplied by
    /// min(1, max_norm / (total_norm + 1e-6)). Returns the total norm before clipping, as a 0-d tensor.
    /// </summary>
    public static Tensor ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(normType > 0)) throw new ArgumentException($"clip_grad_norm_: norm_type must be positive, got {normType}");
        var grads = parameters.Where(p => p.Grad is not null).Select(p => p.Grad!).ToList();
        if (grads.Count == 0) return Tensor.Scalar(0);
        double total = 0;
        foreach (var g in grads)
        {
            var v = g.ToDoubleArray();
            if (double.IsPositiveInfinity(normType)) foreach (var x in v) total = Math.Max(total, Math.Abs(x));
            else
            {
                double s = 0;
                foreach (var x in v) s += Math.Pow(Math.Abs(x), normType);
                total += s;   // sum over tensors of ||g||_p^p = (norm of the norms)^p
            }
        }
        if (!double.IsPositiveInfinity(normType)) total = Math.Pow(total, 1 / normType);
        if (errorIfNonfinite && !double.IsFinite(total))
            throw new InvalidOperationException(
                $"clip_grad_norm_: the total norm of order {normType} for gradients from {grads.Count} tensors is non-finite ({total}); " +
                "set errorIfNonfinite: false to clip anyway");
        double coef = Math.Min(maxNorm / (total + 1e-6), 1.0);
        using (Autograd.NoGrad())
            foreach (var g in grads) Scale(g, coef);
        return Tensor.Scalar(total, grads[0].DType);
    }

    /// <summary>Clamps every gradient element into [-clipValue, clipValue] in place (torch.nn.utils.clip_grad_value_).</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var _ = Autograd.NoGrad();
        foreach (var p in parameters)
            if (p.Grad is { } g) g.CopyFrom(F.Clamp(g, -clipValue, clipValue));
    }

    private static void Scale(Tensor g, double c)
    {
        if (g.Storage is CpuStorage)
        {
            if (g.DType == DType.Float32) { var s = g.AsSpan<float>(); for (int i = 0; i < s.Length; i++) s[i] *= (float)c; }
            else { var s = g.AsSpan<double>(); for (int i = 0; i < s.Length; i++) s[i] *= c; }
            return;
        }
        using var scope = DisposeScope.Begin();
        g.CopyFrom(F.Mul(g, c));
    }
}
