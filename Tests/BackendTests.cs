using CsCheck;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace Framework.Tests;

/// <summary>
/// The GPU path, checked without a GPU: every catalog op runs on ILGPU's CPU accelerator and must agree
/// with the managed CPU backend (float64 within 1e-10, float32 within 1e-5, relative), forward and backward;
/// and every kernel those runs loaded must compile to PTX for sm_70 and sm_90.
/// </summary>
[Collection("Ilgpu")]
public class BackendTests
{
    /// <summary>Ops whose ILGPU kernels are not written yet: each is a known gap, listed in the README.</summary>
    public static readonly HashSet<string> PendingGpuKernels = [];

    public static TheoryData<string> Ops()
    {
        var d = new TheoryData<string>();
        foreach (var o in Catalog.All) if (!PendingGpuKernels.Contains(o.Name)) d.Add(o.Name);
        return d;
    }

    [Theory, Trait("Category", "Ilgpu")]
    [MemberData(nameof(Ops))]
    public void Ilgpu_cpu_accelerator_agrees_with_the_cpu_backend(string op) => IlgpuRuns.Check(Catalog.Find(op));

    [Fact, Trait("Category", "Ptx")]
    public void Every_kernel_compiles_to_ptx_for_sm70_and_sm90()
    {
        IlgpuRuns.EnsureCatalogRan();
        var kernels = KernelCache.LoadedKernels.OrderBy(m => m.DeclaringType?.Name + "." + m.Name).ToList();
        Assert.NotEmpty(kernels);
        var failures = new List<string>();
        foreach (var arch in new[] { CudaArchitecture.SM_70, CudaArchitecture.SM_90 })
        {
            using var backend = new PTXBackend(IlgpuRuntime.Context, new CudaCapabilityContext(arch), arch, CudaInstructionSet.ISA_80, null);
            foreach (var k in kernels)
            {
                try
                {
                    backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(k), default);
                }
                catch (Exception e)
                {
                    failures.Add($"{arch}: {k.DeclaringType?.Name}.{k.Name}<{string.Join(", ", k.GetGenericArguments().Select(a => a.Name))}>: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} kernel compilations to PTX failed:\n{string.Join("\n", failures)}");
    }
}

internal static class IlgpuRuns
{
    private static readonly Lazy<bool> _catalogRan = new(() =>
    {
        foreach (var o in Catalog.All.Where(o => !BackendTests.PendingGpuKernels.Contains(o.Name)))
        {
            try { Check(o, iterations: 1); } catch (Exception) { /* reported by the Ilgpu theory */ }
        }
        return true;
    });

    public static void EnsureCatalogRan() => _ = _catalogRan.Value;

    public static void Check(OpInfo info, long iterations = 3)
    {
        info.Samples.Sample(s =>
        {
            foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            {
                var (cpuOut, cpuGrads) = Run(s, dtype, Device.Cpu, info.Differentiable);
                var (gpuOut, gpuGrads) = Run(s, dtype, Device.IlgpuCpu, info.Differentiable);
                double tol = dtype == DType.Float64 ? 1e-10 : 1e-5;
                Close($"{info.Name} [{s.Label}] {dtype.Name()} output", cpuOut, gpuOut, tol);
                for (int i = 0; i < cpuGrads.Length; i++)
                    if (cpuGrads[i] is not null)
                        Close($"{info.Name} [{s.Label}] {dtype.Name()} gradient of input {i}", cpuGrads[i]!, gpuGrads[i]!, tol);
            }
        }, iter: iterations, threads: 1, print: s => s.ToString());
    }

    private static (double[] Output, double[]?[] Grads) Run(OpSample s, DType dtype, Device device, bool differentiable)
    {
        var inputs = s.Inputs.Select(x =>
        {
            var c = x.DType.IsFloatingPoint() ? x.ConvertTo(dtype) : x;
            c = c.ToDevice(device);
            if (x.RequiresGrad && differentiable) c.RequiresGrad = true;
            return c;
        }).ToArray();
        var output = s.Fn(inputs);
        Assert.True(output.Device == device, $"the output is on '{output.Device}', expected '{device}'");
        var grads = new double[]?[inputs.Length];
        if (differentiable && output.RequiresGrad)
        {
            var u = Tensor.Randn(output.Shape, DType.Float64, new Generator(11)).ConvertTo(output.DType).ToDevice(device);
            output.Backward(u);
            for (int i = 0; i < inputs.Length; i++)
                if (inputs[i].RequiresGrad)
                {
                    var g = inputs[i].Grad;
                    if (g is not null) Assert.True(g.Device == device, $"the gradient of input {i} is on '{g.Device}', expected '{device}'");
                    grads[i] = g?.ToDoubleArray() ?? new double[inputs[i].Numel];
                }
        }
        return (output.ToDoubleArray(), grads);
    }

    private static void Close(string what, double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            Assert.True(Math.Abs(a - e) <= tol * (1 + Math.Abs(e)), $"{what} at flat index {i}: cpu {e:R}, ilgpu {a:R} (tolerance {tol:G2} (1 + |cpu|))");
        }
    }
}
