using System.Numerics;
using System.Numerics.Tensors;

namespace Framework;

/// <summary>
/// The three products of a convolution on the CPU, each a GEMM per (image, group) through matmul's packed
/// kernel, with the im2col matrix cols(x) (K x L) packed straight from the image (implicit GEMM):
///   forward          y[n, g]  = W[g] cols(x[n, g])                (Og x K) (K x L)
///   weight gradient  dW[g]   += dy[n, g] cols(x[n, g])^T           (Og x L) (L x K)
///   input gradient   stride 1: a forward convolution of dy with the flipped, transposed kernel;
///                    otherwise dx[n, g] = col2im(W[g]^T dy[n, g])   (K x Og) (Og x L)
/// Every product is stored row-major, so full tiles go from registers straight to the output. Images run
/// in parallel on both cores; a batch smaller than the core count runs one image at a time with a
/// parallel GEMM.
/// </summary>
internal static unsafe class ConvCpu
{
    private static bool ParallelOverImages(in ConvGeometry g) =>
        g.N >= Par.Workers && (long)g.N * g.O * g.L * g.K >= (1L << 18);

    /// <summary>Runs body(n0, n1, parallelGemm) over the batch: image ranges in parallel, or all of it with parallel GEMMs.</summary>
    private static void OverImages(in ConvGeometry g, Action<int, int, bool> body)
    {
        if (ParallelOverImages(g)) Par.For(g.N, 1L << 30, (s, e) => body((int)s, (int)e, false), chunksPerWorker: 4);   // see DirectConv.ChunksPerWorker
        else body(0, g.N, true);
    }

    private static long XOffset(in ConvGeometry g, int n, int group) => ((long)n * g.C + group * g.Cg) * g.InPlane;
    private static long YOffset(in ConvGeometry g, int n, int group) => ((long)n * g.O + group * g.Og) * g.L;

    /// <summary>y (zeroed, N x O x OH x OW) = conv(x, w) + bias.</summary>
    public static void Forward<T>(ConvGeometry g, Tensor x, Tensor w, Tensor? bias, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (DirectConv.Applies(g) && ParallelOverImages(g)) { DirectConv.Forward<T>(g, x, w, bias, y); return; }
        T[] xd = x.Data<T>(), wd = w.Data<T>(), yd = y.Data<T>();
        T[]? bd = bias?.Data<T>();
        // each group's weight is packed once and read in place by every image's product
        var packed = new PackedRows<T>[g.Groups];
        fixed (T* pw = wd)
            for (int gi = 0; gi < g.Groups; gi++)
                packed[gi] = Gemm.Prepack<T, StridedMatrix<T>>(new(pw + (long)gi * g.Og * g.K, g.K, 1), g.Og, g.K);
        OverImages(g, (n0, n1, par) =>
        {
            for (int gi = 0; gi < g.Groups; gi++)
                fixed (T* px = xd, py = yd, pa = packed[gi].Buffer)
                {
                    var wg = packed[gi].Pin(pa);
                    for (int n = n0; n < n1; n++)
                    {
                        T* xg = px + XOffset(g, n, gi), yg = py + YOffset(g, n, gi);
                        if (g.IsPointwise)
                            Gemm.Accumulate<T, PinnedRows<T>, StridedMatrix<T>>(wg, new(xg, g.L, 1), yg, g.L, 1, g.Og, g.L, g.K, par);
                        else
                            Gemm.Accumulate<T, PinnedRows<T>, Im2ColMatrix<T>>(wg, new(g, xg), yg, g.L, 1, g.Og, g.L, g.K, par);
                        if (bd is not null)
                            for (int o = 0; o < g.Og; o++)
                                TensorPrimitives.Add(new ReadOnlySpan<T>(yg + (long)o * g.L, g.L), bd[gi * g.Og + o], new Span<T>(yg + (long)o * g.L, g.L));
                    }
                }
        });
    }

    /// <summary>dx (zeroed, the input's shape) = the input gradient of the convolution for output gradient dy.</summary>
    public static void BackwardInput<T>(ConvGeometry g, Tensor dy, Tensor w, Tensor dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.SH == 1 && g.SW == 1)
        {
            // dx[c, i, j] = sum over o, taps of dy[o, i + PT - ki DH, j + PL - kj DW] w[o, c, ki, kj]: a convolution of dy
            // with w flipped and its channel roles swapped, padded by DH (KH - 1) - PT (negative padding crops)
            var flipped = new ConvGeometry(g.N, g.O, g.OH, g.OW, g.C, g.Groups, g.KH, g.KW, 1, 1,
                g.DH * (g.KH - 1) - g.PT, g.DW * (g.KW - 1) - g.PL, g.DH, g.DW, g.H, g.W);
            Forward<T>(flipped, dy, FlipTranspose<T>(g, w), null, dx);
            return;
        }
        T[] dyd = dy.Data<T>(), wd = w.Data<T>(), dxd = dx.Data<T>();
        OverImages(g, (n0, n1, par) =>
        {
            var cols = ColBuffer<T>.Get((long)g.K * g.L);
            fixed (T* pdy = dyd, pw = wd, pdx = dxd, pc = cols)
                for (int n = n0; n < n1; n++)
                    for (int gi = 0; gi < g.Groups; gi++)
                    {
                        new Span<T>(pc, g.K * g.L).Clear();
                        Gemm.Accumulate<T, StridedMatrix<T>, StridedMatrix<T>>(new(pw + (long)gi * g.Og * g.K, 1, g.K),
                            new(pdy + YOffset(g, n, gi), g.L, 1), pc, g.L, 1, g.K, g.L, g.Og, par);
                        Im2Col.Fold(g, pc, pdx + XOffset(g, n, gi));
                    }
        });
    }

    /// <summary>w' (C, Og, KH, KW) with w'[g Cg + c, o, i, j] = w[g Og + o, c, KH - 1 - i, KW - 1 - j].</summary>
    private static Tensor FlipTranspose<T>(in ConvGeometry g, Tensor w) where T : unmanaged
    {
        var f = Tensor.Empty(new Shape(g.C, g.Og, g.KH, g.KW), w.DType);
        T[] src = w.Data<T>(), dst = f.Data<T>();
        int taps = g.KH * g.KW;
        for (int gi = 0; gi < g.Groups; gi++)
            for (int o = 0; o < g.Og; o++)
                for (int c = 0; c < g.Cg; c++)
                {
                    long s = ((long)(gi * g.Og + o) * g.Cg + c) * taps, d = ((long)(gi * g.Cg + c) * g.Og + o) * taps;
                    for (int t = 0; t < taps; t++) dst[d + t] = src[s + taps - 1 - t];
                }
        return f;
    }

    /// <summary>dw (zeroed, O x Cg x KH x KW) = the weight gradient, summed over the batch.</summary>
    public static void BackwardWeight<T>(ConvGeometry g, Tensor dy, Tensor x, Tensor dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (DirectConv.Applies(g) && ParallelOverImages(g)) { DirectConv.WeightGrad<T>(g, dy, x, dw); return; }
        T[] dyd = dy.Data<T>(), xd = x.Data<T>(), dwd = dw.Data<T>();
        var partials = new List<T[]>();
        var gate = new Lock();
        OverImages(g, (n0, n1, par) =>
        {
            // each core sums its images into its own copy; the copies are added at the end
            var acc = par ? dwd : new T[dwd.Length];
            fixed (T* pdy = dyd, px = xd, pacc = acc)
                for (int n = n0; n < n1; n++)
                    for (int gi = 0; gi < g.Groups; gi++)
                    {
                        T* xg = px + XOffset(g, n, gi), dwg = pacc + (long)gi * g.Og * g.K;
                        var dyg = new StridedMatrix<T>(pdy + YOffset(g, n, gi), g.L, 1);
                        if (g.IsPointwise)
                            Gemm.Accumulate<T, StridedMatrix<T>, StridedMatrix<T>>(dyg, new(xg, 1, g.L), dwg, g.K, 1, g.Og, g.K, g.L, par);
                        else
                            Gemm.Accumulate<T, StridedMatrix<T>, Transposed<T, Im2ColMatrix<T>>>(dyg, new(new(g, xg)), dwg, g.K, 1, g.Og, g.K, g.L, par);
                    }
            if (!par) lock (gate) partials.Add(acc);
        });
        foreach (var p in partials) TensorPrimitives.Add(dwd, p, dwd);
    }

    /// <summary>db[o] = sum of dy[n, o, :, :] over the batch.</summary>
    public static void BackwardBias<T>(Tensor dy, Tensor db, int n, int o, int l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] dyd = dy.Data<T>(), dbd = db.Data<T>();
        for (int c = 0; c < o; c++)
        {
            T s = T.Zero;
            for (int i = 0; i < n; i++) s += TensorPrimitives.Sum(new ReadOnlySpan<T>(dyd, (i * o + c) * l, l));
            dbd[c] = s;
        }
    }

    /// <summary>The calling thread's col2im buffer, grown to the largest size asked for and then reused.</summary>
    private static class ColBuffer<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? _buffer;

        public static T[] Get(long size)
        {
            if (size > Array.MaxLength) throw new ArgumentException($"conv2d: the unfolded input needs {size} elements, more than one array holds");
            if (_buffer is null || _buffer.Length < size)
            {
                MemoryGuard.Check(DTypeInfo.Of<T>(), size, "conv2d");
                _buffer = new T[size];
            }
            return _buffer;
        }
    }
}
