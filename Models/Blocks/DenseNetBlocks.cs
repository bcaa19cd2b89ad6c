namespace Framework.Models;

/// <summary>
/// One layer of a DenseNet dense block (torchvision's _DenseLayer): BN-ReLU-conv1x1 to bn_size * growth_rate
/// channels, BN-ReLU-conv3x3 to growth_rate channels, dropout with drop_rate while training. Its input is
/// the concatenation of all earlier feature maps of the block.
/// </summary>
public sealed class DenseLayer : Module
{
    public DenseLayer(int numInputFeatures, int growthRate, int bnSize = 4, double dropRate = 0)
    {
        if (dropRate is < 0 or > 1) throw new ArgumentException($"DenseLayer: drop_rate must be in [0, 1], got {dropRate}");
        Norm1 = new BatchNorm2d(numInputFeatures);
        Relu1 = new ReLU();
        Conv1 = new Conv2d(numInputFeatures, bnSize * growthRate, 1, bias: false);
        Norm2 = new BatchNorm2d(bnSize * growthRate);
        Relu2 = new ReLU();
        Conv2 = new Conv2d(bnSize * growthRate, growthRate, 3, padding: 1, bias: false);
        DropRate = dropRate;
    }

    public BatchNorm2d Norm1 { get; }
    public ReLU Relu1 { get; }
    public Conv2d Conv1 { get; }
    public BatchNorm2d Norm2 { get; }
    public ReLU Relu2 { get; }
    public Conv2d Conv2 { get; }
    public double DropRate { get; }

    /// <summary>The new growth_rate features from the concatenated earlier ones.</summary>
    public Tensor Forward(IReadOnlyList<Tensor> features)
    {
        var x = features.Count == 1 ? features[0] : F.Cat(features, 1);
        var bottleneck = Conv1.Forward(Relu1.Forward(Norm1.Forward(x)));
        var y = Conv2.Forward(Relu2.Forward(Norm2.Forward(bottleneck)));
        return F.Dropout(y, DropRate, Training, GeneratorScope.Current);
    }

    public override Tensor Forward(Tensor input) => Forward([input]);
}

/// <summary>
/// A DenseNet dense block (torchvision's _DenseBlock): numLayers dense layers named denselayer1, ...; each sees
/// the concatenation of the block input and every earlier layer's output; the block returns them all
/// concatenated: numInputFeatures + numLayers * growthRate channels.
/// </summary>
public sealed class DenseBlock : ModuleDict<DenseLayer>
{
    public DenseBlock(int numLayers, int numInputFeatures, int bnSize = 4, int growthRate = 32, double dropRate = 0)
    {
        if (numLayers < 1) throw new ArgumentException($"DenseBlock: num_layers must be at least 1, got {numLayers}");
        for (int i = 0; i < numLayers; i++)
            Add($"denselayer{i + 1}", new DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate));
        OutFeatures = numInputFeatures + numLayers * growthRate;
    }

    /// <summary>Channels of the output.</summary>
    public int OutFeatures { get; }

    public override Tensor Forward(Tensor input)
    {
        var features = new List<Tensor> { input };
        foreach (var layer in Values) features.Add(layer.Forward(features));
        return F.Cat(features, 1);
    }
}

/// <summary>DenseNet's transition between blocks (torchvision's _Transition): BN, ReLU, 1x1 conv, 2x2 average pooling.</summary>
public sealed class Transition : Sequential
{
    public Transition(int numInputFeatures, int numOutputFeatures)
        : base(("norm", new BatchNorm2d(numInputFeatures)), ("relu", new ReLU()),
               ("conv", new Conv2d(numInputFeatures, numOutputFeatures, 1, bias: false)), ("pool", new AvgPool2d(2, stride: 2)))
    { }
}
