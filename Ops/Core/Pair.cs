namespace Framework;

/// <summary>
/// A (height, width) pair of ints, as PyTorch's <c>_pair</c>: pass <c>2</c> or <c>(2, 1)</c> wherever an op takes a
/// kernel size, stride, padding, dilation or output size (a list converts with <see cref="From"/>).
/// <c>F.MaxPool2d(x, 3, stride: 2, padding: (1, 0))</c>.
/// </summary>
public readonly record struct Pair(int H, int W)
{
    public static implicit operator Pair(int v) => new(v, v);
    public static implicit operator Pair((int H, int W) t) => new(t.H, t.W);

    /// <summary>From a list of one value (both) or two values (h, w), as golden files and configs give them.</summary>
    public static Pair From(IReadOnlyList<int> values, string op, string name) => values.Count switch
    {
        1 => new(values[0], values[0]),
        2 => new(values[0], values[1]),
        _ => throw new ArgumentException($"{op}: {name} must be a single value or a pair, got {values.Count} values ({string.Join(", ", values)})"),
    };

    public bool Any(Func<int, bool> predicate) => predicate(H) || predicate(W);

    public override string ToString() => $"({H}, {W})";
}

/// <summary>A (height, width) pair of another value type, e.g. <c>Pair&lt;double&gt;</c> for interpolate's scale_factor.</summary>
public readonly record struct Pair<T>(T H, T W) where T : struct
{
    public static implicit operator Pair<T>(T v) => new(v, v);
    public static implicit operator Pair<T>((T H, T W) t) => new(t.H, t.W);

    /// <summary>From a list of one value (both) or two values (h, w), as golden files and configs give them.</summary>
    public static Pair<T> From(IReadOnlyList<T> values, string op, string name) => values.Count switch
    {
        1 => new(values[0], values[0]),
        2 => new(values[0], values[1]),
        _ => throw new ArgumentException($"{op}: {name} must be a single value or a pair, got {values.Count} values ({string.Join(", ", values)})"),
    };

    public override string ToString() => $"({H}, {W})";
}
