namespace Framework.Models;

/// <summary>A map-style dataset (torch.utils.data.Dataset): a count and an item per index.</summary>
public abstract class Dataset<T>
{
    public abstract int Count { get; }

    public abstract T this[int index] { get; }

    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{GetType().Name}: index {index} is out of range for a dataset of {Count} items");
    }
}

/// <summary>Items that can be taken many at once (the DataLoader's fast path: one IndexSelect per tensor instead of a Stack).</summary>
internal interface IBatchedDataset
{
    Tensor[] GetBatch(int[] indices);
}

/// <summary>
/// Rows of tensors that share their first dim (torch.utils.data.TensorDataset): item i is
/// [tensors[0][i], tensors[1][i], ...]. Deconstruct an item or a batch with <c>var (x, y) = item;</c>.
/// </summary>
public sealed class TensorDataset : Dataset<Tensor[]>, IBatchedDataset
{
    private readonly Tensor[] _tensors;

    public TensorDataset(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("TensorDataset: needs at least one tensor");
        foreach (var t in tensors)
        {
            if (t is null) throw new ArgumentException("TensorDataset: a tensor is null");
            if (t.Rank == 0) throw new ArgumentException("TensorDataset: tensors need a first (sample) dim, got a 0-d tensor");
        }
        if (tensors.Any(t => t.Shape[0] != tensors[0].Shape[0]))
            throw new ArgumentException($"TensorDataset: size mismatch between tensors: first dims {string.Join(", ", tensors.Select(t => t.Shape[0]))}");
        _tensors = tensors;
    }

    public IReadOnlyList<Tensor> Tensors => _tensors;

    public override int Count => _tensors[0].Shape[0];

    public override Tensor[] this[int index]
    {
        get
        {
            CheckIndex(index);
            using var _ = Autograd.NoGrad();
            return _tensors.Select(t => F.Select(t, 0, index)).ToArray();
        }
    }

    public Tensor[] GetBatch(int[] indices)
    {
        using var _ = Autograd.NoGrad();
        var idx = Tensor.FromArray(indices.Select(i => (long)i).ToArray());
        return _tensors.Select(t => F.IndexSelect(t, 0, idx)).ToArray();   // index_select reads the index on the host
    }
}

/// <summary>A dataset whose items' first tensor goes through a transform (torchvision's transform= argument).</summary>
public sealed class TransformedDataset(Dataset<Tensor[]> source, ITransform transform) : Dataset<Tensor[]>
{
    public Dataset<Tensor[]> Source { get; } = source ?? throw new ArgumentNullException(nameof(source));
    public ITransform Transform { get; } = transform ?? throw new ArgumentNullException(nameof(transform));

    public override int Count => Source.Count;

    public override Tensor[] this[int index]
    {
        get
        {
            var item = (Tensor[])Source[index].Clone();
            using var _ = Autograd.NoGrad();
            item[0] = Transform.Apply(item[0]);
            return item;
        }
    }
}

/// <summary>The items of <paramref name="source"/> at the given indices (torch.utils.data.Subset).</summary>
public sealed class Subset<T>(Dataset<T> source, IReadOnlyList<int> indices) : Dataset<T>
{
    public override int Count => indices.Count;

    public override T this[int index]
    {
        get
        {
            CheckIndex(index);
            return source[indices[index]];
        }
    }
}

public static class DatasetExtensions
{
    /// <summary>Applies <paramref name="transform"/> to the first tensor (the image) of every item.</summary>
    public static TransformedDataset WithTransform(this Dataset<Tensor[]> dataset, ITransform transform) => new(dataset, transform);

    /// <summary>Items start..start+count-1 as a dataset.</summary>
    public static Subset<T> Take<T>(this Dataset<T> dataset, int count, int start = 0)
    {
        if (start < 0 || count < 0 || start + count > dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Subset: items [{start}, {start + count}) are outside a dataset of {dataset.Count}");
        return new Subset<T>(dataset, Enumerable.Range(start, count).ToArray());
    }

    /// <summary>Lets a batch or an item be taken apart: <c>foreach (var (x, y) in loader)</c>.</summary>
    public static void Deconstruct(this Tensor[] tensors, out Tensor first, out Tensor second)
    {
        if (tensors.Length != 2) throw new ArgumentException($"Deconstruct: the batch holds {tensors.Length} tensors, not 2");
        first = tensors[0];
        second = tensors[1];
    }

    public static void Deconstruct(this Tensor[] tensors, out Tensor first, out Tensor second, out Tensor third)
    {
        if (tensors.Length != 3) throw new ArgumentException($"Deconstruct: the batch holds {tensors.Length} tensors, not 3");
        first = tensors[0];
        second = tensors[1];
        third = tensors[2];
    }
}
