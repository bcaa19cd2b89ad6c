using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("framework-tests-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

public class SafetensorsTests
{
    /// <summary>A file laid out by hand from the spec: u64 little-endian header size, JSON header, raw little-endian data.</summary>
    private static byte[] HandMade(string headerJson, byte[] data, ulong? lengthOverride = null)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, lengthOverride ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    // 1.5f = 0x3FC00000, -2f = 0xC0000000, 7L, true/false, 0.25 = 0x3FD0000000000000
    private static readonly byte[] SpecData =
        [0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x07, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0xD0, 0x3F];

    private const string SpecHeader =
        "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}," +
        "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[16,18]}," +
        "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[18,26]},\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[26,26]}}    ";

    [Fact]
    public void A_hand_made_file_written_per_the_spec_loads()
    {
        var t = Safetensors.Load(HandMade(SpecHeader, SpecData));
        Assert.Equal(["w", "n", "m", "d", "e"], t.Keys.ToArray());
        Assert.Equal(new Shape(1, 2), t["w"].Shape);
        Assert.Equal([1.5f, -2f], t["w"].ToArray<float>());
        Assert.Equal(Shape.Scalar, t["n"].Shape);
        Assert.Equal(7L, t["n"].Item<long>());
        Assert.Equal([true, false], t["m"].ToArray<bool>());
        Assert.Equal(0.25, t["d"].Item());
        Assert.Equal(new Shape(0, 3), t["e"].Shape);
    }

    [Fact]
    public void Written_bytes_follow_the_spec_when_read_by_an_independent_parser()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.FromArray(new[] { 1.5f, -2f }, 1, 2),
            ["n"] = Tensor.FromArray(new[] { 7L }, Shape.Scalar),
            ["d"] = Tensor.FromArray(new[] { 0.25 }),
        };
        var bytes = Safetensors.Save(tensors, new Dictionary<string, string> { ["format"] = "pt" });
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);                                   // header padded to 8-byte alignment, as the reference writer
        var json = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", json);
        using var doc = JsonDocument.Parse(json.TrimEnd(' '));
        Assert.Equal("pt", doc.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        var w = doc.RootElement.GetProperty("w");
        Assert.Equal("F32", w.GetProperty("dtype").GetString());
        Assert.Equal([1, 2], w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal("I64", doc.RootElement.GetProperty("n").GetProperty("dtype").GetString());
        Assert.Empty(doc.RootElement.GetProperty("n").GetProperty("shape").EnumerateArray());
        var data = bytes.AsSpan((int)(8 + n));
        foreach (var (name, expected) in new[] { ("w", SpecData[0..8]), ("n", SpecData[8..16]), ("d", SpecData[18..26]) })
        {
            var off = doc.RootElement.GetProperty(name).GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(expected, data[off[0]..off[1]].ToArray());
        }
        Assert.Equal(24, data.Length);
    }

    [Fact]
    public void Files_round_trip_with_every_dtype_and_metadata()
    {
        using var dir = new TempDir();
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.weight"] = Tensor.Randn(3, 4),
            ["a.bias"] = Tensor.Randn(new Shape(4), DType.Float64),
            ["steps"] = Tensor.FromArray(new[] { 3L, -9L }),
            ["mask"] = Tensor.FromArray(new[] { true, false, true }),
            ["scalar"] = Tensor.Scalar(2.5),
            ["empty"] = Tensor.Zeros(0, 5),
        };
        var path = dir.File("t.safetensors");
        Safetensors.SaveFile(tensors, path, new Dictionary<string, string> { ["epoch"] = "12" });
        var (back, meta) = Safetensors.ReadFile(path);
        Assert.Equal("12", meta["epoch"]);
        Assert.Equal(tensors.Keys, back.Keys);
        foreach (var (k, t) in tensors)
        {
            Assert.Equal(t.Shape, back[k].Shape);
            Assert.Equal(t.DType, back[k].DType);
            Assert.Equal(t.ToDoubleArray(), back[k].ToDoubleArray());
        }
        Assert.Single(Directory.GetFiles(dir.Path));                   // no temporary file left behind
    }

    public static TheoryData<string, string> CorruptFiles() => new()
    {
        { "empty", "too short" },
        { "header_length_past_end", "runs past the end" },
        { "header_length_huge", "larger than the limit" },
        { "not_json", "not valid JSON" },
        { "not_an_object_start", "does not start with '{'" },
        { "truncated_data", "truncated" },
        { "overlapping_offsets", "overlap" },
        { "hole", "hole" },
        { "offsets_out_of_range", "truncated" },
        { "size_does_not_match_shape", "needs 8" },
        { "unsupported_dtype", "F16" },
        { "unknown_dtype", "unknown dtype" },
        { "duplicate_key", "twice" },
        { "negative_dim", "non-negative integers" },
        { "bad_bool", "BOOL" },
        { "extra_trailing_bytes", "account for only" },
    };

    private static byte[] Corrupt(string kind)
    {
        const string one = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var eight = new byte[8];
        return kind switch
        {
            "empty" => [1, 2, 3],
            "header_length_past_end" => HandMade(one, eight, lengthOverride: 1000),
            "header_length_huge" => HandMade(one, eight, lengthOverride: 1UL << 40),
            "not_json" => HandMade("{\"w\": nope}", eight),
            "not_an_object_start" => HandMade("[1, 2]", eight),
            "truncated_data" => HandMade(one, eight[..5]),
            "overlapping_offsets" => HandMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
            "hole" => HandMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
            "offsets_out_of_range" => HandMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight),
            "size_does_not_match_shape" => HandMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", eight),
            "unsupported_dtype" => HandMade("{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", eight),
            "unknown_dtype" => HandMade("{\"a\":{\"dtype\":\"Q7\",\"shape\":[4],\"data_offsets\":[0,8]}}", eight),
            "duplicate_key" => HandMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
            "negative_dim" => HandMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight),
            "bad_bool" => HandMade("{\"a\":{\"dtype\":\"BOOL\",\"shape\":[8],\"data_offsets\":[0,8]}}", [0, 1, 2, 0, 0, 0, 0, 0]),
            "extra_trailing_bytes" => HandMade(one, new byte[12]),
            _ => throw new ArgumentException(kind),
        };
    }

    [Theory, MemberData(nameof(CorruptFiles))]
    public void Corrupt_files_are_refused_with_a_clear_error(string kind, string mention)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Safetensors.Load(Corrupt(kind)));
        Assert.StartsWith("safetensors:", ex.Message);
        Assert.Contains(mention, ex.Message);
    }

    [Theory, MemberData(nameof(CorruptFiles))]
    public void Loading_a_corrupt_file_into_a_model_leaves_it_unchanged(string kind, string mention)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, Corrupt(kind));
        var model = new Linear(2, 1);
        var before = model.Weight.ToArray<float>();
        var ex = Assert.Throws<InvalidDataException>(() => Safetensors.LoadModel(model, path));
        Assert.Contains(mention, ex.Message);
        Assert.Equal(before, model.Weight.ToArray<float>());
    }

    [Fact]
    public void A_model_round_trips_and_mismatched_checkpoints_are_refused_leaving_it_unchanged()
    {
        using var dir = new TempDir();
        Sequential a, b;
        using (GeneratorScope.Begin(3)) a = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        using (GeneratorScope.Begin(4)) b = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        var path = dir.File("model.safetensors");
        Safetensors.SaveModel(a, path);
        Safetensors.LoadModel(b, path);
        var x = Tensor.Randn(5, 3);
        Assert.Equal(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());

        var other = new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 2));
        var before = other.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToDoubleArray());
        var shape = Assert.Throws<ArgumentException>(() => Safetensors.LoadModel(other, path));
        Assert.Contains("size mismatch for 0.weight", shape.Message);
        foreach (var (k, t) in other.StateDict()) Assert.Equal(before[k], t.ToDoubleArray());

        var wider = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2), new Linear(2, 2));
        Assert.Contains("Missing key(s)", Assert.Throws<ArgumentException>(() => Safetensors.LoadModel(wider, path)).Message);
        var narrower = new Sequential(new Linear(3, 4));
        Assert.Contains("Unexpected key(s)", Assert.Throws<ArgumentException>(() => Safetensors.LoadModel(narrower, path)).Message);
        Assert.Equal(["2.weight", "2.bias"], Safetensors.LoadModel(narrower, path, strict: false).UnexpectedKeys);
        var f64 = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)).To(DType.Float64);
        Assert.Contains("dtype mismatch", Assert.Throws<ArgumentException>(() => Safetensors.LoadModel(f64, path)).Message);
    }
}

/// <summary>Issue 10: a save that dies midway leaves the previous checkpoint intact.</summary>
public class CheckpointSafetyTests
{
    /// <summary>Passes writes through until <paramref name="limit"/> bytes, then writes part of the next block and fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            long room = limit - _written;
            if (buffer.Length > room)
            {
                inner.Write(buffer[..(int)Math.Max(0, room)]);
                _written = limit;
                throw new IOException("No space left on device (simulated)");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(100)]
    [InlineData(2000)]
    public void A_save_that_fails_midway_leaves_the_old_checkpoint_intact(long failAfterBytes)
    {
        using var dir = new TempDir();
        var path = dir.File("ckpt.safetensors");
        Linear old, updated;
        using (GeneratorScope.Begin(10)) old = new Linear(20, 30);
        using (GeneratorScope.Begin(11)) updated = new Linear(20, 30);
        Safetensors.SaveModel(old, path);
        var oldBytes = File.ReadAllBytes(path);
        Assert.True(oldBytes.Length > failAfterBytes);

        var ex = Assert.Throws<IOException>(() =>
            Safetensors.SaveFile(updated.StateDict(), path, null, s => new FailingStream(s, failAfterBytes)));
        Assert.Contains("simulated", ex.Message);

        Assert.Equal(oldBytes, File.ReadAllBytes(path));                // untouched, byte for byte
        Assert.Equal([path], Directory.GetFiles(dir.Path));             // the partial temporary file was removed
        var restored = new Linear(20, 30);
        Safetensors.LoadModel(restored, path);
        Assert.Equal(old.Weight.ToArray<float>(), restored.Weight.ToArray<float>());
    }

    [Fact]
    public void A_successful_save_replaces_the_old_checkpoint()
    {
        using var dir = new TempDir();
        var path = dir.File("ckpt.safetensors");
        Safetensors.SaveModel(new Linear(2, 2), path);
        var updated = new Linear(2, 2);
        Safetensors.SaveModel(updated, path);
        var back = Safetensors.LoadFile(path);
        Assert.Equal(updated.Weight.ToArray<float>(), back["weight"].ToArray<float>());
    }
}

public class ResumeTests
{
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void Training_resumed_from_a_checkpoint_continues_exactly(string kind)
    {
        using var dir = new TempDir();
        var x = Tensor.Randn(8, 3);
        var y = Tensor.FromArray(new long[] { 0, 1, 1, 0, 1, 0, 0, 1 });
        Optimizer Make(Module m) => kind == "sgd" ? new SGD(m.Parameters(), lr: 0.1, momentum: 0.9) : new Adam(m.Parameters(), lr: 0.05, amsgrad: true);
        Sequential Net() { using (GeneratorScope.Begin(1)) return new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2)); }
        void Steps(Module m, Optimizer o, int n)
        {
            for (int s = 0; s < n; s++)
            {
                o.ZeroGrad();
                F.CrossEntropy(m.Forward(x), y).Backward();
                o.Step();
            }
        }
        var straight = Net();
        Steps(straight, Make(straight), 5);

        var first = Net();
        var opt = Make(first);
        Steps(first, opt, 3);
        Safetensors.SaveModel(first, dir.File("model.safetensors"));
        Safetensors.SaveFile(opt.StateDict(), dir.File("optim.safetensors"));

        var resumed = Net();
        Safetensors.LoadModel(resumed, dir.File("model.safetensors"));
        var opt2 = Make(resumed);
        opt2.LoadStateDict(Safetensors.LoadFile(dir.File("optim.safetensors")));
        Steps(resumed, opt2, 2);
        foreach (var ((name, a), (_, b)) in straight.NamedParameters().Zip(resumed.NamedParameters()))
            Assert.True(a.ToArray<float>().SequenceEqual(b.ToArray<float>()), $"{name} differs after resuming");

        var bad = Make(new Sequential(new Linear(3, 4)));
        Assert.Contains("does not match parameter", Assert.Throws<ArgumentException>(() => bad.LoadStateDict(opt.StateDict())).Message);
    }
}
