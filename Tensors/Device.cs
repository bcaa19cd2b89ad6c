namespace Framework;

public enum DeviceKind
{
    /// <summary>The managed CPU backend: SIMD (TensorPrimitives, Vector256) and Parallel.For.</summary>
    Cpu,
    /// <summary>ILGPU's CPU accelerator: emulates a GPU, exact but slow; a test device for the GPU kernels.</summary>
    IlgpuCpu,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>An OpenCL device ILGPU accepts.</summary>
    OpenCL,
}

/// <summary>Where a tensor's storage lives. Tensors of one op must share a device.</summary>
public sealed class Device : IEquatable<Device>
{
    private Device(DeviceKind kind, int index, string name)
    {
        Kind = kind;
        Index = index;
        Name = name;
    }

    public DeviceKind Kind { get; }
    public int Index { get; }
    public string Name { get; }
    public bool IsCpu => Kind == DeviceKind.Cpu;

    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0, "cpu");

    private static Device? _default;

    /// <summary>The device new tensors are created on; <c>FRAMEWORK_DEVICE</c> (e.g. <c>cpu</c>) sets it at start-up.</summary>
    public static Device Default
    {
        get => _default ??= FromEnvironment();
        set => _default = value;
    }

    /// <summary>Devices usable on this machine.</summary>
    public static IReadOnlyList<Device> Available => [Cpu];

    public static Device Parse(string name)
    {
        foreach (var d in Available)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        throw new ArgumentException(
            $"unknown or unavailable device '{name}'; available: {string.Join(", ", Available.Select(d => d.Name))}");
    }

    private static Device FromEnvironment()
    {
        var name = Environment.GetEnvironmentVariable("FRAMEWORK_DEVICE");
        return string.IsNullOrWhiteSpace(name) ? Cpu : Parse(name.Trim());
    }

    public bool Equals(Device? other) => other is not null && other.Kind == Kind && other.Index == Index;
    public override bool Equals(object? obj) => obj is Device d && Equals(d);
    public override int GetHashCode() => HashCode.Combine(Kind, Index);
    public static bool operator ==(Device? a, Device? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Device? a, Device? b) => !(a == b);
    public override string ToString() => Name;
}
