using System.Buffers.Binary;
using System.IO.Compression;
using Framework.Models;
using Xunit;

namespace Framework.Tests.Models;

public class DataLoaderTests
{
    private static TensorDataset Numbers(int n) =>
        new(Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1),
            Tensor.FromArray(Enumerable.Range(0, n).Select(i => (long)(i % 3)).ToArray()));

    [Fact]
    public void Batches_keep_order_and_the_short_last_batch()
    {
        var loader = new DataLoader(Numbers(10), batchSize: 4);
        var batches = loader.ToList();
        Assert.Equal(3, loader.Count);
        Assert.Equal([4, 4, 2], batches.Select(b => b[0].Shape[0]).ToArray());
        Assert.Equal(new Shape(4, 1), batches[0][0].Shape);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), batches.SelectMany(b => b[0].ToArray<float>()));
        var (x, y) = batches[2];
        Assert.Equal([8f, 9f], x.ToArray<float>());
        Assert.Equal([2L, 0L], y.ToArray<long>());
        Assert.Equal(DType.Int64, y.DType);
    }

    [Fact]
    public void Drop_last_drops_the_short_batch()
    {
        var loader = new DataLoader(Numbers(10), batchSize: 4, dropLast: true);
        Assert.Equal(2, loader.Count);
        Assert.Equal(8, loader.Sum(b => b[0].Shape[0]));
    }

    [Fact]
    public void Shuffling_is_a_seeded_permutation_new_each_epoch()
    {
        var loader = new DataLoader(Numbers(50), batchSize: 8, shuffle: true, generator: new Generator(5));
        var epoch1 = loader.SelectMany(b => b[0].ToArray<float>()).ToArray();
        var epoch2 = loader.SelectMany(b => b[0].ToArray<float>()).ToArray();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), epoch1.Order());
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (float)i), epoch1);
        Assert.NotEqual(epoch1, epoch2);
        var again = new DataLoader(Numbers(50), batchSize: 8, shuffle: true, generator: new Generator(5));
        Assert.Equal(epoch1, again.SelectMany(b => b[0].ToArray<float>()).ToArray());
        // labels travel with their samples
        foreach (var (x, y) in loader)
            Assert.Equal(x.ToArray<float>().Select(v => (long)v % 3), y.ToArray<long>());
    }

    [Fact]
    public void A_transformed_dataset_is_collated_by_stacking()
    {
        var ds = Numbers(6).WithTransform(new Lambda(t => t * 10.0));
        var batch = new DataLoader(ds, batchSize: 6).Single();
        Assert.Equal([0f, 10f, 20f, 30f, 40f, 50f], batch[0].ToArray<float>());
        Assert.Equal(new Shape(6, 1), batch[0].Shape);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Contains("batch_size", Assert.Throws<ArgumentException>(() => new DataLoader(Numbers(3), batchSize: 0)).Message);
        Assert.Contains("size mismatch", Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Zeros(3, 2), Tensor.Zeros(4))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3)[3]);
        var ragged = new RaggedDataset();
        Assert.Contains("equal size", Assert.Throws<ArgumentException>(() => new DataLoader(ragged, batchSize: 2).ToList()).Message);
    }

    private sealed class RaggedDataset : Dataset<Tensor[]>
    {
        public override int Count => 2;
        public override Tensor[] this[int index] => [Tensor.Zeros(index + 1)];
    }
}

public class TransformTests
{
    private static Tensor Image() => Tensor.FromArray(Enumerable.Range(0, 2 * 3 * 4).Select(i => (float)i).ToArray(), 2, 3, 4);

    [Fact]
    public void Normalize_subtracts_and_divides_per_channel()
    {
        var y = new Normalize([1, 12], [2, 4]).Apply(Image()).ToArray<float>();
        Assert.Equal((0 - 1) / 2f, y[0]);
        Assert.Equal((12 - 12) / 4f, y[12]);
        Assert.Equal((23 - 12) / 4f, y[23]);
        Assert.Throws<ArgumentException>(() => new Normalize([0], [0]));
    }

    [Fact]
    public void Horizontal_flip_mirrors_columns_with_probability_p()
    {
        var flipped = new RandomHorizontalFlip(1.0).Apply(Image()).ToArray<float>();
        Assert.Equal([3f, 2f, 1f, 0f], flipped[..4]);
        Assert.Equal(Image().ToArray<float>(), new RandomHorizontalFlip(0.0).Apply(Image()).ToArray<float>());
        var g = new Generator(1);
        int flips = Enumerable.Range(0, 400).Count(_ => new RandomHorizontalFlip(0.3, g).Apply(Image()).ToArray<float>()[0] == 3f);
        Assert.InRange(flips, 80, 160);
    }

    [Fact]
    public void Random_crop_with_padding_returns_a_window_of_the_padded_image()
    {
        var img = Tensor.FromArray(Enumerable.Range(1, 16).Select(i => (float)i).ToArray(), 1, 4, 4);
        var crop = new RandomCrop(4, padding: [2], generator: new Generator(3));
        var seen = new HashSet<string>();
        for (int k = 0; k < 50; k++)
        {
            var c = crop.Apply(img);
            Assert.Equal(new Shape(1, 4, 4), c.Shape);
            var v = c.ToArray<float>();
            // every non-zero value sits at its original position shifted by one common offset
            var nz = Enumerable.Range(0, 16).Where(i => v[i] != 0).ToList();
            Assert.NotEmpty(nz);
            int off = -1;
            foreach (var i in nz)
            {
                int src = (int)v[i] - 1, dy = src / 4 - i / 4, dx = src % 4 - i % 4;
                int o = (dy + 2) * 5 + (dx + 2);
                if (off < 0) off = o;
                Assert.Equal(off, o);
            }
            seen.Add(off.ToString());
        }
        Assert.True(seen.Count > 5, "the crop position should vary");
        Assert.Contains("larger than the input", Assert.Throws<ArgumentException>(() => new RandomCrop(5).Apply(img)).Message);
    }

    [Fact]
    public void Affine_matches_torchvision()
    {
        var img = Tensor.FromArray(Enumerable.Range(0, 25).Select(i => (double)i).ToArray(), 1, 5, 5);
        // torchvision 0.14: TF.affine(arange(25.).reshape(1, 5, 5), angle=30, translate=[1, 0], scale=1.2, shear=[10, 5], ...)
        double[] bilinear = [0.0, 3.456822349458841, 4.4261749719228245, 3.317890619423308, 2.2096062669237906, 5.429132469665586,
            9.875514014710687, 8.76722966221117, 7.658945309711655, 6.550660957212138, 15.324853057498549, 14.216568704999032,
            13.108284352499517, 12.0, 10.891715647500485, 19.665907747786896, 18.55762339528738, 17.449339042787862, 16.341054690288345,
            15.23277033778883, 8.937741607377518, 16.91726251828925, 21.790393733076208, 20.68210938057669, 19.573825028077174];
        double[] nearest = [0, 5, 5, 1, 2, 0, 10, 11, 6, 7, 15, 16, 11, 12, 13, 21, 16, 17, 18, 13, 0, 22, 22, 23, 19];
        Assert.Equal(bilinear, RandomAffine.Affine(img, 30, (1, 0), 1.2, (10, 5), "bilinear").ToArray<double>(), new OptimizerTests.Tol(1e-12));
        Assert.Equal(nearest, RandomAffine.Affine(img, 30, (1, 0), 1.2, (10, 5)).ToArray<double>());
        // angle=-20, translate=[0, -1], scale=0.8, bilinear, fill=[3.0]
        double[] filled = [0.1627155961824428, 3.2422046274773453, 6.554446299245159, 9.866687971012974, 2.9483641940069907,
            3.472123077457165, 8.687758328232183, 12.0, 15.312241671767817, 8.78725598532779, 2.9082775631097246, 14.133312028987024,
            17.445553700754843, 20.757795372522658, 22.612428671940606, 3.0, 18.551368655045557, 10.002571799370486, 3.442622809302378,
            3.0, 3.0, 3.0, 3.0, 3.0, 3.0];
        Assert.Equal(filled, RandomAffine.Affine(img, -20, (0, -1), 0.8, (0, 0), "bilinear", fill: 3).ToArray<double>(), new OptimizerTests.Tol(1e-12));
    }

    [Fact]
    public void Random_affine_with_zero_ranges_is_the_identity_and_a_pure_shift_moves_pixels()
    {
        var img = Tensor.FromArray(Enumerable.Range(0, 25).Select(i => (float)i).ToArray(), 1, 5, 5);
        Assert.Equal(img.ToArray<float>(), new RandomAffine(0).Apply(img).ToArray<float>());
        // a 90-degree rotation about the centre (degrees range (90, 90)) maps (x, y) -> (-y, x) around pixel 2,2
        var rot = new RandomAffine((90, 90)).Apply(img).ToArray<float>();
        Assert.Equal(12f, rot[12]);
        Assert.Equal(img.ToArray<float>()[2 * 5 + 0], rot[0 * 5 + 2]);   // torchvision's affine angle is clockwise on screen
        var m = RandomAffine.InverseMatrix(0, (1, 0), 1, (0, 0));
        Assert.Equal([1, 0, -1, 0, 1, 0], m.Select(v => Math.Round(v, 12) + 0.0).ToArray());
        var draws = new RandomAffine(30, translate: (0.2, 0.2), scale: (0.9, 1.1), shear: [10], generator: new Generator(2));
        for (int k = 0; k < 20; k++)
        {
            var (angle, (tx, ty), s, (shx, shy)) = draws.GetParams(28, 28);
            Assert.InRange(angle, -30, 30);
            Assert.InRange(Math.Abs(tx), 0, 6);
            Assert.InRange(s, 0.9, 1.1);
            Assert.InRange(shx, -10, 10);
            Assert.Equal(0, shy);
        }
    }
}

public class IdxTests
{
    private static byte[] IdxBytes(byte type, int[] dims, byte[] data)
    {
        var b = new byte[4 + 4 * dims.Length + data.Length];
        b[2] = type;
        b[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    private static byte[] Gzip(byte[] b)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(b);
        return ms.ToArray();
    }

    [Fact]
    public void Plain_and_gzipped_image_and_label_files_are_read()
    {
        using var dir = new TempDir();
        var pixels = Enumerable.Range(0, 2 * 3 * 2).Select(i => (byte)(i * 20)).ToArray();
        File.WriteAllBytes(dir.File("img"), IdxBytes(0x08, [2, 3, 2], pixels));
        File.WriteAllBytes(dir.File("img.gz"), Gzip(IdxBytes(0x08, [2, 3, 2], pixels)));
        File.WriteAllBytes(dir.File("lbl"), IdxBytes(0x08, [2], [7, 3]));
        foreach (var name in new[] { "img", "img.gz" })
        {
            var images = Idx.ReadImages(dir.File(name));
            Assert.Equal(new Shape(2, 1, 3, 2), images.Shape);
            Assert.Equal(pixels.Select(p => p / 255f), images.ToArray<float>());
        }
        Assert.Equal([7L, 3L], Idx.ReadLabels(dir.File("lbl")).ToArray<long>());
    }

    [Fact]
    public void Wider_types_are_read_big_endian()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("i32"), IdxBytes(0x0C, [2], [0, 0, 1, 2, 0xFF, 0xFF, 0xFF, 0xFE]));
        Assert.Equal([258L, -2L], Idx.Read(dir.File("i32")).ToArray<long>());
        File.WriteAllBytes(dir.File("f32"), IdxBytes(0x0D, [1], [0x3F, 0xC0, 0, 0]));
        Assert.Equal([1.5f], Idx.Read(dir.File("f32")).ToArray<float>());
    }

    [Theory]
    [InlineData("bad_magic", "bad magic number")]
    [InlineData("unknown_type", "unknown type code")]
    [InlineData("truncated_header", "too short")]
    [InlineData("truncated_data", "truncated")]
    [InlineData("trailing_bytes", "does not match")]
    [InlineData("truncated_gzip", "gzip")]
    [InlineData("tiny", "too short")]
    public void Broken_files_are_refused_with_a_clear_error(string kind, string mention)
    {
        using var dir = new TempDir();
        var good = IdxBytes(0x08, [2, 2, 2], new byte[8]);
        byte[] bytes = kind switch
        {
            "bad_magic" => [0x1F, 0x00, 0x08, 0x03, .. good[4..]],
            "unknown_type" => [0, 0, 0x07, 0x03, .. good[4..]],
            "truncated_header" => good[..9],
            "truncated_data" => good[..^3],
            "trailing_bytes" => [.. good, 1, 2],
            "truncated_gzip" => Gzip(good)[..12],
            _ => [0, 0],
        };
        File.WriteAllBytes(dir.File("f"), bytes);
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(dir.File("f")));
        Assert.StartsWith("idx:", ex.Message);
        Assert.Contains(mention, ex.Message);
    }

    [Fact]
    public void Fashion_mnist_from_the_debian_package_when_installed()
    {
        if (!Directory.Exists(MnistFormat.FashionMnistDirectory)) return;   // the package is optional; its absence is reported by the lab
        var test = MnistFormat.FashionMnist(train: false);
        Assert.Equal(10000, test.Count);
        var (x, y) = test[0];
        Assert.Equal(new Shape(1, 28, 28), x.Shape);
        Assert.InRange(y.Item<long>(), 0, 9);
        Assert.Contains("apt-get install dataset-fashion-mnist",
            Assert.Throws<FileNotFoundException>(() => MnistFormat.FashionMnist(directory: "/nonexistent/fmnist")).Message);
    }
}
