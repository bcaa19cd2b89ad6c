namespace Framework.Models;

/// <summary>
/// Module methods that return the module itself with its own type, so construction chains:
/// <c>var net = new Net().To(device).Eval();</c>
/// </summary>
public static class ModuleExtensions
{
    /// <summary>
    /// Moves every parameter and buffer to <paramref name="device"/> (torch's module.to(device)). As in PyTorch,
    /// do this before creating the optimizer: the parameters are new tensors on the new device.
    /// </summary>
    public static T To<T>(this T module, Device device) where T : Module
    {
        ArgumentNullException.ThrowIfNull(device);
        module.ApplyToTensors(t => t.Device == device ? t : t.ToDevice(device));
        return module;
    }

    /// <summary>Converts floating-point parameters and buffers to <paramref name="dtype"/>; integer buffers stay (torch's module.to(dtype)).</summary>
    public static T To<T>(this T module, DType dtype) where T : Module
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{module.TypeName}.To: nn.Module.to only accepts floating point dtypes, got {dtype.Name()}");
        module.ApplyToTensors(t => t.DType == dtype || !t.DType.IsFloatingPoint() ? t : t.ConvertTo(dtype));
        return module;
    }

    public static T Double<T>(this T module) where T : Module => module.To(DType.Float64);
    public static T Float<T>(this T module) where T : Module => module.To(DType.Float32);

    /// <summary>Training mode for this module and all below it (torch's train(mode)).</summary>
    public static T Train<T>(this T module, bool mode = true) where T : Module
    {
        module.SetTraining(mode);
        return module;
    }

    /// <summary>Evaluation mode: Dropout passes through, BatchNorm uses its running statistics (torch's eval()).</summary>
    public static T Eval<T>(this T module) where T : Module => module.Train(false);

    /// <summary>Sets RequiresGrad on every parameter (torch's requires_grad_): false freezes the module.</summary>
    public static T RequiresGrad_<T>(this T module, bool requiresGrad = true) where T : Module
    {
        foreach (var p in module.Parameters()) p.RequiresGrad = requiresGrad;
        return module;
    }
}
