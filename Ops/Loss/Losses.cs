namespace Framework;

/// <summary>How a loss reduces its per-element values: "none", "mean" (default) or "sum", as in PyTorch.</summary>
public static partial class F
{
    private static Tensor Reduce(string op, Tensor loss, string reduction) => reduction switch
    {
        "mean" => Mean(loss),
        "sum" => Sum(loss),
        "none" => loss,
        _ => throw new ArgumentException($"{op}: reduction must be 'none', 'mean' or 'sum', got '{reduction}'"),
    };

    private static void SameShape(string op, Tensor input, Tensor target)
    {
        if (input.Shape != target.Shape)
            throw new ArgumentException($"{op}: input {input.Shape} and target {target.Shape} must have the same shape");
        Check.SameDTypeAndDevice(op, input, target);
    }

    public static Tensor MseLoss(Tensor input, Tensor target, string reduction = "mean")
    {
        SameShape("mse_loss", input, target);
        return Reduce("mse_loss", Square(Sub(input, target)), reduction);
    }

    public static Tensor L1Loss(Tensor input, Tensor target, string reduction = "mean")
    {
        SameShape("l1_loss", input, target);
        return Reduce("l1_loss", Abs(Sub(input, target)), reduction);
    }

    /// <summary>Huber-like: 0.5 d^2 / beta where |d| &lt; beta, else |d| - 0.5 beta (torch's smooth_l1_loss).</summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, string reduction = "mean", double beta = 1.0)
    {
        SameShape("smooth_l1_loss", input, target);
        if (beta < 0) throw new ArgumentException($"smooth_l1_loss: beta must be non-negative, got {beta}");
        var d = Abs(Sub(input, target));
        if (beta == 0) return Reduce("smooth_l1_loss", d, reduction);
        var quadratic = Div(Mul(Square(d), 0.5), beta);
        var linear = Sub(d, 0.5 * beta);
        return Reduce("smooth_l1_loss", Where(Lt(d, beta), quadratic, linear), reduction);
    }

    /// <summary>
    /// Negative log likelihood of class indices: input (N, C) or (N, C, d1, ...) of log-probabilities, target int64
    /// (N) or (N, d1, ...). Optional class weights; targets equal to ignoreIndex contribute nothing; "mean" divides
    /// by the summed weights of the counted targets, as torch.
    /// </summary>
    public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, int ignoreIndex = -100, string reduction = "mean")
    {
        Check.Float("nll_loss", input);
        if (target.DType != DType.Int64)
            throw new ArgumentException($"nll_loss: target must hold int64 class indices, got {target.DType.Name()} {target.Shape}");
        if (input.Rank < 1)
            throw new ArgumentException($"nll_loss: input must be (N, C) or (N, C, d1, ...), got {input.Shape}");
        var (logp, tgt) = ClassLast("nll_loss", input, target);
        int c = logp.Shape[1];
        if (weight is not null && (weight.Rank != 1 || weight.Shape[0] != c))
            throw new ArgumentException($"nll_loss: weight must have shape ({c}), got {weight.Shape}");
        var t = tgt.ToArray<long>();
        var index = new long[t.Length];
        var wv = new double[t.Length];
        var classW = weight?.ToDoubleArray();
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] == ignoreIndex) { index[i] = 0; wv[i] = 0; continue; }
            if (t[i] < 0 || t[i] >= c)
                throw new ArgumentOutOfRangeException(nameof(target), t[i], $"nll_loss: target {t[i]} is out of bounds for {c} classes");
            index[i] = t[i];
            wv[i] = classW?[t[i]] ?? 1;
        }
        var picked = Gather(logp, 1, Tensor.FromArray(index, t.Length, 1).ToDevice(input.Device));
        var w = Tensor.FromDoubles(wv, new Shape(t.Length, 1), input.DType, input.Device);
        var losses = Neg(Mul(picked, w));
        var targetShape = target.Shape;
        return reduction switch
        {
            "none" => Reshape(losses, targetShape.ToArray()),
            "sum" => Sum(losses),
            "mean" => Div(Sum(losses), wv.Sum()),
            _ => throw new ArgumentException($"nll_loss: reduction must be 'none', 'mean' or 'sum', got '{reduction}'"),
        };
    }

    /// <summary>(N, C, d1, ...) to (N * d1 * ..., C) with the matching flat targets.</summary>
    private static (Tensor Input, Tensor Target) ClassLast(string op, Tensor input, Tensor target)
    {
        if (input.Rank == 1)
        {
            if (target.Rank != 0)
                throw new ArgumentException($"{op}: for an unbatched input {input.Shape} the target must be 0-D, got {target.Shape}");
            return (Unsqueeze(input, 0), Reshape(target, 1));
        }
        var expected = new List<int> { input.Shape[0] };
        for (int i = 2; i < input.Rank; i++) expected.Add(input.Shape[i]);
        if (!target.Shape.SequenceEqual(expected))
            throw new ArgumentException($"{op}: expected target of shape {Shape.Format(expected.ToArray())} for input {input.Shape}, got {target.Shape}");
        if (input.Rank == 2) return (input, target);
        var perm = new List<int> { 0 };
        for (int i = 2; i < input.Rank; i++) perm.Add(i);
        perm.Add(1);
        return (Reshape(Permute(input, perm.ToArray()), -1, input.Shape[1]), Reshape(target, -1));
    }

    /// <summary>
    /// Cross entropy of logits and class indices: log_softmax over dim 1, then nll_loss; with
    /// labelSmoothing e the target distribution is (1 - e) one-hot + e / C (torch's formula).
    /// </summary>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, int ignoreIndex = -100,
        string reduction = "mean", double labelSmoothing = 0)
    {
        Check.Float("cross_entropy", input);
        if (labelSmoothing < 0 || labelSmoothing > 1)
            throw new ArgumentException($"cross_entropy: labelSmoothing must be in [0, 1], got {labelSmoothing}");
        if (input.Rank < 1) throw new ArgumentException($"cross_entropy: input must be (N, C) or (N, C, d1, ...), got {input.Shape}");
        int classDim = input.Rank == 1 ? 0 : 1;
        var logp = LogSoftmax(input, classDim);
        var nll = NllLoss(logp, target, weight, ignoreIndex, reduction);
        if (labelSmoothing == 0) return nll;
        // smoothing term: -sum_c w_c log p_c / C per element, over the non-ignored targets
        var (lp, tgt) = ClassLast("cross_entropy", logp, target);
        int c = lp.Shape[1];
        var keep = tgt.ToArray<long>().Select(v => v == ignoreIndex ? 0.0 : 1.0).ToArray();
        var keepT = Tensor.FromDoubles(keep, new Shape(keep.Length, 1), input.DType, input.Device);
        var weighted = weight is null ? lp : Mul(lp, Reshape(weight, 1, c));
        var smooth = Neg(Mul(Sum(weighted, 1, keepDim: true), keepT));
        Tensor smoothReduced = reduction switch
        {
            "none" => Reshape(smooth, target.Shape.ToArray()),
            "sum" => Sum(smooth),
            _ => Div(Sum(smooth), MeanDenominator(tgt, weight, ignoreIndex)),
        };
        return Add(Mul(nll, 1 - labelSmoothing), Mul(smoothReduced, labelSmoothing / c));
    }

    private static double MeanDenominator(Tensor target, Tensor? weight, int ignoreIndex)
    {
        var w = weight?.ToDoubleArray();
        double s = 0;
        foreach (var t in target.ToArray<long>()) if (t != ignoreIndex) s += w?[t] ?? 1;
        return s;
    }

    /// <summary>Binary cross entropy of probabilities in [0, 1]; log terms clamped at -100 as torch.</summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean")
    {
        SameShape("binary_cross_entropy", input, target);
        var inRange = input.ToDoubleArray().All(v => v >= 0 && v <= 1);
        if (!inRange)
            throw new ArgumentException("binary_cross_entropy: input values must be probabilities in [0, 1]; for logits use BinaryCrossEntropyWithLogits");
        var logP = Clamp(Log(input), min: -100);
        var log1mP = Clamp(Log(Sub(1.0, input)), min: -100);
        var loss = Neg(Add(Mul(target, logP), Mul(Sub(1.0, target), log1mP)));
        if (weight is not null) loss = Mul(loss, weight);
        return Reduce("binary_cross_entropy", loss, reduction);
    }

    /// <summary>
    /// Sigmoid + binary cross entropy in one stable expression: (1 - t) x + (1 + (p - 1) t) log(1 + exp(-x)),
    /// with optional posWeight p per class (broadcast over the last dim) and element weight.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null,
        Tensor? posWeight = null, string reduction = "mean")
    {
        SameShape("binary_cross_entropy_with_logits", input, target);
        // log(1 + exp(-x)) = softplus(-x), stable for any x
        var logSigNeg = Softplus(Neg(input));
        Tensor loss;
        if (posWeight is null) loss = Add(Mul(Sub(1.0, target), input), logSigNeg);
        else
        {
            var coef = Add(Mul(Sub(posWeight, 1.0), target), 1.0);
            loss = Add(Mul(Sub(1.0, target), input), Mul(coef, logSigNeg));
        }
        if (weight is not null) loss = Mul(loss, weight);
        return Reduce("binary_cross_entropy_with_logits", loss, reduction);
    }
}
