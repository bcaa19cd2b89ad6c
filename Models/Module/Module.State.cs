namespace Framework.Models;

/// <summary>What <see cref="Module.LoadStateDict"/> did not match (torch's _IncompatibleKeys).</summary>
public sealed record LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

public abstract partial class Module
{
    /// <summary>
    /// The module's state: every parameter and persistent buffer under its dotted name, in PyTorch's order
    /// (torch's state_dict). The tensors are detached views of the live ones (they share storage).
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var d = new OrderedDictionary<string, Tensor>();
        foreach (var (name, t) in LiveState()) d[name] = t.Detach();
        return d;
    }

    /// <summary>(name, live tensor) pairs of the state dict. A shared module appears under each of its names, as in PyTorch.</summary>
    internal List<(string Name, Tensor Tensor)> LiveState()
    {
        var list = new List<(string, Tensor)>();
        Collect(this, "", list, new HashSet<Module>(ReferenceEqualityComparer.Instance));
        return list;

        static void Collect(Module m, string prefix, List<(string, Tensor)> list, HashSet<Module> path)
        {
            if (!path.Add(m))
                throw new InvalidOperationException($"{m.TypeName}: the module tree has a cycle at \"{prefix}\"");
            var members = m.Members();
            foreach (var x in members)
                if (x.Kind == MemberKind.Parameter) list.Add((Join(prefix, x.Name), (Tensor)x.Value));
            foreach (var x in members)
                if (x.Kind == MemberKind.Buffer && x.Persistent) list.Add((Join(prefix, x.Name), (Tensor)x.Value));
            foreach (var x in members)
                if (x.Kind == MemberKind.Module) Collect((Module)x.Value, Join(prefix, x.Name), list, path);
            path.Remove(m);
        }
    }

    /// <summary>
    /// Copies a state dict into this module's parameters and buffers (torch's load_state_dict). Everything is
    /// checked before anything is copied: a shape or dtype mismatch, and with <paramref name="strict"/> a
    /// missing or unexpected key, throws an ArgumentException listing every problem and leaves the module as it was.
    /// Tensors on another device are moved to the parameter's device.
    /// </summary>
    public LoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var live = LiveState();
        var liveNames = new HashSet<string>(live.Select(l => l.Name));
        var missing = live.Where(l => !stateDict.ContainsKey(l.Name)).Select(l => l.Name).ToList();
        var unexpected = stateDict.Keys.Where(k => !liveNames.Contains(k)).ToList();
        var errors = new List<string>();
        if (strict && unexpected.Count > 0)
            errors.Add("Unexpected key(s) in state_dict: " + string.Join(", ", unexpected.Select(k => $"\"{k}\"")) + ".");
        if (strict && missing.Count > 0)
            errors.Add("Missing key(s) in state_dict: " + string.Join(", ", missing.Select(k => $"\"{k}\"")) + ".");
        foreach (var (name, dst) in live)
        {
            if (!stateDict.TryGetValue(name, out var src)) continue;
            if (src is null) { errors.Add($"{name}: the state dict holds null"); continue; }
            if (src.Shape != dst.Shape)
                errors.Add($"size mismatch for {name}: copying a param with shape {src.Shape} from checkpoint, the shape in current model is {dst.Shape}.");
            else if (src.DType != dst.DType)
                errors.Add($"dtype mismatch for {name}: the checkpoint holds {src.DType.Name()}, the model {dst.DType.Name()}; " +
                           $"convert the model first with .To(DType.{src.DType}) or the checkpoint's tensors.");
        }
        if (errors.Count > 0)
            throw new ArgumentException($"{TypeName}: Error(s) in loading state_dict for {TypeName}:\n\t" + string.Join("\n\t", errors));
        foreach (var (name, dst) in live)
        {
            if (!stateDict.TryGetValue(name, out var src)) continue;
            if (src.Device == dst.Device) dst.CopyFrom(src);
            else
            {
                var moved = src.ToDevice(dst.Device);
                dst.CopyFrom(moved);
                moved.Dispose();
            }
        }
        return new LoadResult(missing, unexpected);
    }

    /// <summary>
    /// Replaces every parameter and buffer t by fn(t) (when fn returns another tensor), keeping parameters
    /// parameters, shared tensors shared, and converting gradients alike. The replacements outlive DisposeScopes.
    /// </summary>
    internal void ApplyToTensors(Func<Tensor, Tensor> fn)
    {
        var memo = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (_, module) in NamedModules())
            foreach (var m in module.Members())
            {
                if (m.Kind == MemberKind.Module) continue;
                var t = (Tensor)m.Value;
                if (!memo.TryGetValue(t, out var replacement))
                {
                    replacement = Replace(t, fn, m.Kind == MemberKind.Parameter, m.Persistent);
                    memo[t] = replacement;
                }
                if (!ReferenceEquals(replacement, t)) m.Replace(replacement);
            }
    }

    private static Tensor Replace(Tensor t, Func<Tensor, Tensor> fn, bool isParameter, bool persistent)
    {
        var n = fn(t);
        if (ReferenceEquals(n, t)) return t;
        n.DetachFromDisposeScope();
        n.Name = t.Name;
        if (isParameter)
        {
            Parameter(n, t.RequiresGrad);
            if (t.Grad is { } g)
            {
                var ng = fn(g);
                n.Grad = ReferenceEquals(ng, g) ? g : ng.DetachFromDisposeScope();
            }
        }
        else Buffer(n, persistent);
        return n;
    }
}
