namespace Framework;

/// <summary>
/// Disposes the device tensors created inside it when it ends, so a training step does not leak GPU
/// memory (TorchSharp's DisposeScope). Keep a result with <see cref="Tensor.MoveToOuterDisposeScope"/>.
/// Leaf gradients and CPU tensors are never registered (the GC owns CPU memory).
/// <code>
/// using (var scope = DisposeScope.Begin()) { var loss = Step(); lossValue = loss.Item(); }
/// </code>
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly DisposeScope? _outer;
    private readonly List<Tensor> _tensors = [];
    private bool _disposed;

    private DisposeScope()
    {
        _outer = _current;
        _current = this;
    }

    public static DisposeScope Begin() => new();

    public static DisposeScope? Current => _current;

    public int Count => _tensors.Count;

    internal void Register(Tensor t) => _tensors.Add(t);

    internal bool Remove(Tensor t) => _tensors.Remove(t);

    internal void Adopt(Tensor t) => _tensors.Add(t);

    internal DisposeScope? Outer => _outer;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _tensors) t.Dispose();
        _tensors.Clear();
        _current = _outer;
    }
}

public sealed partial class Tensor
{
    private DisposeScope? _scope;
    private int _disposed;

    /// <summary>Registers a new device tensor with the current DisposeScope, if any.</summary>
    private void RegisterInScope()
    {
        if (Storage is not IlgpuStorage) return;
        var s = DisposeScope.Current;
        if (s is null) return;
        s.Register(this);
        _scope = s;
    }

    /// <summary>Keeps this tensor alive past the current scope (it joins the enclosing one, or none).</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        if (_scope is not null && _scope.Remove(this))
        {
            _scope = _scope.Outer;
            _scope?.Adopt(this);
        }
        return this;
    }

    /// <summary>Takes this tensor out of every scope: only an explicit Dispose (or the GC) frees it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        _scope?.Remove(this);
        _scope = null;
        return this;
    }

    /// <summary>Releases this tensor's device memory (its share of it, when reshapes share storage).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (Storage is IlgpuStorage s) s.Release();
    }

    public bool IsDisposed => _disposed == 1;
}
