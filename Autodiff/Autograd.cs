using System.Diagnostics;

namespace Framework;

/// <summary>
/// The tape. Ops call <see cref="Record"/> after computing their output; <see cref="Backward"/> walks the
/// recorded nodes once in reverse topological order (micrograd's engine, with PyTorch's rules).
/// Grad mode and anomaly mode are per thread, so independent graphs may be built on several threads at once.
/// </summary>
public static partial class Autograd
{
    [ThreadStatic] private static int _noGradDepth;
    [ThreadStatic] private static int _anomalyDepth;

    /// <summary>False inside a NoGrad scope: ops then record nothing.</summary>
    public static bool IsGradEnabled => _noGradDepth == 0;

    public static bool IsAnomalyDetectionEnabled => _anomalyDepth > 0;

    /// <summary>A scope in which ops record no graph (inference, optimizer updates).</summary>
    public static IDisposable NoGrad()
    {
        _noGradDepth++;
        return new Scope(() => _noGradDepth--);
    }

    /// <summary>
    /// A scope in which the first op whose forward or backward produces NaN or infinity throws an
    /// <see cref="AnomalyException"/> naming the op and the user's line that created it. Slower: use to debug.
    /// </summary>
    public static IDisposable DetectAnomaly()
    {
        _anomalyDepth++;
        return new Scope(() => _anomalyDepth--);
    }

    /// <summary>Whether an op over these inputs must record a node.</summary>
    public static bool NeedsGrad(Tensor a) => IsGradEnabled && a.RequiresGrad;
    public static bool NeedsGrad(Tensor a, Tensor b) => IsGradEnabled && (a.RequiresGrad || b.RequiresGrad);
    public static bool NeedsGrad(params ReadOnlySpan<Tensor> inputs)
    {
        if (!IsGradEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Records <paramref name="output"/> as produced by op <paramref name="name"/> from <paramref name="inputs"/>,
    /// when grad mode is on and an input requires grad. Call it from every op, also when no input needs grad:
    /// anomaly mode checks the forward here. <paramref name="backward"/> returns one gradient per input
    /// (null where <see cref="Node.NeedsGrad"/> is false), each of its input's shape.
    /// </summary>
    public static Tensor Record(string name, Tensor output, Tensor[] inputs, BackwardFunction backward)
    {
        string? site = null;
        if (IsAnomalyDetectionEnabled)
        {
            site = UserCallSite();
            if (output.HasNonFinite())
                throw new AnomalyException(name, $"{name}: forward produced NaN or infinity in its output {output.Shape}" +
                    (site is null ? "" : $"; the op was called at {site}"));
        }
        if (NeedsGrad(inputs))
            output.SetGradFn(new Node(name, inputs, backward, site));
        return output;
    }

    /// <summary>The first stack frame outside Framework's own assemblies: where the user called the op.</summary>
    private static string? UserCallSite()
    {
        var trace = new StackTrace(2, fNeedFileInfo: true);
        foreach (var frame in trace.GetFrames())
        {
            var method = frame.GetMethod();
            var asm = method?.DeclaringType?.Assembly.GetName().Name ?? "";
            if (asm.StartsWith("Framework.", StringComparison.Ordinal) && asm != "Framework.Tests") continue;
            if (asm.StartsWith("System.", StringComparison.Ordinal)) continue;
            var file = frame.GetFileName();
            var where = $"{method?.DeclaringType?.Name}.{method?.Name}";
            return file is null ? where : $"{where} ({Path.GetFileName(file)}:{frame.GetFileLineNumber()})";
        }
        return null;
    }

    private sealed class Scope(Action onDispose) : IDisposable
    {
        private Action? _onDispose = onDispose;
        public void Dispose()
        {
            _onDispose?.Invoke();
            _onDispose = null;
        }
    }
}

/// <summary>Thrown in anomaly mode by the first op whose forward or backward produces NaN or infinity.</summary>
public sealed class AnomalyException(string op, string message) : ArithmeticException(message)
{
    public string Op { get; } = op;
}
