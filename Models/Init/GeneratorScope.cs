namespace Framework.Models;

/// <summary>
/// The random stream that layer initialisation, Dropout, shuffling and random transforms use when they are
/// given no generator: inside a scope it is the scope's generator, outside it is <see cref="Generator.Default"/>
/// (reseeded by <c>Tensor.ManualSeed</c>). A scope makes a model's construction and training reproducible
/// even when other code draws from the default generator meanwhile (e.g. tests running in parallel).
/// <code>
/// using (GeneratorScope.Begin(seed: 0)) { model = new Net(); }   // same weights on every run
/// </code>
/// Scopes nest and follow async flow (AsyncLocal).
/// </summary>
public sealed class GeneratorScope : IDisposable
{
    private static readonly AsyncLocal<Generator?> CurrentScoped = new();
    private readonly Generator? _previous;
    private bool _disposed;

    private GeneratorScope(Generator generator)
    {
        _previous = CurrentScoped.Value;
        CurrentScoped.Value = generator;
        Generator = generator;
    }

    /// <summary>The generator random draws use now.</summary>
    public static Generator Current => CurrentScoped.Value ?? Generator.Default;

    public Generator Generator { get; }

    public static GeneratorScope Begin(ulong seed) => new(new Generator(seed));

    public static GeneratorScope Begin(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new GeneratorScope(generator);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CurrentScoped.Value = _previous;
    }
}
