using System.Reflection;
using Framework;
using Framework.Benchmarks;

// Usage: dotnet run -c Release --project Benchmarks -- [--quick] [--threads N] [filter words]
// The last line gives the peak memory of the run (working set and GC heap).
// Prints the rows of ../shared/bench/torch_reference.py, in its table format; words filter rows by substring.
var argList = args.ToList();
bool quick = argList.Remove("--quick");
int threadsAt = argList.IndexOf("--threads");
if (threadsAt >= 0)
{
    int threads = int.Parse(argList[threadsAt + 1]);
    argList.RemoveRange(threadsAt, 2);
    ThreadPool.SetMinThreads(threads, threads);
}
var filters = argList.Where(a => !a.StartsWith("--")).ToArray();
double budget = quick ? 0.25 : 1.5;

var rows = typeof(BenchRow).Assembly.GetTypes()
    .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
    .Where(m => m.ReturnType == typeof(IEnumerable<BenchRow>) && m.GetParameters().Length == 0)
    .SelectMany(m => (IEnumerable<BenchRow>)m.Invoke(null, null)!)
    .OrderBy(r => r.Order)
    .ToList();

Console.WriteLine($"Framework (.NET {Environment.Version}) CPU, {Environment.ProcessorCount} threads{(quick ? ", quick" : "")}");
Console.WriteLine("| workload | median ms | note");
foreach (var row in rows)
{
    if (filters.Length > 0 && !filters.Any(f => row.Name.Contains(f))) continue;
    Tensor.ManualSeed(1);
    var action = row.Setup();
    double ms = Harness.MedianMs(action, budget);
    Console.WriteLine(Harness.FormatRow(row.Name, ms, row.Note?.Invoke(ms) ?? ""));
}
// the peak of the whole run (run one row alone to get that row's peak)
using (var self = System.Diagnostics.Process.GetCurrentProcess())
    Console.WriteLine($"peak working set {self.PeakWorkingSet64 / (1 << 20)} MiB, peak GC heap {GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes / (1 << 20)} MiB at the last collection");
