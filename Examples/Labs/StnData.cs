using Framework.Models;

namespace Framework.Examples;

/// <summary>
/// The spatial transformer lab's data: distorted digit-like glyphs generated in code (the default), or
/// Fashion-MNIST (<c>--data fashion-mnist</c>, Debian's dataset-fashion-mnist) put through random affine maps
/// of the same strength, so that in both cases the transformer has a pose to undo.
/// </summary>
public sealed record StnData(string Name, string Description, TensorDataset Train, Tensor TestImages, Tensor TestLabels, int Epochs, string[]? Classes)
{
    /// <summary>
    /// SyntheticDigits' distortion scale: 1.5 rotates up to +-60 degrees, scales 0.55-1.3, shears up to +-0.45 and shifts
    /// up to +-27% of the size (1.0 is the dataset's default; stronger than 1.5 pushes many glyphs out of the frame).
    /// </summary>
    public const double GlyphDistortion = 1.5;

    public string ClassName(int label) => Classes is null ? label.ToString() : Classes[label];

    public static StnData Load(LabOptions o)
    {
        switch (o.Data ?? "glyphs")
        {
            case "glyphs":
                {
                    int train = o.Quick ? 12800 : 24000, test = o.Quick ? 500 : 5000;
                    var (x, y) = SyntheticDigits.Generate(train, seed: 2 * o.Seed + 11, distortion: GlyphDistortion);
                    var (tx, ty) = SyntheticDigits.Generate(test, seed: 2 * o.Seed + 12, distortion: GlyphDistortion);
                    return new StnData("glyphs", $"SyntheticDigits glyphs, distortion {GlyphDistortion}", new TensorDataset(x, y), tx, ty,
                        Epochs: 10, null);
                }
            case "fashion-mnist":
                {
                    var train = MnistFormat.FashionMnist(train: true);
                    var test = MnistFormat.FashionMnist(train: false);
                    var g = new Generator(o.Seed + 7);
                    int nTrain = o.Quick ? 12800 : train.Count, nTest = o.Quick ? 500 : test.Count;
                    var x = Distort(train.Tensors[0].Narrow(0, 0, nTrain), g);
                    var tx = Distort(test.Tensors[0].Narrow(0, 0, nTest), g);
                    return new StnData("fashion-mnist", "Fashion-MNIST under random affine maps", new TensorDataset(x, train.Tensors[1].Narrow(0, 0, nTrain)),
                        tx, test.Tensors[1].Narrow(0, 0, nTest), Epochs: 4, ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]);
                }
            default:
                throw new ArgumentException($"stn: unknown --data '{o.Data}' (choose glyphs, the default, or fashion-mnist)");
        }
    }

    /// <summary>
    /// Distorts each image by a random rotation (+-30 degrees), scale (0.8-1.05) and shift (+-15% of the size; clothes fill their frame, so milder than the glyphs') with the
    /// very ops the transformer uses: output point p reads input point theta (p, 1), theta = A^-1 for the map A we want to see.
    /// </summary>
    private static Tensor Distort(Tensor images, Generator g)
    {
        int n = images.Shape[0];
        var theta = new float[n * 6];
        for (int i = 0; i < n; i++)
        {
            double U(double a, double b) => a + (b - a) * g.NextDouble();
            double angle = U(-30, 30) * Math.PI / 180, scale = U(0.8, 1.05), tx = U(-0.3, 0.3), ty = U(-0.3, 0.3);
            // A = [s R | t]; A^-1 = [R^T / s | -R^T t / s]
            double c = Math.Cos(angle) / scale, s = Math.Sin(angle) / scale;
            float[] row = [(float)c, (float)s, (float)(-(c * tx + s * ty)), (float)-s, (float)c, (float)(s * tx - c * ty)];
            row.CopyTo(theta, i * 6);
        }
        using var _ = Autograd.NoGrad();
        var grid = F.AffineGrid(Tensor.FromArray(theta, new Shape(n, 2, 3)), images.Shape.ToArray(), alignCorners: false);
        return F.GridSample(images, grid, alignCorners: false);
    }
}
