using System.Runtime.CompilerServices;

namespace Framework.Models;

/// <summary>
/// The base of every layer and network (torch.nn.Module). A module owns named parameters (leaf tensors the
/// optimizer updates), named buffers (state such as BatchNorm's running mean) and named child modules.
/// <para>Two ways to register them, as in PyTorch:</para>
/// <list type="bullet">
/// <item>fields: a field (or auto-property) holding a <see cref="Module"/> is a child; a field holding a tensor
/// made with <see cref="Parameter"/> (or <see cref="Buffer"/>) is a parameter (buffer). The name is the field's
/// name in snake_case without leading underscores (<c>Fc1</c> and <c>_fc1</c> are "fc1", <c>RunningMean</c>
/// is "running_mean"), so a C# network gets PyTorch's state-dict keys;</item>
/// <item>explicit calls: <see cref="RegisterParameter"/>, <see cref="RegisterBuffer"/>,
/// <see cref="RegisterModule{T}"/> with any name (built-in layers use these with PyTorch's names).</item>
/// </list>
/// <code>
/// sealed class Mlp : Module
/// {
///     readonly Linear fc1 = new(2, 16), fc2 = new(16, 2);
///     public override Tensor Forward(Tensor x) => fc2.Forward(F.Relu(fc1.Forward(x)));
/// }
/// </code>
/// Explicit registrations come first in every listing, then fields in declaration order (base class first).
/// </summary>
public abstract partial class Module
{
    private readonly List<Entry> _entries = [];

    /// <summary>True after Train() (the default), false after Eval(): Dropout and BatchNorm read it.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The computation of this module; override it (torch's forward).</summary>
    public virtual Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{TypeName}: Forward(Tensor) is not implemented; override it in {GetType().Name} (containers such as ModuleList have no forward, as in PyTorch)");

    /// <summary>Runs <see cref="Forward"/> (torch's module(x)).</summary>
    public Tensor Call(Tensor input) => Forward(input);

    // ---- marking tensors as parameters and buffers ----

    private static readonly ConditionalWeakTable<Tensor, TensorRole> Roles = new();

    private sealed class TensorRole(bool isParameter, bool persistent)
    {
        public bool IsParameter { get; } = isParameter;
        public bool Persistent { get; } = persistent;
    }

    /// <summary>
    /// Marks a tensor as a parameter (torch.nn.Parameter): a leaf that requires grad (unless told otherwise),
    /// picked up by <see cref="Parameters"/> when a module's field holds it. A non-leaf is detached first.
    /// </summary>
    public static Tensor Parameter(Tensor data, bool requiresGrad = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        var p = data.IsLeaf ? data : data.Detach();
        if (requiresGrad && !p.DType.IsFloatingPoint())
            throw new ArgumentException($"Parameter: only floating-point tensors can require gradients, got {p.DType.Name()} {p.Shape}");
        p.RequiresGrad = requiresGrad;
        Roles.AddOrUpdate(p, new TensorRole(true, true));
        return p;
    }

    /// <summary>Marks a tensor as a buffer: module state that is not trained (saved in the state dict when persistent).</summary>
    public static Tensor Buffer(Tensor data, bool persistent = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        Roles.AddOrUpdate(data, new TensorRole(false, persistent));
        return data;
    }

    /// <summary>Whether the tensor was made a parameter (by <see cref="Parameter"/> or <see cref="RegisterParameter"/>).</summary>
    public static bool IsParameter(Tensor t) => Roles.TryGetValue(t, out var r) && r.IsParameter;

    // ---- explicit registration (torch's register_parameter / register_buffer / add_module) ----

    /// <summary>Registers a parameter under <paramref name="name"/>; null registers an absent one (a layer without bias).</summary>
    public Tensor? RegisterParameter(string name, Tensor? parameter)
    {
        CheckNewName(name);
        var p = parameter is null ? null : IsParameter(parameter) ? parameter : Parameter(parameter);
        if (p is not null) p.Name ??= name;
        _entries.Add(new Entry(name, MemberKind.Parameter, p, true));
        return p;
    }

    /// <summary>Registers a buffer; a persistent one is part of <see cref="StateDict"/> and checkpoints.</summary>
    public Tensor? RegisterBuffer(string name, Tensor? buffer, bool persistent = true)
    {
        CheckNewName(name);
        if (buffer is not null) Buffer(buffer, persistent);
        _entries.Add(new Entry(name, MemberKind.Buffer, buffer, persistent));
        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    public T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        if (ReferenceEquals(module, this))
            throw new ArgumentException($"{TypeName}: a module cannot be its own child ('{name}')");
        _entries.Add(new Entry(name, MemberKind.Module, module, true));
        return module;
    }

    /// <summary>torch's add_module: the same as <see cref="RegisterModule{T}"/>.</summary>
    public Module AddModule(string name, Module module) => RegisterModule(name, module);

    private void CheckNewName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0) throw new ArgumentException($"{TypeName}: a member name cannot be empty");
        if (name.Contains('.')) throw new ArgumentException($"{TypeName}: member name cannot contain \".\", got \"{name}\"");
        if (_entries.Any(e => e.Name == name))
            throw new ArgumentException($"{TypeName}: a member named \"{name}\" is already registered");
    }

    /// <summary>The tensor registered as parameter <paramref name="name"/> (null when registered as absent).</summary>
    protected Tensor? GetParameter(string name) => Find(name, MemberKind.Parameter);

    protected Tensor? GetBuffer(string name) => Find(name, MemberKind.Buffer);

    private Tensor? Find(string name, MemberKind kind)
    {
        foreach (var e in _entries)
            if (e.Name == name && e.Kind == kind) return (Tensor?)e.Value;
        throw new KeyNotFoundException($"{TypeName}: no {kind.ToString().ToLowerInvariant()} named \"{name}\"");
    }

    /// <summary>The class name PyTorch prints (generic arity removed).</summary>
    public string TypeName
    {
        get
        {
            var n = GetType().Name;
            int tick = n.IndexOf('`');
            return tick < 0 ? n : n[..tick];
        }
    }

    // ---- train / eval / grads ----

    /// <summary>Sets training mode on this module and all below it (torch's train(mode)).</summary>
    public Module SetTraining(bool mode)
    {
        foreach (var (_, m) in NamedModules()) m.Training = mode;
        return this;
    }

    /// <summary>Clears the gradients of every parameter (torch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    internal enum MemberKind { Parameter, Buffer, Module }

    private sealed class Entry(string name, MemberKind kind, object? value, bool persistent)
    {
        public string Name { get; } = name;
        public MemberKind Kind { get; } = kind;
        public object? Value { get; set; } = value;
        public bool Persistent { get; } = persistent;
    }

    /// <summary>One registered parameter, buffer or child, with a way to replace it (used by To()).</summary>
    internal readonly record struct Member(string Name, MemberKind Kind, object Value, bool Persistent, Action<object> Replace);

    /// <summary>This module's own members: explicit registrations first, then fields; absent ones skipped.</summary>
    internal List<Member> Members()
    {
        var list = new List<Member>();
        var names = new HashSet<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var e in _entries)
        {
            names.Add(e.Name);
            if (e.Value is null) continue;
            seen.Add(e.Value);
            var entry = e;
            list.Add(new Member(e.Name, e.Kind, e.Value, e.Persistent, v => entry.Value = v));
        }
        foreach (var slot in FieldDiscovery.Slots(GetType()))
        {
            var value = slot.Field.GetValue(this);
            if (value is null || !seen.Add(value)) continue;
            MemberKind kind;
            bool persistent = true;
            if (value is Module child)
            {
                if (ReferenceEquals(child, this)) continue;
                kind = MemberKind.Module;
            }
            else if (value is Tensor t && Roles.TryGetValue(t, out var role))
            {
                kind = role.IsParameter ? MemberKind.Parameter : MemberKind.Buffer;
                persistent = role.Persistent;
            }
            else continue;
            if (!names.Add(slot.Name))
                throw new InvalidOperationException(
                    $"{TypeName}: field '{slot.Field.Name}' would be registered as \"{slot.Name}\", a name already taken; rename the field or register it explicitly");
            var field = slot.Field;
            list.Add(new Member(slot.Name, kind, value, persistent, v => field.SetValue(this, v)));
        }
        return list;
    }
}
