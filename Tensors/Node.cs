namespace Framework;

/// <summary>
/// The vector-Jacobian product of one recorded op: given the gradient of the loss w.r.t. the op's output,
/// return the gradient w.r.t. each input (null where an input needs none).
/// </summary>
public delegate Tensor?[] BackwardFunction(Tensor gradOutput);

/// <summary>
/// One op on the autograd tape: the op's name, its inputs and its backward. Plain data that the
/// Autodiff layer fills (Autograd.Record) and walks (Backward); micrograd's <c>_prev</c> and <c>_backward</c>.
/// </summary>
public sealed class Node
{
    internal Node(string name, Tensor[] inputs, BackwardFunction backward, string? createdAt)
    {
        Name = name;
        Inputs = inputs;
        Backward = backward;
        CreatedAt = createdAt;
    }

    /// <summary>The op's name as in PyTorch, e.g. "grid_sample".</summary>
    public string Name { get; }

    /// <summary>The op's tensor inputs, in the order the backward returns their gradients.</summary>
    public Tensor[] Inputs { get; internal set; }

    /// <summary>Null once a backward pass without retainGraph has freed the node.</summary>
    internal BackwardFunction? Backward { get; set; }

    /// <summary>The user's source line that created the node, captured in anomaly mode.</summary>
    public string? CreatedAt { get; }

    public bool IsFreed => Backward is null;

    /// <summary>Whether input <paramref name="i"/> wants a gradient; backward functions skip the others.</summary>
    public bool NeedsGrad(int i) => Inputs[i].RequiresGrad;

    public override string ToString() => $"<{Name}Backward>";
}
