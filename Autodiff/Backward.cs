namespace Framework;

public static partial class Autograd
{
    /// <summary>
    /// Accumulates d(root)/d(leaf) into the Grad of every leaf that requires grad. root must be a scalar
    /// unless <paramref name="gradient"/> (the vector of the vector-Jacobian product, root's shape) is given.
    /// Without <paramref name="retainGraph"/> the graph's buffers are freed and a second pass is an error.
    /// </summary>
    public static void Backward(Tensor root, Tensor? gradient = null, bool retainGraph = false)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException(
                $"Backward: the tensor {root.Shape} does not require grad and has no grad_fn; " +
                "did you set RequiresGrad on the inputs, or call it inside a NoGrad scope?");
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException(
                    $"Backward: grad can be implicitly created only for scalar outputs, this one has shape {root.Shape}; " +
                    "pass the gradient explicitly: Backward(gradient)");
            gradient = Tensor.OnesLike(root);
        }
        else if (gradient.Shape != root.Shape || gradient.DType != root.DType)
            throw new ArgumentException(
                $"Backward: gradient {gradient.DType.Name()} {gradient.Shape} does not match the output {root.DType.Name()} {root.Shape}");

        var order = TopologicalOrder(root);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = gradient };
        using var _ = NoGrad();
        for (int k = order.Count - 1; k >= 0; k--)
        {
            var t = order[k];
            if (!grads.Remove(t, out var g)) continue;
            var node = t.GradFn;
            if (node is null)
            {
                if (t.RequiresGrad) Accumulate(t, g);
                continue;
            }
            var backward = node.Backward ?? throw new InvalidOperationException(
                $"Backward: trying to backward through the graph a second time (through {node.Name}); its buffers " +
                "were freed by the first Backward(). Pass retainGraph: true to the first call if you need two.");
            var inputGrads = backward(g);
            if (inputGrads.Length != node.Inputs.Length)
                throw new InvalidOperationException(
                    $"{node.Name} backward returned {inputGrads.Length} gradients for {node.Inputs.Length} inputs");
            for (int i = 0; i < inputGrads.Length; i++)
            {
                var input = node.Inputs[i];
                var gi = inputGrads[i];
                if (gi is null || !input.RequiresGrad) continue;
                if (gi.Shape != input.Shape || gi.DType != input.DType)
                    throw new InvalidOperationException(
                        $"{node.Name} backward returned a {gi.DType.Name()} {gi.Shape} gradient for its input {i} of {input.DType.Name()} {input.Shape}");
                if (IsAnomalyDetectionEnabled && gi.HasNonFinite())
                    throw new AnomalyException(node.Name,
                        $"{node.Name}: backward produced NaN or infinity in the gradient of its input {i} {input.Shape}" +
                        (node.CreatedAt is null ? "" : $"; the op was called at {node.CreatedAt}"));
                if (grads.TryGetValue(input, out var existing))
                {
                    var sum = existing.CloneData();
                    sum.AddInPlace_(gi);
                    grads[input] = sum;
                }
                else grads[input] = gi;
            }
            if (!retainGraph)
            {
                node.Backward = null;
                node.Inputs = [];
            }
        }
    }

    private static void Accumulate(Tensor leaf, Tensor g)
    {
        // a leaf's gradient outlives the step's DisposeScope: the optimizer reads it after the scope ends
        if (leaf.Grad is null) leaf.Grad = g.CloneData().DetachFromDisposeScope();
        else leaf.Grad.AddInPlace_(g);
    }

    /// <summary>Tensors reachable from root through GradFn inputs, each after all tensors it depends on.</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Tensor, int Next)>();
        visited.Add(root);
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn?.Inputs ?? [];
            if (t.GradFn is { IsFreed: true })
                throw new InvalidOperationException(
                    $"Backward: trying to backward through the graph a second time (through {t.GradFn.Name}); its buffers " +
                    "were freed by the first Backward(). Pass retainGraph: true to the first call if you need two.");
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
            }
            else order.Add(t);
        }
        return order;
    }
}

/// <summary>Autograd members on tensors.</summary>
public static class TensorAutogradExtensions
{
    extension(Tensor t)
    {
        /// <summary>Backpropagates from this tensor; see <see cref="Autograd.Backward"/>.</summary>
        public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
            Autograd.Backward(t, gradient, retainGraph);

        /// <summary>Sets RequiresGrad in place and returns the tensor (torch's requires_grad_()).</summary>
        public Tensor RequiresGrad_(bool requiresGrad = true)
        {
            t.RequiresGrad = requiresGrad;
            return t;
        }

        /// <summary>Clears the accumulated gradient.</summary>
        public void ZeroGrad() => t.Grad = null;
    }
}
