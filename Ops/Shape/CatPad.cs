namespace Framework;

public static partial class F
{
    /// <summary>Concatenates tensors of equal shape except along dim.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("cat: expected a non-empty list of tensors");
        var first = tensors[0];
        int d = Shape.NormalizeDim(dim, first.Rank, "cat");
        if (first.Rank == 0) throw new ArgumentException("cat: zero-dimensional tensors cannot be concatenated; use Stack");
        int total = 0;
        foreach (var t in tensors)
        {
            if (t.DType != first.DType) throw new ArgumentException($"cat: expected one dtype, got {first.DType.Name()} and {t.DType.Name()}");
            Tensor.CheckSameDevice("cat", first, t);
            if (t.Rank != first.Rank)
                throw new ArgumentException($"cat: tensors must have the same rank, got {first.Shape} and {t.Shape}");
            for (int i = 0; i < t.Rank; i++)
                if (i != d && t.Shape[i] != first.Shape[i])
                    throw new ArgumentException($"cat: sizes must match except in dimension {d}, got {first.Shape} and {t.Shape}");
            total += t.Shape[d];
        }
        var outDims = first.Shape.ToArray();
        outDims[d] = total;
        var y = Tensor.Empty(new Shape(outDims), first.DType, first.Device);
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= outDims[i];
        for (int i = d + 1; i < outDims.Length; i++) inner *= outDims[i];
        long offsetInRow = 0, rowLen = total * inner;
        foreach (var t in tensors)
        {
            long chunk = t.Shape[d] * inner;
            if (chunk > 0)
            {
                if (y.Device.IsIlgpu) CopyBlock(t, y, chunk, rowLen, offsetInRow);
                else
                {
                    var src = ((CpuStorage)t.Storage).Data;
                    var dst = ((CpuStorage)y.Storage).Data;
                    for (long o = 0; o < outer; o++) Array.Copy(src, o * chunk, dst, o * rowLen + offsetInRow, chunk);
                }
            }
            offsetInRow += chunk;
        }
        var sizes = tensors.Select(t => t.Shape[d]).ToArray();
        var inputs = tensors.ToArray();
        return Autograd.Record("cat", y, inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            int start = 0;
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i].RequiresGrad) grads[i] = Narrow(g, d, start, sizes[i]);
                start += sizes[i];
            }
            return grads;
        });
    }

    /// <summary>Stacks tensors of one shape along a new dim.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("stack: expected a non-empty list of tensors");
        foreach (var t in tensors)
            if (t.Shape != tensors[0].Shape)
                throw new ArgumentException($"stack: expects each tensor to be equal size, but got {tensors[0].Shape} and {t.Shape}");
        int d = Shape.NormalizeDim(dim, tensors[0].Rank + 1, "stack");
        return Cat(tensors.Select(t => Unsqueeze(t, d)).ToArray(), d);
    }

    /// <summary>
    /// Pads the last dims as torch.nn.functional.pad: <paramref name="pad"/> = (left, right) of the last dim,
    /// then (top, bottom) of the one before, ... Negative pads crop in constant mode.
    /// Modes: "constant" (with <paramref name="value"/>), "reflect" (mirror without the edge), "replicate", "circular".
    /// </summary>
    public static Tensor Pad(Tensor x, int[] pad, string mode = "constant", double value = 0)
    {
        if (pad.Length % 2 != 0 || pad.Length / 2 > x.Rank)
            throw new ArgumentException($"pad: padding length must be even and at most twice the rank; got {pad.Length} values for {x.Shape}");
        if (mode is not ("constant" or "reflect" or "replicate" or "circular"))
            throw new ArgumentException($"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '{mode}'");
        var maps = new int[x.Rank][];
        for (int d = 0; d < x.Rank; d++) maps[d] = IndexMap.Identity(x.Shape[d]);
        for (int k = 0; k < pad.Length / 2; k++)
        {
            int d = x.Rank - 1 - k, before = pad[2 * k], after = pad[2 * k + 1], n = x.Shape[d];
            int outLen = n + before + after;
            if (outLen < 0)
                throw new ArgumentException($"pad: padding ({before}, {after}) of dimension {d} with size {n} gives a negative size");
            if (mode != "constant" && (before < 0 || after < 0))
                throw new ArgumentException($"pad: negative padding ({before}, {after}) is only supported in constant mode");
            if (mode == "reflect" && (before >= n || after >= n))
                throw new ArgumentException($"pad: reflect padding ({before}, {after}) must be less than the size {n} of dimension {d} in {x.Shape}");
            if (mode is "replicate" or "circular" && n == 0)
                throw new ArgumentException($"pad: {mode} padding of the empty dimension {d} in {x.Shape}");
            if (mode == "circular" && (before > n || after > n))
                throw new ArgumentException($"pad: circular padding ({before}, {after}) must be at most the size {n} of dimension {d}");
            var map = new int[outLen];
            for (int i = 0; i < outLen; i++)
            {
                int src = i - before;
                map[i] = mode switch
                {
                    "constant" => src >= 0 && src < n ? src : -1,
                    "replicate" => Math.Clamp(src, 0, n - 1),
                    "circular" => ((src % n) + n) % n,
                    _ => src < 0 ? -src : src >= n ? 2 * (n - 1) - src : src,
                };
            }
            maps[d] = map;
        }
        return GatherMaps("pad", x, maps, value);
    }
}
