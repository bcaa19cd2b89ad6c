using CsCheck;

namespace Framework.Tests;

/// <summary>
/// One op's entry in the catalog (PyTorch's OpInfo): how to make sample inputs, its golden cases, and the
/// bad inputs it must refuse. The generated tests in CatalogTests run every check over every entry.
/// </summary>
public sealed class OpInfo
{
    /// <summary>The op's PyTorch name, e.g. "grid_sample"; the tests' display names use it.</summary>
    public required string Name { get; init; }

    /// <summary>float64 samples; inputs with RequiresGrad are the differentiable ones.</summary>
    public required Gen<OpSample> Samples { get; init; }

    /// <summary>Golden "op" names this entry runs, with the function that maps a case to the op's output.</summary>
    public IReadOnlyDictionary<string, Func<GoldenCase, Tensor>> Golden { get; init; } = new Dictionary<string, Func<GoldenCase, Tensor>>();

    public IReadOnlyList<BadInput> BadInputs { get; init; } = [];

    /// <summary>The name the op's error messages use, when the entry is a variant (e.g. "gelu" for "gelu_tanh").</summary>
    public string? ErrorName { get; init; }

    /// <summary>False for ops without a gradient (comparisons, argmax, nms): only forward checks run.</summary>
    public bool Differentiable { get; init; } = true;

    public GradCheckOptions GradCheck { get; init; } = new();

    /// <summary>float32 vs float64: |v32 - v64| &lt;= tol (1 + |v64|) for outputs and gradients.</summary>
    public double Float32Tolerance { get; init; } = 2e-4;

    /// <summary>Generated samples per check.</summary>
    public long Iterations { get; init; } = 10;

    public override string ToString() => Name;
}

/// <summary>A sample: inputs (float64) and the function of them under test, with its attributes captured.</summary>
public sealed record OpSample(string Label, Tensor[] Inputs, Func<Tensor[], Tensor> Fn)
{
    public override string ToString() => Label + "\n" + string.Join("\n", Inputs.Select((x, i) => $"input {i}: {x}"));
}

/// <summary>A call that must throw an argument or state exception whose message names the op and <see cref="Mentions"/>.</summary>
public sealed record BadInput(string Description, Action Call, params string[] Mentions)
{
    public override string ToString() => Description;
}

/// <summary>The catalog: every <c>Catalog.*</c> member returning OpInfo or IEnumerable&lt;OpInfo&gt;, from the *.Catalog.cs files.</summary>
public static partial class Catalog
{
    private static readonly Lazy<IReadOnlyList<OpInfo>> _all = new(() =>
    {
        var list = new List<OpInfo>();
        foreach (var m in typeof(Catalog).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            if (m.GetParameters().Length != 0 || m.Name == nameof(Find) || m.Name.StartsWith("get_All")) continue;
            if (m.ReturnType == typeof(OpInfo)) list.Add((OpInfo)m.Invoke(null, null)!);
            else if (typeof(IEnumerable<OpInfo>).IsAssignableFrom(m.ReturnType))
                list.AddRange((IEnumerable<OpInfo>)m.Invoke(null, null)!);
        }
        var dup = list.GroupBy(o => o.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InvalidOperationException($"two catalog entries are named '{dup.Key}'");
        return list.OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
    });

    public static IReadOnlyList<OpInfo> All => _all.Value;

    public static OpInfo Find(string name) => All.First(o => o.Name == name);

    /// <summary>Marks inputs differentiable (RequiresGrad) by position.</summary>
    public static Tensor[] Grad(params Tensor[] xs)
    {
        foreach (var x in xs) if (x.DType.IsFloatingPoint() && !x.RequiresGrad) x.RequiresGrad = true;
        return xs;
    }

    public static Tensor NoGrad(Tensor x)
    {
        x.RequiresGrad = false;
        return x;
    }
}
