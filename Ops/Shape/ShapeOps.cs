using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Framework;

// Reshapes share storage; everything that reorders or selects elements copies (tensors stay contiguous).
public static partial class F
{
    /// <summary>A tensor with the same elements in another shape; one dimension may be -1 (inferred).</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        var target = InferShape("reshape", x, shape);
        if (target == x.Shape && !x.RequiresGrad) return x;
        var y = x.ViewAs(target);
        var inShape = x.Shape;
        return Autograd.Record("reshape", y, [x], g => [g.ViewAs(inShape)]);
    }

    public static Tensor View(Tensor x, params int[] shape) => Reshape(x, shape);

    private static Shape InferShape(string op, Tensor x, int[] shape)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dimension can be inferred, got {Shape.Format(shape)}");
                infer = i;
            }
            else if (shape[i] < 0) throw new ArgumentException($"{op}: invalid shape dimension {shape[i]} in {Shape.Format(shape)}");
            else known *= shape[i];
        }
        var dims = (int[])shape.Clone();
        if (infer >= 0)
        {
            if (known == 0 || x.Numel % known != 0)
                throw new ArgumentException($"{op}: shape {Shape.Format(shape)} is invalid for input of size {x.Numel} {x.Shape}");
            dims[infer] = (int)(x.Numel / known);
        }
        var s = new Shape(dims);
        if (s.Numel != x.Numel)
            throw new ArgumentException($"{op}: shape {Shape.Format(shape)} is invalid for input of size {x.Numel} {x.Shape}");
        return s;
    }

    /// <summary>Flattens dims startDim..endDim into one.</summary>
    public static Tensor Flatten(Tensor x, int startDim = 0, int endDim = -1)
    {
        if (x.Rank == 0) return Reshape(x, 1);
        int s = Shape.NormalizeDim(startDim, x.Rank, "flatten"), e = Shape.NormalizeDim(endDim, x.Rank, "flatten");
        if (s > e) throw new ArgumentException($"flatten: startDim {startDim} cannot come after endDim {endDim}");
        var dims = new List<int>();
        for (int i = 0; i < s; i++) dims.Add(x.Shape[i]);
        int m = 1;
        for (int i = s; i <= e; i++) m *= x.Shape[i];
        dims.Add(m);
        for (int i = e + 1; i < x.Rank; i++) dims.Add(x.Shape[i]);
        return Reshape(x, dims.ToArray());
    }

    /// <summary>Removes size-1 dims (all of them, or only <paramref name="dim"/>).</summary>
    public static Tensor Squeeze(Tensor x, int? dim = null)
    {
        if (dim is null) return Reshape(x, x.Shape.Where(d => d != 1).ToArray());
        if (x.Rank == 0) return x;
        int d = Shape.NormalizeDim(dim.Value, x.Rank, "squeeze");
        if (x.Shape[d] != 1) return x;
        var dims = x.Shape.ToList();
        dims.RemoveAt(d);
        return Reshape(x, dims.ToArray());
    }

    /// <summary>Inserts a size-1 dim at <paramref name="dim"/> (in [-rank-1, rank]).</summary>
    public static Tensor Unsqueeze(Tensor x, int dim)
    {
        int d = Shape.NormalizeDim(dim, x.Rank + 1, "unsqueeze");
        var dims = x.Shape.ToList();
        dims.Insert(d, 1);
        return Reshape(x, dims.ToArray());
    }

    /// <summary>Reorders dimensions (a copy).</summary>
    public static Tensor Permute(Tensor x, params int[] dims)
    {
        if (dims.Length != x.Rank)
            throw new ArgumentException($"permute: number of dims {dims.Length} does not match the input's rank {x.Rank} {x.Shape}");
        var perm = dims.Select(d => Shape.NormalizeDim(d, x.Rank, "permute")).ToArray();
        if (perm.Distinct().Count() != perm.Length)
            throw new ArgumentException($"permute: repeated dim in {Shape.Format(dims)}");
        bool identity = perm.Select((p, i) => p == i).All(b => b);
        if (identity) return x;
        var y = PermuteKernel.Run(x, perm);
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return Autograd.Record("permute", y, [x], g => [PermuteKernel.Run(g, inverse)]);
    }

    public static Tensor Transpose(Tensor x, int dim0, int dim1)
    {
        int a = Shape.NormalizeDim(dim0, x.Rank, "transpose"), b = Shape.NormalizeDim(dim1, x.Rank, "transpose");
        if (x.Rank == 0) return x;
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(x, perm);
    }

    /// <summary>Broadcasts x to <paramref name="shape"/> (a copy); -1 keeps a dimension.</summary>
    public static Tensor Expand(Tensor x, params int[] shape)
    {
        var dims = (int[])shape.Clone();
        int lead = dims.Length - x.Rank;
        if (lead < 0) throw new ArgumentException($"expand: the number of sizes {Shape.Format(shape)} must be at least the rank of {x.Shape}");
        for (int i = 0; i < dims.Length; i++)
            if (dims[i] == -1)
            {
                if (i < lead) throw new ArgumentException($"expand: -1 is not allowed in a new leading dimension ({Shape.Format(shape)})");
                dims[i] = x.Shape[i - lead];
            }
        return BroadcastTo(x, new Shape(dims));
    }

    public static Tensor BroadcastTo(Tensor x, Shape shape)
    {
        if (x.Shape == shape) return x;
        var target = Shape.Broadcast(x.Shape, shape, "expand");
        if (target != shape)
            throw new ArgumentException($"expand: the shape {x.Shape} cannot be expanded to {shape}");
        var inShape = x.Shape;
        if (x.Numel == 1 && x.Device.IsCpu)
        {
            // a scalar (the gradient of a sum, typically) broadcast everywhere: a fill, not a gather
            var filled = Tensor.Uninitialized(shape, x.DType, x.Device);
            FillParallel(filled, x.ToDoubleArray()[0]);
            return Autograd.Record("expand", filled, [x], g => [SumToShape(g, inShape)]);
        }
        int lead = shape.Rank - x.Rank;
        // the input keeps its own rank: map each of its dims from the matching output dim
        var maps = new int[x.Rank][];
        var outDims = shape.ToArray();
        for (int i = 0; i < x.Rank; i++)
            maps[i] = x.Shape[i] == 1 ? new int[outDims[lead + i]] : IndexMap.Identity(outDims[lead + i]);
        var y = IndexMap.Gather(x, maps);
        long leadCount = 1;
        for (int i = 0; i < lead; i++) leadCount *= outDims[i];
        if (lead > 0) y = RepeatLeading(y, leadCount).ViewAs(shape);
        else y = y.ViewAs(shape);
        return Autograd.Record("expand", y, [x], g => [SumToShape(g, inShape)]);
    }

    /// <summary>Fills a CPU float tensor, on all cores when it is large: the gradient of a sum is as large as its input.</summary>
    private static void FillParallel(Tensor t, double value)
    {
        if (t.DType == DType.Float32) { var a = t.Data<float>(); Par.For(a.Length, 1, (s, e) => FillRange(a, s, e, (float)value), Par.StreamingGrain); }
        else if (t.DType == DType.Float64) { var a = t.Data<double>(); Par.For(a.Length, 1, (s, e) => FillRange(a, s, e, value), Par.StreamingGrain); }
        else t.Fill_(value);
    }

    /// <summary>a[s..e) = value; compiled optimised at once (Span.Fill ran as on-stack-replacement code in a hot loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillRange<T>(T[] a, long s, long e, T value) where T : unmanaged
    {
        ref T r = ref MemoryMarshal.GetArrayDataReference(a);
        var v = Vector256.Create(value);
        nuint i = (nuint)s, end = (nuint)e, n = (nuint)Vector256<T>.Count;
        for (; i + 4 * n <= end; i += 4 * n)
        {
            Vector256.StoreUnsafe(v, ref r, i);
            Vector256.StoreUnsafe(v, ref r, i + n);
            Vector256.StoreUnsafe(v, ref r, i + 2 * n);
            Vector256.StoreUnsafe(v, ref r, i + 3 * n);
        }
        for (; i < end; i++) Unsafe.Add(ref r, i) = value;
    }

    private static Tensor RepeatLeading(Tensor y, long times)
    {
        var r = Tensor.Empty(new Shape(checked((int)(y.Numel * times))), y.DType, y.Device);
        if (y.Device.IsIlgpu)
        {
            for (long t = 0; t < times; t++) CopyBlock(y, r, y.Numel, r.Numel, t * y.Numel);
            return r;
        }
        var src = ((CpuStorage)y.Storage).Data;
        var dst = ((CpuStorage)r.Storage).Data;
        for (long t = 0; t < times; t++) Array.Copy(src, 0, dst, t * y.Numel, y.Numel);
        return r;
    }

    /// <summary>Elements start..start+length-1 of dim (a copy).</summary>
    public static Tensor Narrow(Tensor x, int dim, int start, int length)
    {
        Check.NotScalar("narrow", x);
        int d = Shape.NormalizeDim(dim, x.Rank, "narrow");
        int n = x.Shape[d];
        if (start < 0) start += n;
        if (start < 0 || length < 0 || start + length > n)
            throw new ArgumentException($"narrow: start {start} and length {length} exceed dimension {d} of size {n} in {x.Shape}");
        return Slice(x, d, start, start + length, 1);
    }

    /// <summary>x[..., start:end:step, ...] along dim, with Python's clamping of start and end (a copy).</summary>
    public static Tensor Slice(Tensor x, int dim, int? start = null, int? end = null, int step = 1)
    {
        Check.NotScalar("slice", x);
        int d = Shape.NormalizeDim(dim, x.Rank, "slice");
        if (step <= 0) throw new ArgumentException($"slice: step must be positive, got {step}");
        int n = x.Shape[d];
        int s = start ?? 0, e = end ?? n;
        if (s < 0) s += n;
        if (e < 0) e += n;
        s = Math.Clamp(s, 0, n);
        e = Math.Clamp(e, s, n);
        var map = new int[(e - s + step - 1) / step];
        for (int i = 0; i < map.Length; i++) map[i] = s + i * step;
        return GatherDim("slice", x, d, map);
    }

    /// <summary>The slice at <paramref name="index"/> of dim, with that dim removed.</summary>
    public static Tensor Select(Tensor x, int dim, int index)
    {
        Check.NotScalar("select", x);
        int d = Shape.NormalizeDim(dim, x.Rank, "select");
        int n = x.Shape[d];
        if (index < -n || index >= n)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"select: index {index} is out of range for dimension {d} of size {n} in {x.Shape}");
        if (index < 0) index += n;
        return Squeeze(GatherDim("select", x, d, [index]), d);
    }

    /// <summary>Rows of dim picked by a 1-D int64 index tensor (torch.index_select).</summary>
    public static Tensor IndexSelect(Tensor x, int dim, Tensor index)
    {
        Check.NotScalar("index_select", x);
        int d = Shape.NormalizeDim(dim, x.Rank, "index_select");
        if (index.DType != DType.Int64 || index.Rank > 1)
            throw new ArgumentException($"index_select: index must be a 1-D int64 tensor, got {index.DType.Name()} {index.Shape}");
        var idx = index.ToArray<long>();
        int n = x.Shape[d];
        var map = new int[idx.Length];
        for (int i = 0; i < idx.Length; i++)
        {
            if (idx[i] < -n || idx[i] >= n)
                throw new ArgumentOutOfRangeException(nameof(index), idx[i], $"index_select: index {idx[i]} is out of range for dimension {d} of size {n} in {x.Shape}");
            map[i] = (int)(idx[i] < 0 ? idx[i] + n : idx[i]);
        }
        return GatherDim("index_select", x, d, map);
    }

    /// <summary>Gather through a map on one dim, identity on the others; the backward scatter-adds.</summary>
    internal static Tensor GatherDim(string op, Tensor x, int dim, int[] map)
    {
        var maps = new int[x.Rank][];
        for (int i = 0; i < x.Rank; i++) maps[i] = i == dim ? map : IndexMap.Identity(x.Shape[i]);
        return GatherMaps(op, x, maps);
    }

    internal static Tensor GatherMaps(string op, Tensor x, int[][] maps, double fill = 0)
    {
        var y = IndexMap.Gather(x, maps, fill);
        var inShape = x.Shape;
        return Autograd.Record(op, y, [x], g => [IndexMap.ScatterAdd(g, inShape, maps)]);
    }

    /// <summary>Repeats the tensor along each dim (torch.Tensor.repeat).</summary>
    public static Tensor Repeat(Tensor x, params int[] repeats)
    {
        if (repeats.Length < x.Rank)
            throw new ArgumentException($"repeat: number of repeat dims {repeats.Length} can not be smaller than the rank of {x.Shape}");
        var xr = x.Rank < repeats.Length ? Reshape(x, Enumerable.Repeat(1, repeats.Length - x.Rank).Concat(x.Shape).ToArray()) : x;
        var maps = new int[repeats.Length][];
        for (int i = 0; i < repeats.Length; i++)
        {
            if (repeats[i] < 0) throw new ArgumentException($"repeat: repeats must be non-negative, got {Shape.Format(repeats)}");
            int n = xr.Shape[i];
            maps[i] = new int[n * repeats[i]];
            for (int j = 0; j < maps[i].Length; j++) maps[i][j] = j % n;
        }
        return GatherMaps("repeat", xr, maps);
    }

    /// <summary>An independent copy that stays on the graph (torch.clone).</summary>
    public static Tensor Clone(Tensor x)
    {
        var y = x.CloneData();
        y.Name = null;
        return Autograd.Record("clone", y, [x], g => [g]);
    }

    /// <summary>Copies to another device; gradients flow back to the source device.</summary>
    public static Tensor To(Tensor x, Device device)
    {
        if (x.Device == device) return x;
        var y = x.ToDevice(device);
        var from = x.Device;
        return Autograd.Record("to", y, [x], g => [g.ToDevice(from)]);
    }

    /// <summary>Converts to another float dtype; gradients flow back converted.</summary>
    public static Tensor To(Tensor x, DType dtype)
    {
        if (x.DType == dtype) return x;
        var y = x.ConvertTo(dtype);
        if (!dtype.IsFloatingPoint() || !x.DType.IsFloatingPoint()) return y;
        var from = x.DType;
        return Autograd.Record("to", y, [x], g => [g.ConvertTo(from)]);
    }
}

public static partial class F
{
    /// <summary>Copies x's outer blocks of <paramref name="chunk"/> elements into rows of y (rowLen elements) at offsetInRow.</summary>
    internal static void CopyBlock(Tensor x, Tensor y, long chunk, long rowLen, long offsetInRow)
    {
        switch (x.DType)
        {
            case DType.Float32: ShapeGpu.CopyBlocks<float>(x, y, chunk, rowLen, offsetInRow); break;
            case DType.Float64: ShapeGpu.CopyBlocks<double>(x, y, chunk, rowLen, offsetInRow); break;
            case DType.Int64: ShapeGpu.CopyBlocks<long>(x, y, chunk, rowLen, offsetInRow); break;
            default: ShapeGpu.CopyBlocks<byte>(x, y, chunk, rowLen, offsetInRow); break;
        }
    }
}

internal static class PermuteKernel
{
    public static Tensor Run(Tensor x, int[] perm)
    {
        var outDims = perm.Select(p => x.Shape[p]).ToArray();
        var y = Tensor.Empty(new Shape(outDims), x.DType, x.Device);
        if (y.Numel == 0) return y;
        var inStrides = x.Shape.Strides();
        var strides = perm.Select(p => inStrides[p]).ToArray();
        if (x.Device.IsIlgpu)
        {
            switch (x.DType)
            {
                case DType.Float32: ShapeGpu.Permute<float>(x, y, outDims, strides); break;
                case DType.Float64: ShapeGpu.Permute<double>(x, y, outDims, strides); break;
                case DType.Int64: ShapeGpu.Permute<long>(x, y, outDims, strides); break;
                default: ShapeGpu.Permute<byte>(x, y, outDims, strides); break;
            }
            return y;
        }
        switch (x.DType)
        {
            case DType.Float32: Copy(x.Data<float>(), y.Data<float>(), outDims, strides); break;
            case DType.Float64: Copy(x.Data<double>(), y.Data<double>(), outDims, strides); break;
            case DType.Int64: Copy(x.Data<long>(), y.Data<long>(), outDims, strides); break;
            default: Copy(x.Data<bool>(), y.Data<bool>(), outDims, strides); break;
        }
        return y;
    }

    private static void Copy<T>(T[] x, T[] y, int[] dims, long[] strides) where T : unmanaged
    {
        int rank = dims.Length;
        int inner = dims[^1];
        long innerStride = strides[^1];
        long rows = y.LongLength / inner;
        Par.For(rows, inner, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                long off = 0, rem = r;
                for (int d = rank - 2; d >= 0; d--)
                {
                    off += rem % dims[d] * strides[d];
                    rem /= dims[d];
                }
                long yo = r * inner;
                for (int j = 0; j < inner; j++) y[yo + j] = x[off + j * innerStride];
            }
        });
    }
}
