namespace Framework;

/// <summary>
/// A (height, width) pair of an op argument that PyTorch takes as "an int or a tuple" (kernel_size, stride,
/// padding, scale_factor): a single value converts to (v, v), a tuple (h, w) to itself.
/// <c>F.MaxPool2d(x, 3, stride: 2, padding: (1, 0))</c>.
/// </summary>
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
