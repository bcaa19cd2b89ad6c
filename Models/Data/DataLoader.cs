using System.Collections;

namespace Framework.Models;

/// <summary>
/// Batches of a dataset (torch.utils.data.DataLoader): <paramref name="batchSize"/> items per batch, in order or
/// in a new random order each epoch (shuffle), the last short batch kept or dropped (dropLast), items combined
/// by <c>collate</c>. Shuffling draws from <c>generator</c>, or from <see cref="GeneratorScope.Current"/> at the
/// start of each epoch when none is given. Each foreach over the loader is one epoch.
/// </summary>
public class DataLoader<TItem, TBatch> : IEnumerable<TBatch>
{
    private readonly Func<IReadOnlyList<TItem>, TBatch> _collate;
    private readonly Generator? _generator;

    public DataLoader(Dataset<TItem> dataset, Func<IReadOnlyList<TItem>, TBatch> collate, int batchSize = 1, bool shuffle = false,
        bool dropLast = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collate);
        if (batchSize <= 0) throw new ArgumentException($"DataLoader: batch_size should be a positive integer value, but got batch_size={batchSize}");
        Dataset = dataset;
        _collate = collate;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _generator = generator;
    }

    public Dataset<TItem> Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }

    /// <summary>Batches per epoch (torch's len(loader)).</summary>
    public int Count => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The item indices of each batch of one epoch.</summary>
    public IEnumerable<int[]> BatchIndices()
    {
        int n = Dataset.Count;
        var order = Shuffle ? (_generator ?? GeneratorScope.Current).Permutation(n) : Enumerable.Range(0, n).ToArray();
        for (int start = 0; start < n; start += BatchSize)
        {
            int len = Math.Min(BatchSize, n - start);
            if (len < BatchSize && DropLast) yield break;
            yield return order[start..(start + len)];
        }
    }

    public IEnumerator<TBatch> GetEnumerator()
    {
        foreach (var idx in BatchIndices()) yield return MakeBatch(idx);
    }

    protected virtual TBatch MakeBatch(int[] indices) => _collate(indices.Select(i => Dataset[i]).ToList());

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// The DataLoader of tensor datasets: each batch is one tensor per item position, stacked along a new first
/// dim (torch's default_collate). <c>foreach (var (x, y) in new DataLoader(ds, batchSize: 32, shuffle: true))</c>.
/// </summary>
public sealed class DataLoader : DataLoader<Tensor[], Tensor[]>
{
    public DataLoader(Dataset<Tensor[]> dataset, int batchSize = 1, bool shuffle = false, bool dropLast = false, Generator? generator = null)
        : base(dataset, Collate, batchSize, shuffle, dropLast, generator) { }

    /// <summary>Stacks the k-th tensors of all items into the k-th tensor of the batch.</summary>
    public static Tensor[] Collate(IReadOnlyList<Tensor[]> items)
    {
        if (items.Count == 0) throw new ArgumentException("collate: no items");
        int k = items[0].Length;
        if (items.Any(i => i.Length != k))
            throw new ArgumentException($"collate: items hold different numbers of tensors ({string.Join(", ", items.Select(i => i.Length).Distinct())})");
        using var _ = Autograd.NoGrad();
        var batch = new Tensor[k];
        for (int j = 0; j < k; j++)
        {
            var parts = items.Select(i => i[j]).ToList();
            var first = parts[0].Shape;
            var odd = parts.FirstOrDefault(p => p.Shape != first);
            if (odd is not null)
                throw new ArgumentException($"collate: stack expects each tensor to be equal size, but got {first} and {odd.Shape} at position {j} of the items; " +
                                            "resize them in a transform or collate them yourself with DataLoader<TItem, TBatch>");
            batch[j] = F.Stack(parts, 0);
        }
        return batch;
    }

    protected override Tensor[] MakeBatch(int[] indices) =>
        Dataset is IBatchedDataset b ? b.GetBatch(indices) : base.MakeBatch(indices);
}
