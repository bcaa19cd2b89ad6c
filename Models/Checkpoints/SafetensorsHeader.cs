using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Framework.Models;

/// <summary>
/// The header of a safetensors file, parsed and validated as the reference implementation does
/// (huggingface/safetensors, safetensors/src/tensor.rs): 8-byte little-endian header size N (at most 100 MB),
/// N bytes of UTF-8 JSON starting with '{' (trailing spaces allowed), then the byte buffer. Every tensor entry
/// has a known dtype, a shape and data_offsets [begin, end) relative to the buffer with end - begin =
/// numel x element size; sorted by offset, the entries tile the buffer exactly, with no hole and no overlap.
/// </summary>
internal sealed class SafetensorsHeader
{
    public const long MaxHeaderSize = 100_000_000;

    public sealed record Entry(string Name, DType DType, int[] Shape, long Begin, long End);

    public List<Entry> Entries { get; } = [];
    public Dictionary<string, string> Metadata { get; } = [];

    /// <summary>Bytes before the buffer: 8 + N.</summary>
    public long DataStart { get; private set; }

    public static string DTypeName(DType d) => d switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    private static readonly string[] KnownButUnsupported = ["F16", "BF16", "F8_E4M3", "F8_E5M2", "I8", "I16", "I32", "U8", "U16", "U32", "U64"];

    /// <summary>Reads and validates the header from a stream positioned at the file's start; <paramref name="fileLength"/> is the stream's length.</summary>
    public static SafetensorsHeader Read(Stream stream, long fileLength, string source)
    {
        string Fail(string why) => throw new InvalidDataException($"safetensors: {source}: {why}");
        if (fileLength < 8) Fail($"the file is {fileLength} bytes, too short for the 8-byte header length; it is truncated or not a safetensors file");
        Span<byte> lenBytes = stackalloc byte[8];
        stream.ReadExactly(lenBytes);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (n > MaxHeaderSize) Fail($"the header length {n} is larger than the limit of {MaxHeaderSize} bytes; the file is corrupted or not a safetensors file");
        if ((long)n > fileLength - 8) Fail($"the header length {n} runs past the end of the file ({fileLength} bytes); the file is truncated or corrupted");
        if (n < 2) Fail($"the header length {n} is too small for a JSON object");
        var headerBytes = new byte[n];
        stream.ReadExactly(headerBytes);
        var h = new SafetensorsHeader { DataStart = 8 + (long)n };
        h.Parse(headerBytes, fileLength - h.DataStart, Fail);
        return h;
    }

    private void Parse(byte[] bytes, long bufferLength, Func<string, string> fail)
    {
        if (bytes[0] != (byte)'{') fail("the header does not start with '{'; the file is corrupted or not a safetensors file");
        string json;
        try { json = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { fail("the header is not valid UTF-8"); return; }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json.TrimEnd(' ')); }
        catch (JsonException e) { fail($"the header is not valid JSON ({e.Message})"); return; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) fail("the header is not a JSON object");
            var names = new HashSet<string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(prop.Name)) fail($"the header names \"{prop.Name}\" twice");
                if (prop.Name == "__metadata__") ParseMetadata(prop.Value, fail);
                else Entries.Add(ParseEntry(prop.Name, prop.Value, fail));
            }
        }
        // the entries, in offset order, must tile the buffer: no hole, no overlap, nothing past the end
        long expected = 0;
        foreach (var e in Entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expected)
                fail(e.Begin < expected
                    ? $"tensor \"{e.Name}\" data_offsets [{e.Begin}, {e.End}] overlap the previous tensor's bytes (which end at {expected})"
                    : $"tensor \"{e.Name}\" data_offsets [{e.Begin}, {e.End}] leave a hole after byte {expected}");
            expected = e.End;
        }
        if (expected != bufferLength)
            fail(expected > bufferLength
                ? $"the tensors need {expected} bytes of data but the file holds {bufferLength} after the header; the file is truncated"
                : $"the file holds {bufferLength} bytes of data after the header but the tensors account for only {expected}");
    }

    private void ParseMetadata(JsonElement value, Func<string, string> fail)
    {
        if (value.ValueKind != JsonValueKind.Object) fail("__metadata__ must be an object of strings");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String) fail($"__metadata__ value of \"{m.Name}\" must be a string, got {m.Value.ValueKind}");
            if (!Metadata.TryAdd(m.Name, m.Value.GetString()!)) fail($"__metadata__ names \"{m.Name}\" twice");
        }
    }

    private static Entry ParseEntry(string name, JsonElement v, Func<string, string> fail)
    {
        if (v.ValueKind != JsonValueKind.Object) fail($"tensor \"{name}\": expected an object with dtype, shape and data_offsets");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) fail($"tensor \"{name}\": missing dtype");
        var dtypeName = dt.GetString();
        DType? parsed = dtypeName switch
        {
            "F32" => DType.Float32,
            "F64" => DType.Float64,
            "I64" => DType.Int64,
            "BOOL" => DType.Bool,
            _ => null,
        };
        if (parsed is not { } dtype)
        {
            fail(KnownButUnsupported.Contains(dtypeName)
                ? $"tensor \"{name}\" has dtype {dtypeName}, which Framework does not hold; supported: F32, F64, I64, BOOL (convert it before saving)"
                : $"tensor \"{name}\" has unknown dtype \"{dtypeName}\"");
            return null!;
        }
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) fail($"tensor \"{name}\": missing shape");
        var shape = new List<int>();
        long numel = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0 || dim > int.MaxValue)
                fail($"tensor \"{name}\": shape entries must be non-negative integers, got {sh.GetRawText()}");
            long dd = d.GetInt64();
            shape.Add((int)dd);
            numel = dd == 0 || numel == 0 ? 0 : numel > long.MaxValue / 16 / dd ? -1 : numel * dd;
            if (numel < 0) fail($"tensor \"{name}\": shape {sh.GetRawText()} is too large");
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            fail($"tensor \"{name}\": data_offsets must be [begin, end]");
        var o = off.EnumerateArray().ToArray();
        long begin = 0, end = 0;
        if (o[0].ValueKind != JsonValueKind.Number || o[1].ValueKind != JsonValueKind.Number || !o[0].TryGetInt64(out begin) || !o[1].TryGetInt64(out end) || begin < 0 || end < begin)
            fail($"tensor \"{name}\": data_offsets {off.GetRawText()} must be integers with 0 <= begin <= end");
        long bytes = numel * dtype.ElementSize();
        if (end - begin != bytes)
            fail($"tensor \"{name}\": data_offsets {off.GetRawText()} span {end - begin} bytes, but a {dtypeName} tensor of shape {Framework.Shape.Format(shape.ToArray())} needs {bytes}");
        return new Entry(name, dtype, [.. shape], begin, end);
    }

    /// <summary>The header bytes for tensors laid out one after the other in the given order, padded with spaces to a multiple of 8.</summary>
    public static byte[] Build(IEnumerable<(string Name, DType DType, Shape Shape)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, val) in metadata) w.WriteString(k, val);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape) in tensors)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", DTypeName(dtype));
                w.WriteStartArray("shape");
                foreach (var d in shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                long size = shape.Numel * dtype.ElementSize();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }
}
