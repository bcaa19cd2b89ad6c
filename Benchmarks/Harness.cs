using System.Diagnostics;

namespace Framework.Benchmarks;

/// <summary>One benchmark row: its name (the contract with torch_reference.py), the timed action, an optional note from the median.</summary>
public sealed record BenchRow(int Order, string Name, Func<Action> Setup, Func<double, string>? Note = null);

/// <summary>
/// Times rows as ../shared/bench/torch_reference.py does: warm-up, then repeated calls until at least 5 and
/// the time budget is spent (at most 5000), reporting the median in milliseconds. The warm-up is two calls
/// (as the reference) and then calls for at least <see cref="WarmUpSeconds"/>: .NET compiles a method again,
/// optimised, after some thirty calls and a short delay, and a training loop runs the optimised code; two
/// calls would time the first, unoptimised tier instead.
/// </summary>
public static class Harness
{
    public const double WarmUpSeconds = 0.3;

    public static double MedianMs(Action fn, double budgetSeconds, int minReps = 5)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 2 || (warm.Elapsed.TotalSeconds < WarmUpSeconds && i < 2000); i++) fn();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minReps || (total.Elapsed.TotalSeconds < budgetSeconds && times.Count < 5000))
        {
            long s = Stopwatch.GetTimestamp();
            fn();
            times.Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds);
        }
        times.Sort();
        int n = times.Count;
        return n % 2 == 1 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    }

    public static string FormatRow(string name, double ms, string note) => $"| {name,-52} | {ms,10:F4} | {note}";

    public static string GFlops(double flops, double ms) => $"{flops / ms / 1e6:F1} GFLOP/s";
}
