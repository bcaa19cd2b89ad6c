using System.Buffers.Binary;
using System.IO.Compression;

namespace Framework.Models;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST (plain or gzipped, detected from the bytes):
/// two zero bytes, a type code (0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64),
/// the rank, then each dim as a big-endian int32, then the values big-endian. A bad magic number, a short
/// file or trailing bytes throw <see cref="InvalidDataException"/>.
/// </summary>
public static class Idx
{
    /// <summary>The whole file as a tensor: integer types as int64, float types as float32/float64.</summary>
    public static Tensor Read(string path)
    {
        var (type, dims, data) = ReadRaw(path);
        int size = ElementSize(type);
        long n = data.Length / size;
        switch (type)
        {
            case 0x0D:
                {
                    var v = new float[n];
                    for (long i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadSingleBigEndian(data.AsSpan((int)(i * 4)));
                    return Tensor.FromArray(v, new Shape(dims));
                }
            case 0x0E:
                {
                    var v = new double[n];
                    for (long i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadDoubleBigEndian(data.AsSpan((int)(i * 8)));
                    return Tensor.FromArray(v, new Shape(dims));
                }
            default:
                {
                    var v = new long[n];
                    for (long i = 0; i < n; i++)
                    {
                        var s = data.AsSpan((int)(i * size));
                        v[i] = type switch
                        {
                            0x08 => s[0],
                            0x09 => (sbyte)s[0],
                            0x0B => BinaryPrimitives.ReadInt16BigEndian(s),
                            _ => BinaryPrimitives.ReadInt32BigEndian(s),
                        };
                    }
                    return Tensor.FromArray(v, new Shape(dims));
                }
        }
    }

    /// <summary>Images of an idx3-ubyte file as float32 (N, 1, H, W) scaled to [0, 1] (torchvision's ToTensor).</summary>
    public static Tensor ReadImages(string path)
    {
        var (type, dims, data) = ReadRaw(path);
        if (type != 0x08 || dims.Length != 3)
            throw new InvalidDataException($"idx: {path}: expected unsigned-byte images of rank 3 (N, H, W), got type 0x{type:X2} with dims {Shape.Format(dims)}");
        var v = new float[data.Length];
        for (int i = 0; i < v.Length; i++) v[i] = data[i] / 255f;
        return Tensor.FromArray(v, new Shape(dims[0], 1, dims[1], dims[2]));
    }

    /// <summary>Labels of an idx1-ubyte file as int64 (N).</summary>
    public static Tensor ReadLabels(string path)
    {
        var (type, dims, data) = ReadRaw(path);
        if (type != 0x08 || dims.Length != 1)
            throw new InvalidDataException($"idx: {path}: expected unsigned-byte labels of rank 1 (N), got type 0x{type:X2} with dims {Shape.Format(dims)}");
        return Tensor.FromArray(data.Select(b => (long)b).ToArray(), new Shape(dims[0]));
    }

    /// <summary>Type code, dims and the raw (big-endian) value bytes, validated.</summary>
    public static (byte Type, int[] Dims, byte[] Data) ReadRaw(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"idx: no file {path}", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) bytes = Gunzip(bytes, path);
        return Parse(bytes, path);
    }

    private static byte[] Gunzip(byte[] gz, string path)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            // GZipStream ends quietly on a cut stream: the trailer's ISIZE (length mod 2^32) tells
            uint isize = gz.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(gz.AsSpan(gz.Length - 4)) : uint.MaxValue;
            if (isize != (uint)output.Length)
                throw new InvalidDataException($"decompressed {output.Length} bytes, the gzip trailer announces {isize}");
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"idx: {path}: the gzip stream is corrupted or truncated ({e.Message})", e);
        }
    }

    internal static (byte Type, int[] Dims, byte[] Data) Parse(byte[] b, string source)
    {
        if (b.Length < 4)
            throw new InvalidDataException($"idx: {source}: the file is {b.Length} bytes, too short for the 4-byte magic number; it is truncated or not an IDX file");
        if (b[0] != 0 || b[1] != 0)
            throw new InvalidDataException($"idx: {source}: bad magic number 0x{b[0]:X2}{b[1]:X2}{b[2]:X2}{b[3]:X2}: an IDX file starts with two zero bytes, a type code and the rank (MNIST images: 0x00000803)");
        byte type = b[2];
        if (type is not (0x08 or 0x09 or 0x0B or 0x0C or 0x0D or 0x0E))
            throw new InvalidDataException($"idx: {source}: unknown type code 0x{type:X2} in the magic number (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)");
        int rank = b[3];
        if (rank == 0) throw new InvalidDataException($"idx: {source}: the magic number gives rank 0; an IDX file has at least one dim");
        if (b.Length < 4 + 4 * rank)
            throw new InvalidDataException($"idx: {source}: the file is {b.Length} bytes, too short for the {rank} dim sizes its header announces; it is truncated");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(4 + 4 * i));
            if (d > int.MaxValue) throw new InvalidDataException($"idx: {source}: dim {i} has size {d}, too large");
            dims[i] = (int)d;
            count *= d;
            if (count > int.MaxValue) throw new InvalidDataException($"idx: {source}: dims {Shape.Format(dims[..(i + 1)])} hold too many values");
        }
        long need = count * ElementSize(type), have = b.Length - 4 - 4L * rank;
        if (have < need)
            throw new InvalidDataException($"idx: {source}: dims {Shape.Format(dims)} need {need} bytes of data but the file holds {have}; it is truncated");
        if (have > need)
            throw new InvalidDataException($"idx: {source}: dims {Shape.Format(dims)} need {need} bytes of data but the file holds {have}; the header does not match the data");
        return (type, dims, b[(4 + 4 * rank)..]);
    }

    private static int ElementSize(byte type) => type switch { 0x08 or 0x09 => 1, 0x0B => 2, 0x0C or 0x0D => 4, _ => 8 };
}

/// <summary>
/// MNIST-format image datasets from IDX files: Fashion-MNIST comes with Debian's dataset-fashion-mnist
/// package (in /usr/share/datasets/fashion-mnist); MNIST itself from any directory holding the four files.
/// Images are float32 (1, 28, 28) in [0, 1], labels int64.
/// </summary>
public static class MnistFormat
{
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's class names, by label.</summary>
    public static readonly string[] FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The training (60000) or test (10000) split as a TensorDataset of (image, label).</summary>
    public static TensorDataset Load(string directory, bool train = true)
    {
        string prefix = train ? "train" : "t10k";
        var images = Idx.ReadImages(Find(directory, $"{prefix}-images-idx3-ubyte"));
        var labels = Idx.ReadLabels(Find(directory, $"{prefix}-labels-idx1-ubyte"));
        if (images.Shape[0] != labels.Shape[0])
            throw new InvalidDataException($"idx: {directory}: {images.Shape[0]} images but {labels.Shape[0]} labels");
        return new TensorDataset(images, labels);
    }

    /// <summary>Fashion-MNIST from the Debian package (apt-get install dataset-fashion-mnist).</summary>
    public static TensorDataset FashionMnist(bool train = true, string directory = FashionMnistDirectory)
    {
        if (!Directory.Exists(directory))
            throw new FileNotFoundException($"Fashion-MNIST: {directory} does not exist; install the data with 'apt-get install dataset-fashion-mnist' " +
                                            "(or pass the directory holding the four IDX files)");
        return Load(directory, train);
    }

    private static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var p = Path.Combine(directory, candidate);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"idx: {directory} holds neither {name}.gz nor {name}", Path.Combine(directory, name));
    }
}
