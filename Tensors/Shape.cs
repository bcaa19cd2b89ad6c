using System.Collections;

namespace Framework;

/// <summary>An immutable list of dimension sizes, printed as PyTorch prints sizes: (2, 3, 4).</summary>
public sealed class Shape : IReadOnlyList<int>, IEquatable<Shape>
{
    private readonly int[] _dims;

    public Shape(params int[] dims)
    {
        foreach (var d in dims)
            if (d < 0) throw new ArgumentException($"shape {Format(dims)} has a negative dimension");
        _dims = (int[])dims.Clone();
        long n = 1;
        foreach (var d in _dims) n *= d;
        Numel = n;
    }

    public static readonly Shape Scalar = new();

    public int this[int index] => (uint)index < (uint)_dims.Length ? _dims[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"shape: {this} has no dimension {index} (rank {Rank})");
    public int Count => _dims.Length;
    public int Rank => _dims.Length;
    public long Numel { get; }

    /// <summary>A dimension, counting from the end when negative (PyTorch's dim convention).</summary>
    public int Dim(int dim) => Rank == 0
        ? throw new ArgumentOutOfRangeException(nameof(dim), dim, $"size: a 0-dim tensor has no dimension {dim}")
        : _dims[NormalizeDim(dim, Rank, "size")];

    public int[] ToArray() => (int[])_dims.Clone();
    public ReadOnlySpan<int> AsSpan() => _dims;

    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>Row-major strides in elements.</summary>
    public long[] Strides()
    {
        var s = new long[Rank];
        long acc = 1;
        for (int i = Rank - 1; i >= 0; i--) { s[i] = acc; acc *= _dims[i]; }
        return s;
    }

    public static int NormalizeDim(int dim, int rank, string op)
    {
        int r = Math.Max(rank, 1);
        if (dim < -r || dim >= r)
            throw new ArgumentOutOfRangeException(nameof(dim), dim,
                $"{op}: dimension out of range (expected to be in range of [{-r}, {r - 1}], but got {dim})");
        return dim < 0 ? dim + r : dim;
    }

    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    public override string ToString() => Format(_dims);
    public static string Format(ReadOnlySpan<int> dims) => "(" + string.Join(", ", dims.ToArray()) + ")";

    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dims).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _dims.GetEnumerator();

    /// <summary>NumPy broadcasting of two shapes; throws naming the op and both shapes when they do not broadcast.</summary>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        if (a.Equals(b)) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i} of the broadcast result: {da} vs {db})");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }
}
