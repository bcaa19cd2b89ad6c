using System.Numerics;

namespace Framework;

/// <summary>
/// The kernel behind slicing, expanding, repeating, index_select and padding: output element
/// (i0, ..., ir) reads input element (map0[i0], ..., mapr[ir]), or <c>fill</c> where any map entry is -1.
/// Its adjoint scatter-adds gradients back through the same maps.
/// </summary>
internal static class IndexMap
{
    public static Tensor Gather(Tensor x, int[][] maps, double fill = 0)
    {
        var outShape = new Shape(maps.Select(m => m.Length).ToArray());
        var y = Tensor.Empty(outShape, x.DType, x.Device);
        if (y.Numel == 0) return y;
        if (x.Device.IsIlgpu)
        {
            switch (x.DType)
            {
                case DType.Float32: ShapeGpu.Gather(x, y, maps, (float)fill); break;
                case DType.Float64: ShapeGpu.Gather(x, y, maps, fill); break;
                case DType.Int64: ShapeGpu.Gather(x, y, maps, (long)fill); break;
                default: ShapeGpu.Gather(x, y, maps, fill != 0 ? (byte)1 : (byte)0); break;
            }
            return y;
        }
        switch (x.DType)
        {
            case DType.Float32: Gather<float>(x.Data<float>(), x.Shape, y.Data<float>(), maps, (float)fill); break;
            case DType.Float64: Gather<double>(x.Data<double>(), x.Shape, y.Data<double>(), maps, fill); break;
            case DType.Int64: Gather<long>(x.Data<long>(), x.Shape, y.Data<long>(), maps, (long)fill); break;
            default: Gather<bool>(x.Data<bool>(), x.Shape, y.Data<bool>(), maps, fill != 0); break;
        }
        return y;
    }

    private static void Gather<T>(T[] x, Shape inShape, T[] y, int[][] maps, T fill) where T : unmanaged
    {
        int rank = maps.Length;
        if (rank == 0) { y[0] = x[0]; return; }
        var strides = inShape.Strides();
        int inner = maps[^1].Length;
        long rows = y.LongLength / inner;
        var innerMap = maps[^1];
        long innerStride = strides[^1];
        Par.For(rows, inner, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                long off = 0, rem = r;
                bool filled = false;
                for (int d = rank - 2; d >= 0; d--)
                {
                    int i = (int)(rem % maps[d].Length);
                    rem /= maps[d].Length;
                    int src = maps[d][i];
                    if (src < 0) { filled = true; break; }
                    off += src * strides[d];
                }
                long yo = r * inner;
                if (filled) { new Span<T>(y, (int)yo, inner).Fill(fill); continue; }
                for (int j = 0; j < inner; j++)
                {
                    int src = innerMap[j];
                    y[yo + j] = src < 0 ? fill : x[off + src * innerStride];
                }
            }
        });
    }

    /// <summary>The adjoint of Gather: a zero tensor of <paramref name="inShape"/> plus g scattered through the maps.</summary>
    public static Tensor ScatterAdd(Tensor g, Shape inShape, int[][] maps)
    {
        var gx = Tensor.Zeros(inShape, g.DType, g.Device);
        if (g.Numel == 0) return gx;
        if (g.Device.IsIlgpu)
        {
            if (g.DType == DType.Float32) ShapeGpu.ScatterAdd<float>(g, gx, maps);
            else ShapeGpu.ScatterAdd<double>(g, gx, maps);
            return gx;
        }
        if (g.DType == DType.Float32) ScatterAdd<float>(g.Data<float>(), gx.Data<float>(), inShape, maps);
        else ScatterAdd<double>(g.Data<double>(), gx.Data<double>(), inShape, maps);
        return gx;
    }

    private static void ScatterAdd<T>(T[] g, T[] gx, Shape inShape, int[][] maps) where T : unmanaged, INumber<T>
    {
        int rank = maps.Length;
        if (rank == 0) { gx[0] += g[0]; return; }
        var strides = inShape.Strides();
        int inner = maps[^1].Length;
        long rows = g.LongLength / inner;
        var innerMap = maps[^1];
        long innerStride = strides[^1];
        // rows may only run in parallel when distinct rows never write the same input row:
        // true when the leading map is injective and every row of it is a distinct outer block
        bool injective = rank >= 2 && maps[0].Where(v => v >= 0).Distinct().Count() == maps[0].Count(v => v >= 0);
        long blockRows = rows / Math.Max(maps[0].Length, 1);
        void Rows(long r0, long r1)
        {
            for (long r = r0; r < r1; r++)
            {
                long off = 0, rem = r;
                bool dropped = false;
                for (int d = rank - 2; d >= 0; d--)
                {
                    int i = (int)(rem % maps[d].Length);
                    rem /= maps[d].Length;
                    int src = maps[d][i];
                    if (src < 0) { dropped = true; break; }
                    off += src * strides[d];
                }
                if (dropped) continue;
                long go = r * inner;
                for (int j = 0; j < inner; j++)
                {
                    int src = innerMap[j];
                    if (src >= 0) gx[off + src * innerStride] += g[go + j];
                }
            }
        }
        if (injective && maps[0].Length > 1 && g.LongLength >= Par.ElementwiseGrain)
            Par.For(maps[0].Length, blockRows * inner, (b0, b1) => Rows(b0 * blockRows, b1 * blockRows));
        else Rows(0, rows);
    }

    public static int[] Identity(int n)
    {
        var m = new int[n];
        for (int i = 0; i < n; i++) m[i] = i;
        return m;
    }
}
