namespace Framework;

/// <summary>
/// A seedable random number generator (xoshiro256**), so a lab or a test is reproducible.
/// <c>Generator.Default</c> serves calls that pass none; <c>Tensor.ManualSeed</c> reseeds it.
/// Not PyTorch's stream: the same seed gives the same numbers here, not the same numbers as torch.
/// </summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;
    private readonly Lock _lock = new();

    public Generator(ulong seed = 0x9E3779B97F4A7C15UL) => Seed(seed);

    public static Generator Default { get; } = new(42);

    public void Seed(ulong seed)
    {
        lock (_lock)
        {
            // splitmix64 expands the seed into the four state words
            ulong x = seed;
            _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
            _spareNormal = null;
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private ulong NextULongUnlocked()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    public ulong NextULong()
    {
        lock (_lock) return NextULongUnlocked();
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble()
    {
        lock (_lock) return (NextULongUnlocked() >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Uniform integer in [low, high).</summary>
    public long NextLong(long low, long high)
    {
        if (high <= low) throw new ArgumentException($"random integer range [{low}, {high}) is empty");
        ulong range = (ulong)(high - low);
        lock (_lock) return low + (long)(NextULongUnlocked() % range);
    }

    /// <summary>Standard normal (Box–Muller).</summary>
    public double NextNormal()
    {
        lock (_lock) return NextNormalUnlocked();
    }

    private double NextNormalUnlocked()
    {
        if (_spareNormal is { } spare) { _spareNormal = null; return spare; }
        double u1, u2;
        do u1 = (NextULongUnlocked() >> 11) * (1.0 / (1UL << 53)); while (u1 <= double.Epsilon);
        u2 = (NextULongUnlocked() >> 11) * (1.0 / (1UL << 53));
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    public void FillUniform(Span<double> dst, double low, double high)
    {
        lock (_lock)
            for (int i = 0; i < dst.Length; i++)
                dst[i] = low + (high - low) * ((NextULongUnlocked() >> 11) * (1.0 / (1UL << 53)));
    }

    public void FillNormal(Span<double> dst, double mean, double std)
    {
        lock (_lock)
            for (int i = 0; i < dst.Length; i++) dst[i] = mean + std * NextNormalUnlocked();
    }

    /// <summary>A random permutation of 0..n-1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        lock (_lock)
            for (int i = n - 1; i > 0; i--)
            {
                int j = (int)(NextULongUnlocked() % (ulong)(i + 1));
                (p[i], p[j]) = (p[j], p[i]);
            }
        return p;
    }
}
