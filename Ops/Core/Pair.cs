namespace Framework;

/// <summary>
/// A (height, width) pair of ints, as PyTorch's <c>_pair</c>: pass <c>2</c>, <c>(2, 1)</c> or <c>new[] { 2, 1 }</c>
/// wherever an op takes a kernel size, stride, padding or dilation.
/// </summary>
public readonly record struct Pair(int H, int W)
{
    public static implicit operator Pair(int v) => new(v, v);
    public static implicit operator Pair((int H, int W) t) => new(t.H, t.W);

    public static implicit operator Pair(int[] v) => v.Length switch
    {
        1 => new(v[0], v[0]),
        2 => new(v[0], v[1]),
        _ => throw new ArgumentException($"expected 1 or 2 ints for a (height, width) pair, got [{string.Join(", ", v)}]"),
    };

    public bool Any(Func<int, bool> predicate) => predicate(H) || predicate(W);

    public override string ToString() => H == W ? $"{H}" : $"({H}, {W})";
}
