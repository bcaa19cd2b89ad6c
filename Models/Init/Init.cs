namespace Framework.Models;

/// <summary>
/// Weight initialisation as torch.nn.init. Each function overwrites the tensor in place, outside autograd,
/// and returns it. Random ones draw from <paramref name="generator"/> or, when none is given, from
/// <see cref="GeneratorScope.Current"/>. Formulas and gains are PyTorch's (torch/nn/init.py).
/// </summary>
public static class Init
{
    /// <summary>
    /// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): linear, conv*, sigmoid: 1;
    /// tanh: 5/3; relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope^2)) with slope 0.01 by default; selu: 3/4.
    /// </summary>
    public static double CalculateGain(string nonlinearity, double? param = null)
    {
        switch (nonlinearity)
        {
            case "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d"
                or "conv_transpose3d" or "sigmoid":
                return 1;
            case "tanh": return 5.0 / 3;
            case "relu": return Math.Sqrt(2.0);
            case "leaky_relu":
                double slope = param ?? 0.01;
                if (!double.IsFinite(slope)) throw new ArgumentException($"calculate_gain: negative_slope {slope} is not a valid number");
                return Math.Sqrt(2.0 / (1 + slope * slope));
            case "selu": return 3.0 / 4;
            default: throw new ArgumentException($"calculate_gain: unsupported nonlinearity '{nonlinearity}'");
        }
    }

    /// <summary>fan_in = size(1) x receptive field, fan_out = size(0) x receptive field (PyTorch's rule, also for transposed convs).</summary>
    public static (long FanIn, long FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        if (tensor.Rank < 2)
            throw new ArgumentException($"init: fan in and fan out can not be computed for tensor with fewer than 2 dimensions, got {tensor.Shape}");
        long receptive = 1;
        for (int d = 2; d < tensor.Rank; d++) receptive *= tensor.Shape[d];
        return (tensor.Shape[1] * receptive, tensor.Shape[0] * receptive);
    }

    public static Tensor Uniform(Tensor tensor, double a = 0, double b = 1, Generator? generator = null)
    {
        CheckFloat("uniform_", tensor);
        var v = new double[tensor.Numel];
        (generator ?? GeneratorScope.Current).FillUniform(v, a, b);
        return Write(tensor, v);
    }

    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        CheckFloat("normal_", tensor);
        if (std < 0) throw new ArgumentException($"normal_: std must be non-negative, got {std}");
        var v = new double[tensor.Numel];
        (generator ?? GeneratorScope.Current).FillNormal(v, mean, std);
        return Write(tensor, v);
    }

    /// <summary>Normal(mean, std) redrawn until inside [a, b] (torch's trunc_normal_ samples the same distribution).</summary>
    public static Tensor TruncNormal(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2, Generator? generator = null)
    {
        CheckFloat("trunc_normal_", tensor);
        if (!(a < b)) throw new ArgumentException($"trunc_normal_: the interval [a, b] = [{a}, {b}] is empty");
        if (std <= 0) throw new ArgumentException($"trunc_normal_: std must be positive, got {std}");
        var g = generator ?? GeneratorScope.Current;
        var v = new double[tensor.Numel];
        for (int i = 0; i < v.Length; i++)
        {
            double x;
            int tries = 0;
            do x = mean + std * g.NextNormal(); while ((x < a || x > b) && ++tries < 10000);
            v[i] = Math.Clamp(x, a, b);
        }
        return Write(tensor, v);
    }

    public static Tensor Constant(Tensor tensor, double value)
    {
        tensor.Fill_(value);
        return tensor;
    }

    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>
    /// He initialisation, uniform (torch.nn.init.kaiming_uniform_): U(-bound, bound) with
    /// bound = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a), fan = fan_in or fan_out by mode.
    /// </summary>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        double std = KaimingStd("kaiming_uniform_", tensor, a, mode, nonlinearity);
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>He initialisation, normal (torch.nn.init.kaiming_normal_): N(0, std^2), std = gain / sqrt(fan).</summary>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null) =>
        Normal(tensor, 0, KaimingStd("kaiming_normal_", tensor, a, mode, nonlinearity), generator);

    private static double KaimingStd(string op, Tensor tensor, double a, string mode, string nonlinearity)
    {
        CheckFloat(op, tensor);
        if (tensor.Numel == 0) return 0;
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        long fan = mode switch
        {
            "fan_in" => fanIn,
            "fan_out" => fanOut,
            _ => throw new ArgumentException($"{op}: mode '{mode}' not supported, please use one of fan_in, fan_out"),
        };
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    /// <summary>Glorot initialisation, uniform (torch.nn.init.xavier_uniform_): bound = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        CheckFloat("xavier_uniform_", tensor);
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        double bound = Math.Sqrt(3.0) * gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>Glorot initialisation, normal (torch.nn.init.xavier_normal_): std = gain * sqrt(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        CheckFloat("xavier_normal_", tensor);
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return Normal(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>
    /// A (semi-)orthogonal matrix (torch.nn.init.orthogonal_): the tensor viewed as rows = size(0) by the rest,
    /// Q of the QR decomposition of a normal matrix with the signs of R's diagonal, times gain.
    /// </summary>
    public static Tensor Orthogonal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        CheckFloat("orthogonal_", tensor);
        if (tensor.Rank < 2) throw new ArgumentException($"orthogonal_: only tensors with 2 or more dimensions are supported, got {tensor.Shape}");
        if (tensor.Numel == 0) return tensor;
        int rows = tensor.Shape[0];
        int cols = (int)(tensor.Numel / rows);
        var flat = new double[(long)rows * cols];
        (generator ?? GeneratorScope.Current).FillNormal(flat, 0, 1);
        // QR of the tall orientation (m >= n), as torch transposes when rows < cols
        bool transpose = rows < cols;
        int m = transpose ? cols : rows, n = transpose ? rows : cols;
        var a = new double[m, n];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (transpose) a[j, i] = flat[(long)i * cols + j]; else a[i, j] = flat[(long)i * cols + j];
        var q = HouseholderQ(a, m, n);
        var result = new double[(long)rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                result[(long)i * cols + j] = gain * (transpose ? q[j, i] : q[i, j]);
        return Write(tensor, result);
    }

    /// <summary>The m x n Q of A = QR (m >= n), with columns signed so R's diagonal is positive (torch: q *= sign(diag(r))).</summary>
    private static double[,] HouseholderQ(double[,] a, int m, int n)
    {
        var r = (double[,])a.Clone();
        var vs = new double[n][];
        for (int k = 0; k < n; k++)
        {
            double norm = 0;
            for (int i = k; i < m; i++) norm += r[i, k] * r[i, k];
            norm = Math.Sqrt(norm);
            var v = new double[m];
            double alpha = r[k, k] >= 0 ? -norm : norm;
            for (int i = k; i < m; i++) v[i] = r[i, k];
            v[k] -= alpha;
            double vnorm = 0;
            for (int i = k; i < m; i++) vnorm += v[i] * v[i];
            if (vnorm > 0)
                for (int j = k; j < n; j++)
                {
                    double dot = 0;
                    for (int i = k; i < m; i++) dot += v[i] * r[i, j];
                    double f = 2 * dot / vnorm;
                    for (int i = k; i < m; i++) r[i, j] -= f * v[i];
                }
            vs[k] = vnorm > 0 ? v : new double[m];
        }
        // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity
        var q = new double[m, n];
        for (int j = 0; j < n; j++) q[j, j] = 1;
        for (int k = n - 1; k >= 0; k--)
        {
            var v = vs[k];
            double vnorm = 0;
            for (int i = k; i < m; i++) vnorm += v[i] * v[i];
            if (vnorm == 0) continue;
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int i = k; i < m; i++) dot += v[i] * q[i, j];
                double f = 2 * dot / vnorm;
                for (int i = k; i < m; i++) q[i, j] -= f * v[i];
            }
        }
        for (int j = 0; j < n; j++)
            if (r[j, j] < 0)
                for (int i = 0; i < m; i++) q[i, j] = -q[i, j];
        return q;
    }

    /// <summary>PyTorch's default for Linear and Conv weights: kaiming_uniform_(a = sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    internal static void DefaultWeight(Tensor weight) => KaimingUniform(weight, a: Math.Sqrt(5));

    /// <summary>PyTorch's default for Linear and Conv biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in (0 when fan_in is 0).</summary>
    internal static void DefaultBias(Tensor bias, Tensor weight)
    {
        var (fanIn, _) = CalculateFanInAndFanOut(weight);
        double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        Uniform(bias, -bound, bound);
    }

    private static void CheckFloat(string op, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (!t.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: expected a floating-point tensor, got {t.DType.Name()} {t.Shape}");
    }

    private static Tensor Write(Tensor tensor, double[] values)
    {
        var src = Tensor.FromDoubles(values, tensor.Shape, tensor.DType, tensor.Device);
        tensor.CopyFrom(src);
        if (!src.Device.IsCpu) src.Dispose();
        return tensor;
    }
}
