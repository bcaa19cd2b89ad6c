using Xunit;

namespace Framework.Tests;

/// <summary>
/// Golden parity with PyTorch: one case per file of Tests/Golden (or of $FRAMEWORK_GOLDEN_DIR when set).
/// Output and every gradient must match within 1e-9 * max(1, |expected|) in float64.
/// </summary>
public class GoldenTests
{
    public static string GoldenDir =>
        Environment.GetEnvironmentVariable("FRAMEWORK_GOLDEN_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(AppContext.BaseDirectory, "Golden");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(GoldenDir, "*.json").OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory, Trait("Category", "Golden")]
    [MemberData(nameof(Files))]
    public void Matches_pytorch(string file)
    {
        var c = new GoldenCase(Path.Combine(GoldenDir, file));
        var runner = Catalog.All.SelectMany(o => o.Golden).Where(kv => kv.Key == c.Op).Select(kv => kv.Value).FirstOrDefault()
            ?? throw new UnsupportedGoldenException($"unsupported: no op in the catalog runs golden op '{c.Op}' ({file})");
        var output = runner(c);
        var unread = c.UnreadAttrs().ToList();
        if (unread.Count > 0)
            throw new UnsupportedGoldenException($"unsupported: {file}: op '{c.Op}' ignores attribute(s) {string.Join(", ", unread)}");
        AssertClose($"{file} output", c.Output, output);
        if (c.Upstream is null || c.GradNames.Count == 0) return;
        output.Backward(c.Upstream);
        foreach (var (name, expected) in c.ExpectedGrads)
        {
            var actual = c.Inputs[name].Grad ?? throw new Xunit.Sdk.XunitException($"{file}: no gradient reached input '{name}'");
            AssertClose($"{file} grad {name}", expected, actual);
        }
    }

    public static void AssertClose(string what, Tensor expected, Tensor actual, double tol = 1e-9)
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: expected shape {expected.Shape}, got {actual.Shape}");
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
        {
            bool ok = double.IsNaN(e[i]) ? double.IsNaN(a[i]) : Math.Abs(a[i] - e[i]) <= tol * Math.Max(1, Math.Abs(e[i]));
            if (!ok)
                Assert.Fail($"{what}: at {GradCheck.FormatIndex(expected.Shape, i)} expected {e[i]:R}, got {a[i]:R} (tolerance {tol:G2} * max(1, |expected|))");
        }
    }
}
