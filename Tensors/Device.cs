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

/// <summary>
/// Where a tensor's storage lives. <see cref="Cpu"/> is the fast managed backend; <see cref="IlgpuCpu"/> runs
/// the ILGPU kernels on ILGPU's CPU accelerator (a test device: exact, slow); CUDA and OpenCL devices appear
/// in <see cref="Available"/> when ILGPU finds them. Tensors of one op must share a device.
/// </summary>
public sealed class Device : IEquatable<Device>
{
    internal Device(DeviceKind kind, int index, string name)
    {
        Kind = kind;
        Index = index;
        Name = name;
    }

    public DeviceKind Kind { get; }
    public int Index { get; }
    public string Name { get; }
    public bool IsCpu => Kind == DeviceKind.Cpu;
    public bool IsIlgpu => Kind != DeviceKind.Cpu;

    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0, "cpu");

    /// <summary>ILGPU's CPU accelerator, always available: for testing GPU kernels without a GPU.</summary>
    public static Device IlgpuCpu { get; } = new(DeviceKind.IlgpuCpu, 0, "ilgpu-cpu");

    /// <summary>The n-th CUDA device; throws when there is none.</summary>
    public static Device Cuda(int index = 0) =>
        Available.FirstOrDefault(d => d.Kind == DeviceKind.Cuda && d.Index == index)
        ?? throw new ArgumentException($"device: no CUDA device {index} on this machine; available: {string.Join(", ", Available)}");

    private static Device? _default;

    /// <summary>The device new tensors are created on; <c>FRAMEWORK_DEVICE</c> (cpu, ilgpu-cpu, cuda:0, ...) sets it at start-up.</summary>
    public static Device Default
    {
        get => _default ??= FromEnvironment();
        set => _default = value;
    }

    private static IReadOnlyList<Device>? _available;

    /// <summary>Devices usable on this machine: cpu, ilgpu-cpu, then any CUDA and OpenCL devices ILGPU accepts.</summary>
    public static IReadOnlyList<Device> Available => _available ??= [Cpu, IlgpuCpu, .. IlgpuRuntime.DiscoverGpus()];

    public static Device Parse(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n == "cuda") n = "cuda:0";
        foreach (var d in Available)
            if (d.Name == n) return d;
        throw new ArgumentException(
            $"device: unknown or unavailable device '{name}'; available: {string.Join(", ", Available.Select(d => d.Name))}");
    }

    private static Device FromEnvironment()
    {
        var name = Environment.GetEnvironmentVariable("FRAMEWORK_DEVICE");
        return string.IsNullOrWhiteSpace(name) ? Cpu : Parse(name);
    }

    public bool Equals(Device? other) => other is not null && other.Kind == Kind && other.Index == Index;
    public override bool Equals(object? obj) => obj is Device d && Equals(d);
    public override int GetHashCode() => HashCode.Combine(Kind, Index);
    public static bool operator ==(Device? a, Device? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Device? a, Device? b) => !(a == b);
    public override string ToString() => Name;
}
