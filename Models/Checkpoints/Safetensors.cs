using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Framework.Models;

/// <summary>
/// Checkpoints in the safetensors format, so PyTorch (safetensors.torch) reads what Framework writes and the
/// other way round. Names follow safetensors.torch: Save/Load (bytes), SaveFile/LoadFile, SaveModel/LoadModel.
/// Files are written atomically: a temporary file in the same directory, flushed to disk, then renamed over
/// the target, so a crash or a failing disk mid-save leaves the previous checkpoint intact. Reading validates
/// the whole header (sizes, dtypes, shapes, offsets) before any data is used; a bad file throws
/// <see cref="InvalidDataException"/> naming the problem.
/// <code>
/// Safetensors.SaveModel(net, "net.safetensors");
/// Safetensors.LoadModel(net, "net.safetensors");           // strict: every key must match
/// </code>
/// </summary>
public static class Safetensors
{
    /// <summary>The file's bytes for these tensors (safetensors.torch.save).</summary>
    public static byte[] Save(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var ms = new MemoryStream();
        Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    /// <summary>Writes the tensors in the safetensors layout to any stream.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors: writing needs a little-endian machine");
        foreach (var (name, t) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("safetensors: a tensor name cannot be empty");
            if (name == "__metadata__") throw new ArgumentException("safetensors: \"__metadata__\" is reserved and cannot name a tensor");
            if (t is null) throw new ArgumentException($"safetensors: tensor \"{name}\" is null");
        }
        var header = SafetensorsHeader.Build(tensors.Select(kv => (kv.Key, kv.Value.DType, kv.Value.Shape)), metadata);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        stream.Write(header);
        foreach (var (_, t) in tensors) WriteData(stream, t);
    }

    private static void WriteData(Stream stream, Tensor t)
    {
        switch (t.DType)
        {
            case DType.Float32: stream.Write(MemoryMarshal.AsBytes<float>(t.ToArray<float>())); break;
            case DType.Float64: stream.Write(MemoryMarshal.AsBytes<double>(t.ToArray<double>())); break;
            case DType.Int64: stream.Write(MemoryMarshal.AsBytes<long>(t.ToArray<long>())); break;
            default:
                var b = t.ToArray<bool>();
                var bytes = new byte[b.Length];
                for (int i = 0; i < b.Length; i++) bytes[i] = b[i] ? (byte)1 : (byte)0;
                stream.Write(bytes);
                break;
        }
    }

    /// <summary>Writes a file atomically (safetensors.torch.save_file).</summary>
    public static void SaveFile(IReadOnlyDictionary<string, Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SaveFile(tensors, path, metadata, wrapStream: null);

    /// <summary>As SaveFile; <paramref name="wrapStream"/> lets tests write through a stream that fails midway.</summary>
    internal static void SaveFile(IReadOnlyDictionary<string, Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata,
        Func<Stream, Stream>? wrapStream)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"safetensors: the directory of {path} does not exist");
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var s = wrapStream?.Invoke(fs) ?? fs;
                Write(s, tensors, metadata);
                s.Flush();
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);   // rename(2): atomic within one file system
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Saves a module's state dict (safetensors.torch.save_model).</summary>
    public static void SaveModel(Module model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        SaveFile(model.StateDict(), path, metadata);
    }

    /// <summary>
    /// Loads a file into a module (safetensors.torch.load_model). The file is read and validated completely, then
    /// checked against the module (keys when strict, shapes and dtypes always), and only then copied in: on any
    /// error the module is unchanged.
    /// </summary>
    public static LoadResult LoadModel(Module model, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = LoadFile(path);
        try { return model.LoadStateDict(tensors, strict); }
        catch (ArgumentException e) { throw new ArgumentException($"safetensors: {path}: {e.Message}", e); }
    }

    /// <summary>Reads every tensor of a file onto <paramref name="device"/> (CPU by default), in file order (safetensors.torch.load_file).</summary>
    public static OrderedDictionary<string, Tensor> LoadFile(string path, Device? device = null) => ReadFile(path, device).Tensors;

    /// <summary>The file's tensors and its __metadata__.</summary>
    public static (OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) ReadFile(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors: no file {path}", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(fs, fs.Length, path, device);
    }

    /// <summary>Parses safetensors bytes (safetensors.torch.load).</summary>
    public static OrderedDictionary<string, Tensor> Load(byte[] data, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var ms = new MemoryStream(data, writable: false);
        return Read(ms, data.Length, "bytes", device).Tensors;
    }

    private static (OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(Stream s, long length, string source, Device? device)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors: reading needs a little-endian machine");
        var header = SafetensorsHeader.Read(s, length, source);
        var byOffset = new Dictionary<string, Tensor>();
        foreach (var e in header.Entries.OrderBy(e => e.Begin))
        {
            s.Position = header.DataStart + e.Begin;
            byOffset[e.Name] = ReadTensor(s, e);
        }
        var result = new OrderedDictionary<string, Tensor>();
        foreach (var e in header.Entries)
        {
            var t = byOffset[e.Name];
            result[e.Name] = device is null || device.IsCpu ? t : t.ToDevice(device).DetachFromDisposeScope();
        }
        return (result, header.Metadata);
    }

    private static Tensor ReadTensor(Stream s, SafetensorsHeader.Entry e)
    {
        long numel = (e.End - e.Begin) / e.DType.ElementSize();
        if (numel > Array.MaxLength) throw new InvalidDataException($"safetensors: tensor \"{e.Name}\" is too large for one array");
        var shape = new Shape(e.Shape);
        switch (e.DType)
        {
            case DType.Float32: { var a = new float[numel]; s.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan())); return Tensor.FromArray(a, shape); }
            case DType.Float64: { var a = new double[numel]; s.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan())); return Tensor.FromArray(a, shape); }
            case DType.Int64: { var a = new long[numel]; s.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan())); return Tensor.FromArray(a, shape); }
            default:
                {
                    var raw = new byte[numel];
                    s.ReadExactly(raw);
                    var a = new bool[numel];
                    for (long i = 0; i < numel; i++)
                    {
                        if (raw[i] > 1) throw new InvalidDataException($"safetensors: tensor \"{e.Name}\" is BOOL but holds the byte {raw[i]} at element {i}");
                        a[i] = raw[i] == 1;
                    }
                    return Tensor.FromArray(a, shape);
                }
        }
    }
}
