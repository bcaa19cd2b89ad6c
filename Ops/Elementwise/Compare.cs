namespace Framework;

// Comparisons (bool results, no gradient), where, masks.
public static partial class F
{
    private enum Cmp { Eq, Ne, Lt, Le, Gt, Ge }

    public static Tensor Eq(Tensor a, Tensor b) => Compare("eq", a, b, Cmp.Eq);
    public static Tensor Ne(Tensor a, Tensor b) => Compare("ne", a, b, Cmp.Ne);
    public static Tensor Lt(Tensor a, Tensor b) => Compare("lt", a, b, Cmp.Lt);
    public static Tensor Le(Tensor a, Tensor b) => Compare("le", a, b, Cmp.Le);
    public static Tensor Gt(Tensor a, Tensor b) => Compare("gt", a, b, Cmp.Gt);
    public static Tensor Ge(Tensor a, Tensor b) => Compare("ge", a, b, Cmp.Ge);
    public static Tensor Eq(Tensor a, double b) => Compare("eq", a, Tensor.Scalar(b, a.DType, a.Device), Cmp.Eq);
    public static Tensor Ne(Tensor a, double b) => Compare("ne", a, Tensor.Scalar(b, a.DType, a.Device), Cmp.Ne);
    public static Tensor Lt(Tensor a, double b) => Compare("lt", a, Tensor.Scalar(b, a.DType, a.Device), Cmp.Lt);
    public static Tensor Le(Tensor a, double b) => Compare("le", a, Tensor.Scalar(b, a.DType, a.Device), Cmp.Le);
    public static Tensor Gt(Tensor a, double b) => Compare("gt", a, Tensor.Scalar(b, a.DType, a.Device), Cmp.Gt);
    public static Tensor Ge(Tensor a, double b) => Compare("ge", a, Tensor.Scalar(b, a.DType, a.Device), Cmp.Ge);

    private static Tensor Compare(string op, Tensor a, Tensor b, Cmp cmp)
    {
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: expected tensors of one dtype, got {a.DType.Name()} {a.Shape} and {b.DType.Name()} {b.Shape}");
        Tensor.CheckSameDevice(op, a, b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, op);
        var y = Tensor.Empty(shape, DType.Bool, a.Device);
        if (y.Numel == 0) return y;
        if (y.Device.IsIlgpu)
        {
            switch (a.DType)
            {
                case DType.Float32: CompareGpu.Compare<float>(a, b, y, (int)cmp); break;
                case DType.Float64: CompareGpu.Compare<double>(a, b, y, (int)cmp); break;
                case DType.Int64: CompareGpu.Compare<long>(a, b, y, (int)cmp); break;
                default: CompareGpu.Compare<byte>(a, b, y, (int)cmp); break;
            }
            return y;
        }
        double[] ad = a.ToDoubleArray(), bd = b.ToDoubleArray();
        var yd = y.Data<bool>();
        var plan = BroadcastPlan.Create(shape, a.Shape, b.Shape);
        long sa = plan.InnerStride(0), sb = plan.InnerStride(1);
        Span<long> off = stackalloc long[2];
        for (long r = 0; r < plan.Rows; r++)
        {
            plan.RowOffsets(r, off);
            for (int i = 0; i < plan.Inner; i++)
            {
                double x = ad[off[0] + sa * i], z = bd[off[1] + sb * i];
                yd[r * plan.Inner + i] = cmp switch
                {
                    Cmp.Eq => x == z, Cmp.Ne => x != z, Cmp.Lt => x < z,
                    Cmp.Le => x <= z, Cmp.Gt => x > z, _ => x >= z,
                };
            }
        }
        return y;
    }

    /// <summary>A float tensor of a's dtype: 1 where a == b, else 0 (broadcasting); no gradient.</summary>
    internal static Tensor EqualMask(Tensor a, Tensor b) => Eq(a, b).ConvertTo(a.DType);

    /// <summary>Picks a where condition is true, else b, with broadcasting of all three.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        if (condition.DType != DType.Bool)
            throw new ArgumentException($"where: condition must be a bool tensor, got {condition.DType.Name()} {condition.Shape}");
        Check.Float("where", a, "first value");
        Check.SameDTypeAndDevice("where", a, b);
        Tensor.CheckSameDevice("where", condition, a);
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "where"), b.Shape, "where");
        var y = Tensor.Empty(shape, a.DType, a.Device);
        if (a.DType == DType.Float32) WhereKernel<float>(condition, a, b, y);
        else WhereKernel<double>(condition, a, b, y);
        return Autograd.Record("where", y, [a, b], g =>
        {
            var zero = Tensor.Zeros(Shape.Scalar, g.DType, g.Device);
            return [a.RequiresGrad ? SumToShape(WhereRaw(condition, g, zero), a.Shape) : null,
                    b.RequiresGrad ? SumToShape(WhereRaw(condition, zero, g), b.Shape) : null];
        });
    }

    public static Tensor Where(Tensor condition, Tensor a, double b) => Where(condition, a, ScalarLike(b, a));
    public static Tensor Where(Tensor condition, double a, Tensor b) => Where(condition, ScalarLike(a, b), b);

    /// <summary>x with <paramref name="value"/> where mask is true.</summary>
    public static Tensor MaskedFill(Tensor x, Tensor mask, double value) => Where(mask, ScalarLike(value, x), x);

    private static Tensor WhereRaw(Tensor c, Tensor a, Tensor b)
    {
        var shape = Shape.Broadcast(Shape.Broadcast(c.Shape, a.Shape, "where"), b.Shape, "where");
        var y = Tensor.Empty(shape, a.DType, a.Device);
        if (a.DType == DType.Float32) WhereKernel<float>(c, a, b, y); else WhereKernel<double>(c, a, b, y);
        return y;
    }

    private static void WhereKernel<T>(Tensor c, Tensor a, Tensor b, Tensor y) where T : unmanaged
    {
        if (y.Numel == 0) return;
        if (y.Device.IsIlgpu) { CompareGpu.Where<T>(c, a, b, y); return; }
        var plan = BroadcastPlan.Create(y.Shape, c.Shape, a.Shape, b.Shape);
        bool[] cd = c.Data<bool>();
        T[] ad = a.Data<T>(), bd = b.Data<T>(), yd = y.Data<T>();
        long sc = plan.InnerStride(0), sa = plan.InnerStride(1), sb = plan.InnerStride(2);
        int inner = plan.Inner;
        Par.For(plan.Rows, inner, (r0, r1) =>
        {
            Span<long> off = stackalloc long[3];
            for (long r = r0; r < r1; r++)
            {
                plan.RowOffsets(r, off);
                long yo = r * inner;
                for (int i = 0; i < inner; i++)
                    yd[yo + i] = cd[off[0] + sc * i] ? ad[off[1] + sa * i] : bd[off[2] + sb * i];
            }
        });
    }

    /// <summary>out[i][j] = x[i][index[i][j]] along dim (torch.gather); index is int64 of x's rank.</summary>
    public static Tensor Gather(Tensor x, int dim, Tensor index)
    {
        Check.Float("gather", x);
        int d = Shape.NormalizeDim(dim, x.Rank, "gather");
        if (index.DType != DType.Int64)
            throw new ArgumentException($"gather: index must be int64, got {index.DType.Name()} {index.Shape}");
        if (index.Rank != x.Rank)
            throw new ArgumentException($"gather: index {index.Shape} must have the same rank as the input {x.Shape}");
        for (int i = 0; i < x.Rank; i++)
            if (i != d && index.Shape[i] > x.Shape[i])
                throw new ArgumentException($"gather: index {index.Shape} is larger than the input {x.Shape} in dimension {i}");
        Tensor.CheckSameDevice("gather", x, index);
        var flat = FlatGatherOffsets("gather", x.Shape, d, index);
        var y = Tensor.Empty(index.Shape, x.DType, x.Device);
        if (y.Numel > 0)
        {
            if (x.DType == DType.Float32) GatherOffsets<float>(x, y, flat);
            else GatherOffsets<double>(x, y, flat);
        }
        var inShape = x.Shape;
        return Autograd.Record("gather", y, [x], g => [ScatterOffsets(g, flat, inShape)]);
    }

    /// <summary>Flat offsets into a tensor of <paramref name="shape"/> addressed by index along dim.</summary>
    private static long[] FlatGatherOffsets(string op, Shape shape, int dim, Tensor index)
    {
        var idx = index.ToArray<long>();
        var strides = shape.Strides();
        var istr = index.Shape.Strides();
        var flat = new long[idx.Length];
        int n = shape[dim];
        for (long p = 0; p < idx.Length; p++)
        {
            long v = idx[p];
            if (v < -n || v >= n)
                throw new ArgumentOutOfRangeException(nameof(index), v, $"{op}: index {v} is out of bounds for dimension {dim} with size {n}");
            if (v < 0) v += n;
            long rem = p, off = 0;
            for (int d = 0; d < index.Rank; d++)
            {
                long c = rem / istr[d];
                rem %= istr[d];
                off += (d == dim ? v : c) * strides[d];
            }
            flat[p] = off;
        }
        return flat;
    }

    /// <summary>Zeros of <paramref name="shape"/> with g written at index along dim (the adjoint of picking one element per row).</summary>
    internal static Tensor ScatterAlongDim(Tensor g, Tensor index, int dim, Shape shape)
    {
        return ScatterOffsets(g, FlatGatherOffsets("scatter", shape, dim, index), shape);
    }

    private static void GatherOffsets<T>(Tensor x, Tensor y, long[] offsets) where T : unmanaged
    {
        if (x.Device.IsIlgpu) { ShapeGpu.GatherOffsets<T>(x, y, offsets); return; }
        T[] xd = x.Data<T>(), yd = y.Data<T>();
        for (int i = 0; i < offsets.Length; i++) yd[i] = xd[offsets[i]];
    }

    /// <summary>Zeros of <paramref name="shape"/> plus g added at the flat offsets (the adjoint of an offset gather).</summary>
    private static Tensor ScatterOffsets(Tensor g, long[] offsets, Shape shape)
    {
        var gx = Tensor.Zeros(shape, g.DType, g.Device);
        if (offsets.Length == 0) return gx;
        if (g.Device.IsIlgpu)
        {
            if (g.DType == DType.Float32) ShapeGpu.ScatterOffsets<float>(g, gx, offsets);
            else ShapeGpu.ScatterOffsets<double>(g, gx, offsets);
            return gx;
        }
        if (g.DType == DType.Float32)
        {
            float[] gd = g.Data<float>(), gxd = gx.Data<float>();
            for (int i = 0; i < offsets.Length; i++) gxd[offsets[i]] += gd[i];
        }
        else
        {
            double[] gd = g.Data<double>(), gxd = gx.Data<double>();
            for (int i = 0; i < offsets.Length; i++) gxd[offsets[i]] += gd[i];
        }
        return gx;
    }
}
