namespace Framework.Models;

public abstract partial class Optimizer
{
    /// <summary>
    /// The optimizer's state as tensors, so it can be saved with the model (safetensors) and training resumed:
    /// "state.{i}.{key}" for parameter i (counted over all groups in order, as torch's state_dict) holds its
    /// buffers ("momentum_buffer", "exp_avg", ...) and "state.{i}.step" its step count (int64);
    /// "param_groups.{g}.{lr|weight_decay|momentum|beta2|initial_lr}" hold each group's hyperparameters (float64).
    /// The tensors are copies.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var d = new OrderedDictionary<string, Tensor>();
        int i = 0;
        foreach (var g in _groups)
            foreach (var p in g.Params)
            {
                if (_steps.TryGetValue(p, out long step)) d[$"state.{i}.step"] = Tensor.FromArray(new[] { step }, Shape.Scalar);
                if (_state.TryGetValue(p, out var st))
                    foreach (var (key, t) in st) d[$"state.{i}.{key}"] = t.CloneData().DetachFromDisposeScope();
                i++;
            }
        for (int k = 0; k < _groups.Count; k++)
            foreach (var (name, value) in GroupValues(_groups[k]))
                d[$"param_groups.{k}.{name}"] = Tensor.Scalar(value, DType.Float64);
        return d;
    }

    private static IEnumerable<(string, double)> GroupValues(ParamGroup g)
    {
        yield return ("lr", g.Lr);
        yield return ("weight_decay", g.WeightDecay);
        yield return ("momentum", g.Momentum);
        yield return ("beta2", g.Beta2);
        if (g.InitialLr is { } init) yield return ("initial_lr", init);
    }

    /// <summary>
    /// Restores a state from <see cref="StateDict"/> into an optimizer over parameters of the same shapes.
    /// Everything is checked first (unknown keys, parameter indices, shapes, dtypes); on an error nothing changes.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var parameters = _groups.SelectMany(g => g.Params).ToList();
        var buffers = new List<(Tensor Param, string Key, Tensor Value)>();
        var steps = new List<(Tensor Param, long Step)>();
        var groupValues = new List<(ParamGroup Group, string Name, double Value)>();
        var errors = new List<string>();
        foreach (var (key, t) in state)
        {
            var parts = key.Split('.', 3);
            if (parts.Length == 3 && parts[0] == "state" && int.TryParse(parts[1], out int i))
            {
                if (i < 0 || i >= parameters.Count) { errors.Add($"{key}: there are {parameters.Count} parameters"); continue; }
                var p = parameters[i];
                if (parts[2] == "step")
                {
                    if (t.DType != DType.Int64 || t.Numel != 1) errors.Add($"{key}: expected a one-element int64 step count, got {t.DType.Name()} {t.Shape}");
                    else steps.Add((p, t.Item<long>()));
                }
                else if (t.Shape != p.Shape || t.DType != p.DType)
                    errors.Add($"{key}: {t.DType.Name()} {t.Shape} does not match parameter {i}, {p.DType.Name()} {p.Shape}");
                else buffers.Add((p, parts[2], t));
            }
            else if (parts.Length == 3 && parts[0] == "param_groups" && int.TryParse(parts[1], out int g) && g >= 0 && g < _groups.Count
                     && parts[2] is "lr" or "weight_decay" or "momentum" or "beta2" or "initial_lr" && t.Numel == 1)
                groupValues.Add((_groups[g], parts[2], t.Item()));
            else errors.Add($"{key}: not a key of a {Name} state dict");
        }
        if (errors.Count > 0)
            throw new ArgumentException($"{Name}: Error(s) in loading the optimizer state:\n\t" + string.Join("\n\t", errors));
        _state.Clear();
        _steps.Clear();
        foreach (var (p, step) in steps) _steps[p] = step;
        foreach (var (p, key, value) in buffers)
        {
            var copy = StateTensor(p, key, out _);
            copy.CopyFrom(value.Device == p.Device ? value : value.ToDevice(p.Device));
        }
        foreach (var (group, name, value) in groupValues)
        {
            switch (name)
            {
                case "lr": group.Lr = value; break;
                case "weight_decay": group.WeightDecay = value; break;
                case "momentum": group.Momentum = value; break;
                case "beta2": group.Beta2 = value; break;
                default: group.InitialLr = value; break;
            }
        }
    }
}
