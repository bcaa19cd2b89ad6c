using System.Numerics;
using ILGPU;
using ILGPU.Algorithms;

namespace Framework;

/// <summary>ILGPU kernels of the copying shape ops: index-map gather and its atomic adjoint, permute, cat blocks, offset gather.</summary>
internal static class ShapeGpu
{
    /// <summary>meta = [rank, out dims (rank), in strides (rank), map offsets (rank)], maps concatenated.</summary>
    private static (Tensor Meta, Tensor Maps) MapsMeta(Device device, Shape inShape, int[][] maps)
    {
        int rank = maps.Length;
        var strides = inShape.Strides();
        var meta = new List<long> { rank };
        meta.AddRange(maps.Select(m => (long)m.Length));
        meta.AddRange(strides);
        long off = 0;
        foreach (var m in maps) { meta.Add(off); off += m.Length; }
        return (Gpu.Meta(device, meta.ToArray()), Gpu.Meta(device, maps.SelectMany(m => m).ToArray()));
    }

    public static void Gather<T>(Tensor x, Tensor y, int[][] maps, T fill) where T : unmanaged
    {
        var (meta, flat) = MapsMeta(x.Device, x.Shape, maps);
        using (meta) using (flat)
            KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<long>, T>(Gpu.Acc(x), GatherKernel<T>)(
                Gpu.Int(y.Numel), x.View<T>(), y.View<T>(), meta.View<long>(), flat.View<long>(), fill);
    }

    public static void ScatterAdd<T>(Tensor g, Tensor gx, int[][] maps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (meta, flat) = MapsMeta(g.Device, gx.Shape, maps);
        using (meta) using (flat)
        {
            // ILGPU's atomics are per type (no generic Atomic.Add), so float and double get their own kernels
            if (typeof(T) == typeof(float))
                KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<long>, ArrayView<long>>(Gpu.Acc(g), ScatterKernelF)(
                    Gpu.Int(g.Numel), g.View<float>(), gx.View<float>(), meta.View<long>(), flat.View<long>());
            else
                KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<long>, ArrayView<long>>(Gpu.Acc(g), ScatterKernelD)(
                    Gpu.Int(g.Numel), g.View<double>(), gx.View<double>(), meta.View<long>(), flat.View<long>());
        }
    }

    /// <summary>Input offset of output element p, or -1 where a map entry is -1 (padding).</summary>
    private static long Source(long p, ArrayView<long> meta, ArrayView<long> maps)
    {
        int rank = (int)meta[0];
        long rem = p, off = 0;
        for (int d = rank - 1; d >= 0; d--)
        {
            long n = meta[1 + d];
            long i = rem % n;
            rem /= n;
            long src = maps[meta[1 + 2 * rank + d] + i];
            if (src < 0) return -1;
            off += src * meta[1 + rank + d];
        }
        return off;
    }

    private static void GatherKernel<T>(Index1D p, ArrayView<T> x, ArrayView<T> y, ArrayView<long> meta, ArrayView<long> maps, T fill) where T : unmanaged
    {
        long s = Source(p, meta, maps);
        y[p] = s < 0 ? fill : x[s];
    }

    private static void ScatterKernelF(Index1D p, ArrayView<float> g, ArrayView<float> gx, ArrayView<long> meta, ArrayView<long> maps)
    {
        long s = Source(p, meta, maps);
        if (s >= 0) Atomic.Add(ref gx[s], g[p]);
    }

    private static void ScatterKernelD(Index1D p, ArrayView<double> g, ArrayView<double> gx, ArrayView<long> meta, ArrayView<long> maps)
    {
        long s = Source(p, meta, maps);
        if (s >= 0) Atomic.Add(ref gx[s], g[p]);
    }

    /// <summary>y (out dims) = x read with the permuted strides.</summary>
    public static void Permute<T>(Tensor x, Tensor y, int[] outDims, long[] strides) where T : unmanaged
    {
        var meta = new List<long> { outDims.Length };
        meta.AddRange(outDims.Select(d => (long)d));
        meta.AddRange(strides);
        using var m = Gpu.Meta(x.Device, meta.ToArray());
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>>(Gpu.Acc(x), PermuteKernel<T>)(Gpu.Int(y.Numel), x.View<T>(), y.View<T>(), m.View<long>());
    }

    private static void PermuteKernel<T>(Index1D p, ArrayView<T> x, ArrayView<T> y, ArrayView<long> meta) where T : unmanaged
    {
        int rank = (int)meta[0];
        long rem = p, off = 0;
        for (int d = rank - 1; d >= 0; d--)
        {
            long n = meta[1 + d];
            off += rem % n * meta[1 + rank + d];
            rem /= n;
        }
        y[p] = x[off];
    }

    /// <summary>Copies outer blocks of <paramref name="chunk"/> elements of x into rows of y of <paramref name="rowLen"/>, at <paramref name="offsetInRow"/>.</summary>
    public static void CopyBlocks<T>(Tensor x, Tensor y, long chunk, long rowLen, long offsetInRow) where T : unmanaged
    {
        if (x.Numel == 0) return;
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, long, long, long>(Gpu.Acc(x), BlockKernel<T>)(
            Gpu.Int(x.Numel), x.View<T>(), y.View<T>(), chunk, rowLen, offsetInRow);
    }

    private static void BlockKernel<T>(Index1D p, ArrayView<T> x, ArrayView<T> y, long chunk, long rowLen, long offsetInRow) where T : unmanaged =>
        y[p / chunk * rowLen + offsetInRow + p % chunk] = x[p];

    /// <summary>y[p] = x[offsets[p]] and its adjoint gx[offsets[p]] += g[p].</summary>
    public static void GatherOffsets<T>(Tensor x, Tensor y, long[] offsets) where T : unmanaged
    {
        using var o = Gpu.Meta(x.Device, offsets);
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<long>>(Gpu.Acc(x), OffsetGatherKernel<T>)(Gpu.Int(y.Numel), x.View<T>(), y.View<T>(), o.View<long>());
    }

    public static void ScatterOffsets<T>(Tensor g, Tensor gx, long[] offsets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var o = Gpu.Meta(g.Device, offsets);
        if (typeof(T) == typeof(float))
            KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<long>>(Gpu.Acc(g), OffsetScatterKernelF)(Gpu.Int(g.Numel), g.View<float>(), gx.View<float>(), o.View<long>());
        else
            KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<long>>(Gpu.Acc(g), OffsetScatterKernelD)(Gpu.Int(g.Numel), g.View<double>(), gx.View<double>(), o.View<long>());
    }

    private static void OffsetGatherKernel<T>(Index1D p, ArrayView<T> x, ArrayView<T> y, ArrayView<long> o) where T : unmanaged => y[p] = x[o[p]];

    private static void OffsetScatterKernelF(Index1D p, ArrayView<float> g, ArrayView<float> gx, ArrayView<long> o) => Atomic.Add(ref gx[o[p]], g[p]);

    private static void OffsetScatterKernelD(Index1D p, ArrayView<double> g, ArrayView<double> gx, ArrayView<long> o) => Atomic.Add(ref gx[o[p]], g[p]);
}
