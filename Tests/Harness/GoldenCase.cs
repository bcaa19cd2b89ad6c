using System.Text.Json;

namespace Framework.Tests;

/// <summary>
/// One golden file of ../shared/golden's format: PyTorch's inputs, attributes, output and gradients. The
/// case records which attributes the op read, so an attribute Framework ignores is reported "unsupported:".
/// </summary>
public sealed class GoldenCase
{
    private readonly JsonElement _attrs;
    private readonly HashSet<string> _readAttrs = [];
    private readonly Dictionary<string, Tensor> _inputs = [];

    public GoldenCase(string path)
    {
        Path = path;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement.Clone();
        Op = root.GetProperty("op").GetString()!;
        CaseName = root.TryGetProperty("case", out var c) ? c.GetString()! : System.IO.Path.GetFileNameWithoutExtension(path);
        _attrs = root.TryGetProperty("attrs", out var a) ? a : default;
        GradNames = root.TryGetProperty("grads", out var g) && g.ValueKind == JsonValueKind.Object
            ? g.EnumerateObject().Select(p => p.Name).ToHashSet() : [];
        foreach (var p in root.GetProperty("inputs").EnumerateObject())
        {
            var t = ReadTensor(p.Value);
            if (GradNames.Contains(p.Name)) t.RequiresGrad = true;
            _inputs[p.Name] = t;
        }
        Output = ReadTensor(root.GetProperty("output"));
        Upstream = root.TryGetProperty("upstream", out var u) && u.ValueKind == JsonValueKind.Object ? ReadTensor(u) : null;
        ExpectedGrads = GradNames.ToDictionary(n => n, n => ReadTensor(root.GetProperty("grads").GetProperty(n)));
    }

    public string Path { get; }
    public string Op { get; }
    public string CaseName { get; }
    public Tensor Output { get; }
    public Tensor? Upstream { get; }
    public HashSet<string> GradNames { get; }
    public IReadOnlyDictionary<string, Tensor> ExpectedGrads { get; }
    public IReadOnlyDictionary<string, Tensor> Inputs => _inputs;

    public Tensor Input(string name) =>
        _inputs.TryGetValue(name, out var t) ? t : throw new UnsupportedGoldenException($"unsupported: {CaseName} has no input '{name}'");

    public Tensor? OptionalInput(string name) => _inputs.GetValueOrDefault(name);

    public bool HasAttr(string name) => _attrs.ValueKind == JsonValueKind.Object && _attrs.TryGetProperty(name, out _);

    private JsonElement Attr(string name)
    {
        if (!HasAttr(name)) throw new UnsupportedGoldenException($"unsupported: {CaseName} ({Op}) lacks the attribute '{name}'");
        _readAttrs.Add(name);
        return _attrs.GetProperty(name);
    }

    public int Int(string name) => Attr(name).GetInt32();
    public double Double(string name) => Attr(name).GetDouble();
    public bool Bool(string name) => Attr(name).GetBoolean();
    public string Str(string name) => Attr(name).GetString()!;
    public int Int(string name, int fallback) => HasAttr(name) ? Int(name) : fallback;
    public double Double(string name, double fallback) => HasAttr(name) ? Double(name) : fallback;
    public bool Bool(string name, bool fallback) => HasAttr(name) ? Bool(name) : fallback;
    public string Str(string name, string fallback) => HasAttr(name) ? Str(name) : fallback;

    /// <summary>An int or a list of ints (a pair such as stride), as a list.</summary>
    public int[] Ints(string name)
    {
        var e = Attr(name);
        return e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(v => v.GetInt32()).ToArray() : [e.GetInt32()];
    }

    public double[] Doubles(string name)
    {
        var e = Attr(name);
        return e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(v => v.GetDouble()).ToArray() : [e.GetDouble()];
    }

    /// <summary>Attributes present in the file that the op never read.</summary>
    public IEnumerable<string> UnreadAttrs() =>
        _attrs.ValueKind == JsonValueKind.Object
            ? _attrs.EnumerateObject().Select(p => p.Name).Where(n => !_readAttrs.Contains(n))
            : [];

    private static Tensor ReadTensor(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var dtype = e.GetProperty("dtype").GetString();
        var data = e.GetProperty("data");
        var values = data.ValueKind == JsonValueKind.Array ? Flatten(data).ToArray() : [data];
        var s = new Shape(shape);
        return dtype switch
        {
            "float64" or "float32" => Tensor.FromArray(values.Select(ReadDouble).ToArray(), s),
            "int64" => Tensor.FromArray(values.Select(v => v.GetInt64()).ToArray(), s),
            "bool" => Tensor.FromArray(values.Select(v => v.GetBoolean()).ToArray(), s),
            _ => throw new UnsupportedGoldenException($"unsupported: dtype '{dtype}'"),
        };
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement e)
    {
        foreach (var v in e.EnumerateArray())
            if (v.ValueKind == JsonValueKind.Array) foreach (var w in Flatten(v)) yield return w;
            else yield return v;
    }

    private static double ReadDouble(JsonElement v) => v.ValueKind == JsonValueKind.String
        ? v.GetString()!.ToLowerInvariant() switch
        {
            "nan" => double.NaN,
            "inf" or "infinity" => double.PositiveInfinity,
            "-inf" or "-infinity" => double.NegativeInfinity,
            var s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
        }
        : v.GetDouble();
}

public sealed class UnsupportedGoldenException(string message) : Exception(message);
