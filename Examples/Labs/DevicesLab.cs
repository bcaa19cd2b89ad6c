using System.Diagnostics;
using Spectre.Console;

namespace Framework.Examples;

/// <summary>Lists the devices this machine offers and runs one op (a matmul and its backward) on each.</summary>
public static class DevicesLab
{
    public static LabResult Run(LabOptions o)
    {
        var table = new Table().AddColumn("device").AddColumn("kind").AddColumn("(a @ b).sum() backward").AddColumn("agrees with cpu").AddColumn("ms");
        var g = new Generator(o.Seed);
        var a0 = Tensor.Randn(new Shape(64, 32), DType.Float64, g);
        var b0 = Tensor.Randn(new Shape(32, 16), DType.Float64, g);
        double? reference = null;
        foreach (var device in Device.Available)
        {
            var sw = Stopwatch.StartNew();
            var a = a0.ToDevice(device).RequiresGrad_();
            var b = b0.ToDevice(device).RequiresGrad_();
            var loss = a.Matmul(b).Sum();
            loss.Backward();
            double gradSum = b.Grad!.ToDoubleArray().Sum();
            sw.Stop();
            reference ??= gradSum;
            bool agrees = Math.Abs(gradSum - reference.Value) <= 1e-9 * (1 + Math.Abs(reference.Value));
            table.AddRow(device.Name, device.Kind.ToString(), $"{loss.Item():F6}", agrees ? "[green]yes[/]" : "[red]no[/]", $"{sw.Elapsed.TotalMilliseconds:F1}");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]ilgpu-cpu is ILGPU's CPU accelerator: it runs the GPU kernels exactly but slowly (a test device). " +
                               "CUDA devices appear when an NVIDIA driver is present; FRAMEWORK_DEVICE picks the default.[/]");
        return new LabResult("devices", 0, 0, $"{Device.Available.Count} devices available");
    }
}
