namespace Framework.Models;

// Listings with PyTorch's dotted names ("layer1.0.conv1.weight") and PyTorch's order: a module's own
// members first, then its children depth-first. A module or tensor reachable twice is listed once.
public abstract partial class Module
{
    /// <summary>The direct children with their names (torch's named_children).</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var m in Members())
            if (m.Kind == MemberKind.Module) yield return (m.Name, (Module)m.Value);
    }

    public IEnumerable<Module> Children() => NamedChildren().Select(c => c.Module);

    /// <summary>This module (named "" or <paramref name="prefix"/>) and every module below it (torch's named_modules).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(string, Module)>();
        stack.Push((prefix, this));
        while (stack.Count > 0)
        {
            var (name, m) = stack.Pop();
            if (!seen.Add(m)) continue;
            yield return (name, m);
            var children = m.NamedChildren().ToList();
            for (int i = children.Count - 1; i >= 0; i--)
                stack.Push((Join(name, children[i].Name), children[i].Module));
        }
    }

    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>Parameters with dotted names (torch's named_parameters); only this module's own when !recurse.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "", bool recurse = true) =>
        NamedTensors(MemberKind.Parameter, prefix, recurse, persistentOnly: false);

    /// <summary>The parameters to hand to an optimizer (torch's parameters()).</summary>
    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters("", recurse).Select(p => p.Parameter);

    /// <summary>Buffers with dotted names (torch's named_buffers), persistent or not.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "", bool recurse = true) =>
        NamedTensors(MemberKind.Buffer, prefix, recurse, persistentOnly: false);

    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers("", recurse).Select(b => b.Buffer);

    private IEnumerable<(string, Tensor)> NamedTensors(MemberKind kind, string prefix, bool recurse, bool persistentOnly)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var modules = recurse ? NamedModules(prefix) : [(prefix, this)];
        foreach (var (moduleName, module) in modules)
            foreach (var m in module.Members())
                if (m.Kind == kind && (!persistentOnly || m.Persistent) && seen.Add((Tensor)m.Value))
                    yield return (Join(moduleName, m.Name), (Tensor)m.Value);
    }

    /// <summary>The module at a dotted path ("layer1.0.conv1"); "" is this module (torch's get_submodule).</summary>
    public Module GetSubmodule(string target)
    {
        if (target.Length == 0) return this;
        Module current = this;
        var walked = new List<string>();
        foreach (var part in target.Split('.'))
        {
            var next = current.NamedChildren().FirstOrDefault(c => c.Name == part).Module;
            if (next is null)
                throw new ArgumentException(
                    $"{TypeName}: {(walked.Count == 0 ? "this module" : string.Join('.', walked))} ({current.TypeName}) has no submodule \"{part}\"; " +
                    $"its children are: {string.Join(", ", current.NamedChildren().Select(c => c.Name).DefaultIfEmpty("(none)"))}");
            walked.Add(part);
            current = next;
        }
        return current;
    }

    /// <summary>Runs <paramref name="fn"/> on this module and every module below it, children first (torch's apply).</summary>
    public Module Apply(Action<Module> fn)
    {
        foreach (var c in Children()) c.Apply(fn);
        fn(this);
        return this;
    }

    /// <summary>Total number of parameter elements (trainable ones only when <paramref name="trainableOnly"/>).</summary>
    public long ParameterCount(bool trainableOnly = false) =>
        Parameters().Where(p => !trainableOnly || p.RequiresGrad).Sum(p => p.Numel);

    internal static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
