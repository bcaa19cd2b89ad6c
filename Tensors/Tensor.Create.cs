namespace Framework;

// Factories. Every factory takes an optional dtype (float32 by default, as PyTorch) and device.
public sealed partial class Tensor
{
    /// <summary>An uninitialised tensor (zero-filled on the CPU; not on devices, whose buffers are pooled).</summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.Float32, Device? device = null)
    {
        var dev = device ?? Device.Default;
        if (dev.IsCpu) return new Tensor(CpuStorage.Allocate(dtype, shape.Numel, "empty"), shape);
        return new Tensor(BufferPool.For(dev).Rent(dev, dtype, shape.Numel, "empty"), shape);
    }

    /// <summary>
    /// A tensor whose CPU memory is not even zeroed, for ops that write every element: the GC's memset of a
    /// 10 MB output costs about as much as the op that fills it. With <see cref="CpuStorage.PoisonUninitialized"/>
    /// (on in the test suite) it is filled with NaN, so an op that leaves an element unwritten fails its tests.
    /// </summary>
    public static Tensor Uninitialized(Shape shape, DType dtype = DType.Float32, Device? device = null)
    {
        var dev = device ?? Device.Default;
        if (dev.IsCpu) return new Tensor(CpuStorage.Allocate(dtype, shape.Numel, "empty", zeroed: false), shape);
        return new Tensor(BufferPool.For(dev).Rent(dev, dtype, shape.Numel, "empty"), shape);
    }

    public static Tensor Zeros(params int[] shape) => Zeros(new Shape(shape));
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        if (!t.Device.IsCpu) t.Fill_(0);   // CPU arrays start zeroed; pooled device buffers do not
        return t;
    }

    public static Tensor ZerosLike(Tensor t) => Zeros(t.Shape, t.DType, t.Device);

    public static Tensor Ones(params int[] shape) => Full(shape, 1.0);
    public static Tensor Ones(Shape shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1.0, dtype, device);
    public static Tensor OnesLike(Tensor t) => Full(t.Shape, 1.0, t.DType, t.Device);

    public static Tensor Full(Shape shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        t.Fill_(value);
        return t;
    }

    public static Tensor FullLike(Tensor t, double value) => Full(t.Shape, value, t.DType, t.Device);

    /// <summary>A 0-d tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) =>
        Full(Shape.Scalar, value, dtype, device);

    /// <summary>Values from start (inclusive) to end (exclusive) in steps, as torch.arange.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32, Device? device = null)
    {
        if (step == 0 || double.IsNaN(step)) throw new ArgumentException($"Arange: step must be nonzero, got {step}");
        if ((end - start) / step < 0)
            throw new ArgumentException($"Arange: upper bound and step sign are inconsistent (start {start}, end {end}, step {step})");
        long n = (long)Math.Ceiling((end - start) / step);
        var t = Empty(new Shape(checked((int)n)), dtype, device);
        var v = new double[n];
        for (long i = 0; i < n; i++) v[i] = start + i * step;
        t.SetFromDoubles(v);
        return t;
    }

    public static Tensor Arange(double end, DType dtype = DType.Float32) => Arange(0, end, 1, dtype);

    /// <summary>Evenly spaced values from start to end, both included, as torch.linspace.</summary>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.Float32, Device? device = null)
    {
        if (steps < 0) throw new ArgumentException($"Linspace: number of steps must be non-negative, got {steps}");
        var v = new double[steps];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // torch fills the first half from start and the second half from end, so both ends are exact
        int half = steps / 2;
        for (int i = 0; i < steps; i++) v[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
        var t = Empty(new Shape(steps), dtype, device);
        t.SetFromDoubles(v);
        return t;
    }

    /// <summary>An n x m matrix with ones on the diagonal.</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32, Device? device = null)
    {
        int cols = m ?? n;
        if (n < 0 || cols < 0) throw new ArgumentException($"Eye: sizes must be non-negative, got n={n}, m={cols}");
        var v = new double[(long)n * cols];
        for (int i = 0; i < Math.Min(n, cols); i++) v[(long)i * cols + i] = 1;
        var t = Empty(new Shape(n, cols), dtype, device);
        t.SetFromDoubles(v);
        return t;
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(Shape shape, DType dtype = DType.Float32, Generator? generator = null, Device? device = null) =>
        Uniform(shape, 0, 1, dtype, generator, device);

    public static Tensor Rand(params int[] shape) => Rand(new Shape(shape));

    public static Tensor Uniform(Shape shape, double low, double high, DType dtype = DType.Float32, Generator? generator = null, Device? device = null)
    {
        var v = new double[shape.Numel];
        (generator ?? Generator.Default).FillUniform(v, low, high);
        var t = Empty(shape, dtype, device);
        t.SetFromDoubles(v);
        return t;
    }

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(Shape shape, DType dtype = DType.Float32, Generator? generator = null, Device? device = null)
    {
        var v = new double[shape.Numel];
        (generator ?? Generator.Default).FillNormal(v, 0, 1);
        var t = Empty(shape, dtype, device);
        t.SetFromDoubles(v);
        return t;
    }

    public static Tensor Randn(params int[] shape) => Randn(new Shape(shape));

    /// <summary>Uniform integers in [low, high), int64 by default as torch.randint.</summary>
    public static Tensor RandInt(long low, long high, Shape shape, DType dtype = DType.Int64, Generator? generator = null, Device? device = null)
    {
        if (high <= low) throw new ArgumentException($"RandInt: empty range [{low}, {high})");
        var g = generator ?? Generator.Default;
        var v = new double[shape.Numel];
        var l = new long[shape.Numel];
        for (long i = 0; i < v.Length; i++) { l[i] = g.NextLong(low, high); v[i] = l[i]; }
        if (dtype == DType.Int64) return FromArray(l, shape.ToArray());
        var t = Empty(shape, dtype, device);
        t.SetFromDoubles(v);
        return t;
    }

    /// <summary>Reseeds the default generator.</summary>
    public static void ManualSeed(ulong seed) => Generator.Default.Seed(seed);

    /// <summary>A tensor over a copy of <paramref name="data"/>; shape defaults to 1-D.</summary>
    public static Tensor FromArray<T>(T[] data, params int[] shape) where T : unmanaged
    {
        var dtype = DTypeInfo.Of<T>();
        var s = shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
        if (s.Numel != data.Length)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {s} ({s.Numel} elements)");
        return new Tensor(new CpuStorage((T[])data.Clone(), dtype), s);
    }

    /// <summary>A tensor over a copy of <paramref name="data"/> with an explicit shape (Shape.Scalar for 0-d).</summary>
    public static Tensor FromArray<T>(T[] data, Shape shape) where T : unmanaged
    {
        if (shape.Numel != data.Length)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {shape} ({shape.Numel} elements)");
        return new Tensor(new CpuStorage((T[])data.Clone(), DTypeInfo.Of<T>()), shape);
    }

    /// <summary>A tensor from a rectangular array of any rank (float[,], double[,,], ...).</summary>
    public static Tensor FromArray(Array data)
    {
        var dims = new int[data.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = data.GetLength(i);
        var elem = data.GetType().GetElementType()!;
        var dtype = elem == typeof(float) ? DType.Float32 : elem == typeof(double) ? DType.Float64 :
            elem == typeof(long) ? DType.Int64 : elem == typeof(bool) ? DType.Bool :
            elem == typeof(int) ? DType.Int64 :
            throw new ArgumentException($"FromArray: no tensor dtype for {elem.Name}");
        var t = Empty(dims, dtype, Device.Cpu);
        var dst = ((CpuStorage)t.Storage).Data;
        int k = 0;
        foreach (var v in data)
        {
            if (elem == typeof(int)) dst.SetValue((long)(int)v!, k++);
            else dst.SetValue(v, k++);
        }
        return t;
    }

    /// <summary>A 0-d or 1-d tensor with the values of a double array converted to dtype.</summary>
    public static Tensor FromDoubles(double[] data, Shape shape, DType dtype = DType.Float32, Device? device = null)
    {
        if (shape.Numel != data.Length)
            throw new ArgumentException($"FromDoubles: {data.Length} values do not fill shape {shape}");
        var t = Empty(shape, dtype, device);
        t.SetFromDoubles(data);
        return t;
    }

    /// <summary>Sets every element to value, in place, outside autograd.</summary>
    public Tensor Fill_(double value)
    {
        if (Storage is IlgpuStorage) { IlgpuOps.Fill(this, value); return this; }
        switch (DType)
        {
            case DType.Float32: AsSpan<float>().Fill((float)value); break;
            case DType.Float64: AsSpan<double>().Fill(value); break;
            case DType.Int64: AsSpan<long>().Fill((long)value); break;
            default: AsSpan<bool>().Fill(value != 0); break;
        }
        return this;
    }

    internal void SetFromDoubles(ReadOnlySpan<double> v)
    {
        if (Storage is IlgpuStorage)
        {
            var host = Empty(Shape, DType, Device.Cpu);
            host.SetFromDoubles(v);
            IlgpuOps.CopyFromHost(((CpuStorage)host.Storage).Data, this);
            return;
        }
        switch (DType)
        {
            case DType.Float64: v.CopyTo(AsSpan<double>()); break;
            case DType.Float32:
                {
                    var d = AsSpan<float>();
                    for (int i = 0; i < d.Length; i++) d[i] = (float)v[i];
                    break;
                }
            case DType.Int64:
                {
                    var d = AsSpan<long>();
                    for (int i = 0; i < d.Length; i++) d[i] = (long)v[i];
                    break;
                }
            default:
                {
                    var d = AsSpan<bool>();
                    for (int i = 0; i < d.Length; i++) d[i] = v[i] != 0;
                    break;
                }
        }
    }

    /// <summary>A copy converted to another dtype, outside autograd (the differentiable form is x.To(dtype)).</summary>
    public Tensor ConvertTo(DType dtype)
    {
        if (dtype == DType) return new Tensor(CloneStorage(), Shape);
        var t = Empty(Shape, dtype, Device);
        if (Storage is IlgpuStorage)
        {
            if (!IlgpuOps.TryConvert(this, t)) t.SetFromDoubles(ToDoubleArray());
            return t;
        }
        if (DType == DType.Float32 && dtype == DType.Float64)
        {
            var s = AsSpan<float>(); var d = t.AsSpan<double>();
            for (int i = 0; i < s.Length; i++) d[i] = s[i];
        }
        else if (DType == DType.Float64 && dtype == DType.Float32)
        {
            var s = AsSpan<double>(); var d = t.AsSpan<float>();
            for (int i = 0; i < s.Length; i++) d[i] = (float)s[i];
        }
        else t.SetFromDoubles(ToDoubleArray());
        return t;
    }

    /// <summary>A deep copy, outside autograd.</summary>
    public Tensor CloneData() => new(CloneStorage(), Shape) { Name = Name };

    private Storage CloneStorage()
    {
        if (Storage is CpuStorage c)
        {
            var arr = Array.CreateInstance(DType.ClrType(), Numel);
            Array.Copy(c.Data, arr, Numel);
            return new CpuStorage(arr, DType);
        }
        var copy = BufferPool.For(Device).Rent(Device, DType, Numel, "clone");
        IlgpuOps.CopyStorage((IlgpuStorage)Storage, copy);
        return copy;
    }

    /// <summary>A copy of this tensor on another device (outside autograd; the differentiable form is x.To(device)).</summary>
    public Tensor ToDevice(Device device)
    {
        if (device == Device) return CloneData();
        if (Device.IsCpu)
        {
            var t = Empty(Shape, DType, device);
            IlgpuOps.CopyFromHost(((CpuStorage)Storage).Data, t);
            return t;
        }
        var host = DType switch
        {
            DType.Float32 => FromArray(IlgpuOps.CopyToHost<float>(this), Shape),
            DType.Float64 => FromArray(IlgpuOps.CopyToHost<double>(this), Shape),
            DType.Int64 => FromArray(IlgpuOps.CopyToHost<long>(this), Shape),
            _ => FromArray(IlgpuOps.CopyToHost<bool>(this), Shape),
        };
        return device.IsCpu ? host : host.ToDevice(device);
    }
}
