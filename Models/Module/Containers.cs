using System.Collections;

namespace Framework.Models;

/// <summary>Modules applied one after the other (torch.nn.Sequential); children are named "0", "1", ... or as given.</summary>
public class Sequential : Module, IEnumerable<Module>
{
    [SkipRegistration] private readonly List<Module> _layers = [];

    public Sequential() { }

    public Sequential(params Module[] layers)
    {
        foreach (var l in layers) Append(l);
    }

    /// <summary>Named layers, as torch's Sequential(OrderedDict(...)).</summary>
    public Sequential(params (string Name, Module Module)[] layers)
    {
        foreach (var (name, m) in layers)
        {
            RegisterModule(name, m);
            _layers.Add(m);
        }
    }

    public Sequential Append(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public int Count => _layers.Count;

    public Module this[int index] => (uint)index < (uint)_layers.Count ? _layers[index]
        : index < 0 && index >= -_layers.Count ? _layers[_layers.Count + index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"Sequential: index {index} is out of range for {_layers.Count} layers");

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }

    public IEnumerator<Module> GetEnumerator() => _layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A list of modules whose parameters are registered (torch.nn.ModuleList); it has no Forward of its own.</summary>
public class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    [SkipRegistration] private readonly List<T> _items = [];

    public ModuleList(params T[] modules)
    {
        foreach (var m in modules) Append(m);
    }

    public ModuleList(IEnumerable<T> modules)
    {
        foreach (var m in modules) Append(m);
    }

    public ModuleList<T> Append(T module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <summary>Same as <see cref="Append"/>; lets collection initialisers work.</summary>
    public void Add(T module) => Append(module);

    public int Count => _items.Count;

    public T this[int index] => (uint)index < (uint)_items.Count ? _items[index]
        : index < 0 && index >= -_items.Count ? _items[_items.Count + index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"ModuleList: index {index} is out of range for {_items.Count} modules");

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A list of any modules.</summary>
public sealed class ModuleList : ModuleList<Module>
{
    public ModuleList(params Module[] modules) : base(modules) { }
}

/// <summary>Modules by name, registered in insertion order (torch.nn.ModuleDict).</summary>
public class ModuleDict<T> : Module, IEnumerable<KeyValuePair<string, T>> where T : Module
{
    [SkipRegistration] private readonly OrderedDictionary<string, T> _items = new();

    public ModuleDict() { }

    public ModuleDict(IEnumerable<KeyValuePair<string, T>> modules)
    {
        foreach (var (k, v) in modules) Add(k, v);
    }

    public void Add(string name, T module)
    {
        RegisterModule(name, module);
        _items.Add(name, module);
    }

    public T this[string name] => _items.TryGetValue(name, out var m) ? m
        : throw new KeyNotFoundException($"ModuleDict: no module named \"{name}\"; keys: {string.Join(", ", _items.Keys)}");

    public bool ContainsKey(string name) => _items.ContainsKey(name);
    public IEnumerable<string> Keys => _items.Keys;
    public IEnumerable<T> Values => _items.Values;
    public int Count => _items.Count;

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Modules of any type by name.</summary>
public sealed class ModuleDict : ModuleDict<Module>
{
    public ModuleDict() { }
    public ModuleDict(IEnumerable<KeyValuePair<string, Module>> modules) : base(modules) { }
}
