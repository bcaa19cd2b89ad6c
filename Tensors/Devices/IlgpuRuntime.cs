using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Framework;

/// <summary>
/// One ILGPU context for the process (with ILGPU.Algorithms enabled, so Math/MathF and generic math map to
/// XMath inside kernels, which CUDA needs), one accelerator per device, created on first use.
/// </summary>
public static class IlgpuRuntime
{
    private static readonly Lazy<Context> _context = new(() =>
        Context.Create(b => b.Default().EnableAlgorithms().Math(MathMode.Default)));
    private static readonly ConcurrentDictionary<Device, Accelerator> _accelerators = new();
    private static readonly Lock _lock = new();

    public static Context Context => _context.Value;

    public static Accelerator Accelerator(Device device)
    {
        if (!device.IsIlgpu) throw new ArgumentException($"device: '{device}' is not an ILGPU device");
        if (_accelerators.TryGetValue(device, out var acc)) return acc;
        lock (_lock)
        {
            if (_accelerators.TryGetValue(device, out acc)) return acc;
            acc = device.Kind switch
            {
                DeviceKind.IlgpuCpu => Context.CreateCPUAccelerator(0),
                DeviceKind.Cuda => Context.CreateCudaAccelerator(device.Index),
                _ => Context.GetCLDevice(device.Index).CreateAccelerator(Context),
            };
            _accelerators[device] = acc;
            return acc;
        }
    }

    /// <summary>CUDA and OpenCL devices ILGPU finds and can open; OpenCL devices it refuses (e.g. PoCL) are left out.</summary>
    internal static IEnumerable<Device> DiscoverGpus()
    {
        var found = new List<Device>();
        try
        {
            var cuda = Context.GetCudaDevices();
            for (int i = 0; i < cuda.Count; i++) found.Add(new Device(DeviceKind.Cuda, i, $"cuda:{i}"));
            var cl = Context.GetCLDevices();
            for (int i = 0; i < cl.Count; i++)
            {
                try
                {
                    var d = new Device(DeviceKind.OpenCL, i, $"opencl:{i}");
                    Accelerator(d);
                    found.Add(d);
                }
                catch (Exception) { /* ILGPU refuses this OpenCL device (e.g. no generic address space) */ }
            }
        }
        catch (Exception) { /* no GPU runtime on this machine */ }
        return found;
    }
}
