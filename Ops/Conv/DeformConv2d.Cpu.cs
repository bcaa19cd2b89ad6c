using System.Numerics;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Framework;

/// <summary>
/// deform_conv2d on the CPU, per image, as torchvision computes it: the "deformable im2col" columns
/// cols (C KH KW x OH OW) hold the bilinearly sampled, mask-scaled input of every kernel point at every output
/// position, and each weight group is one GEMM through the packed kernel:
///   forward     y[n, g]   = W[g] cols[g]                       (Og x K) (K x L)
///   backward    dcols[g]  = W[g]^T dy[n, g]                    (K x Og) (Og x L)
///               dx        = col2im: mask dcols scattered with the bilinear weights
///               doffset   = sum over the group's channels of mask dcols d(sample)/d(y, x)   (coordinate gradient)
///               dmask     = sum over the group's channels of dcols sample
///               dW[g]    += dy[n, g] cols[g]^T                  (Og x L) (L x K)
/// The L sample points of one (offset group, kernel point) are located once into a table that every channel of
/// the group reuses; the backward visits each column element once for all of its gradients (and re-samples the
/// columns for dW on the way). Images run in parallel on both cores, each thread with its own reused buffers; a
/// batch smaller than the core count runs one image at a time with parallel GEMMs.
/// </summary>
internal static unsafe class DeformCpu
{
    // the table's rows, each L long: the corners' value weights U, their in-image flags E, the fractions, the mask
    private const int RU00 = 0, RU01 = 1, RU10 = 2, RU11 = 3, RE00 = 4, RE01 = 5, RE10 = 6, RE11 = 7, RLy = 8, RLx = 9, RMask = 10, TableRows = 11;

    private static bool ParallelOverImages(in DeformGeometry g) =>
        g.N >= Par.Workers && (long)g.N * g.C * g.KK * g.L * (g.Og + 16) >= (1L << 18);

    /// <summary>Runs body(n0, n1, parallelGemm) over the batch: image ranges in parallel, or all of it with parallel GEMMs.</summary>
    private static void OverImages(in DeformGeometry g, Action<int, int, bool> body)
    {
        if (ParallelOverImages(g)) Par.For(g.N, 1L << 30, (s, e) => body((int)s, (int)e, false));
        else body(0, g.N, true);
    }

    private static long YOffset(in DeformGeometry g, int n, int group) => ((long)n * g.O + group * g.Og) * g.L;

    /// <summary>y (zeroed) = deform_conv2d(x, offset, mask, w) + bias.</summary>
    public static void Forward<T, TI>(DeformGeometry g, Tensor x, Tensor offset, Tensor? mask, Tensor w, Tensor? bias, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        T[] xd = x.Data<T>(), od = offset.Data<T>(), wd = w.Data<T>(), yd = y.Data<T>();
        T[]? md = mask?.Data<T>(), bd = bias?.Data<T>();
        OverImages(g, (n0, n1, par) =>
        {
            var s = Scratch<T>.Get(g, cols: true, dcols: false);
            fixed (T* px = xd, po = od, pm = md, pw = wd, py = yd, pc = s.Cols, pt = s.Table)
            fixed (int* pi = s.Index)
                for (int n = n0; n < n1; n++)
                {
                    if (par) ColumnsInParallel<T, TI>(g, n, px, po, pm, pc);
                    else Columns<T, TI>(g, n, px, po, pm, pc, pt, pi);
                    for (int gi = 0; gi < g.Groups; gi++)
                    {
                        T* yg = py + YOffset(g, n, gi);
                        Gemm.Accumulate<T, StridedMatrix<T>, StridedMatrix<T>>(new(pw + (long)gi * g.Og * g.K, g.K, 1),
                            new(pc + (long)gi * g.K * g.L, g.L, 1), yg, g.L, 1, g.Og, g.L, g.K, par);
                        if (bd is not null)
                            for (int o = 0; o < g.Og; o++)
                                TensorPrimitives.Add(new ReadOnlySpan<T>(yg + (long)o * g.L, g.L), bd[gi * g.Og + o], new Span<T>(yg + (long)o * g.L, g.L));
                    }
                }
        });
    }

    /// <summary>The gradients asked for in grads (zeroed tensors) for output gradient dy.</summary>
    public static void Backward<T, TI>(DeformGeometry g, Tensor dy, Tensor x, Tensor offset, Tensor? mask, Tensor w, DeformGrads grads)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        T[] dyd = dy.Data<T>(), xd = x.Data<T>(), od = offset.Data<T>(), wd = w.Data<T>();
        T[]? md = mask?.Data<T>(), dxd = grads.Input?.Data<T>(), dod = grads.Offset?.Data<T>(), dmd = grads.Mask?.Data<T>(), dwd = grads.Weight?.Data<T>();
        bool needCols = dwd is not null, needSampleGrads = dxd is not null || dod is not null || dmd is not null;
        var partials = new List<T[]>();
        var gate = new Lock();
        OverImages(g, (n0, n1, par) =>
        {
            var s = Scratch<T>.Get(g, needCols, needSampleGrads);
            // each core sums its images' weight gradients into its own copy; the copies are added at the end
            var dwAcc = dwd is null ? null : par ? dwd : new T[dwd.Length];
            fixed (T* pdy = dyd, px = xd, po = od, pm = md, pw = wd, pdx = dxd, pdo = dod, pdm = dmd, pdw = dwAcc)
            fixed (T* pc = s.Cols, pdc = s.DCols, pt = s.Table, prow = s.Rows)
            fixed (int* pi = s.Index)
                for (int n = n0; n < n1; n++)
                {
                    if (needSampleGrads)
                    {
                        new Span<T>(pdc, checked(g.C * g.KK * g.L)).Clear();
                        for (int gi = 0; gi < g.Groups; gi++)
                            Gemm.Accumulate<T, StridedMatrix<T>, StridedMatrix<T>>(new(pw + (long)gi * g.Og * g.K, 1, g.K),
                                new(pdy + YOffset(g, n, gi), g.L, 1), pdc + (long)gi * g.K * g.L, g.L, 1, g.K, g.L, g.Og, par);
                        var p = new BackwardPointers<T>(px, po, pm, pdc, needCols ? pc : null, pdx, pdo, pdm, pt, pi, prow);
                        if (pdx is not null) SampleGradients<T, TI, Yes>(g, n, p);
                        else SampleGradients<T, TI, No>(g, n, p);
                    }
                    else Columns<T, TI>(g, n, px, po, pm, pc, pt, pi);
                    if (needCols)
                        for (int gi = 0; gi < g.Groups; gi++)
                            Gemm.Accumulate<T, StridedMatrix<T>, StridedMatrix<T>>(new(pdy + YOffset(g, n, gi), g.L, 1),
                                new(pc + (long)gi * g.K * g.L, 1, g.L), pdw + (long)gi * g.Og * g.K, g.K, 1, g.Og, g.K, g.L, par);
                }
            if (dwAcc is not null && !par) lock (gate) partials.Add(dwAcc);
        });
        foreach (var p in partials) TensorPrimitives.Add(dwd, p, dwd);
    }

    /// <summary>Locates the L sample points of kernel point k, offset group og, image n into the table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Locate<T, TI>(in DeformGeometry g, int n, int og, int k, T* offset, T* mask, T* tab, int* idx)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        var ops = default(TI);
        int l = 0, L = g.L, ki = k / g.KW, kj = k % g.KW;
        T* oy = offset + DeformLayout.OffsetY(g, n, og, k, 0), ox = oy + L;
        T* mrow = mask is null ? null : mask + DeformLayout.Mask(g, n, og, k, 0);
        for (int oh = 0; oh < g.OH; oh++)
        {
            T by = ops.FromInt(DeformLayout.BaseY(g, oh, ki));
            for (int ow = 0; ow < g.OW; ow++, l++)
            {
                var p = DeformPoint<T>.Locate<TI>(by + oy[l], ops.FromInt(DeformLayout.BaseX(g, ow, kj)) + ox[l], g.H, g.W);
                idx[l] = p.I00; idx[L + l] = p.I01; idx[2 * L + l] = p.I10; idx[3 * L + l] = p.I11;
                tab[RU00 * L + l] = p.U00; tab[RU01 * L + l] = p.U01; tab[RU10 * L + l] = p.U10; tab[RU11 * L + l] = p.U11;
                tab[RE00 * L + l] = p.E00; tab[RE01 * L + l] = p.E01; tab[RE10 * L + l] = p.E10; tab[RE11 * L + l] = p.E11;
                tab[RLy * L + l] = p.Ly; tab[RLx * L + l] = p.Lx;
                tab[RMask * L + l] = mrow is null ? T.One : mrow[l];
            }
        }
    }

    /// <summary>cols[c KK + k, l] = mask * the bilinear sample of channel c at kernel point k, position l, for image n.</summary>
    private static void Columns<T, TI>(in DeformGeometry g, int n, T* x, T* offset, T* mask, T* cols, T* tab, int* idx)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T> =>
        ColumnPoints<T, TI>(g, n, 0, g.OffsetGroups * g.KK, x, offset, mask, cols, tab, idx);

    /// <summary>Columns, the (offset group, kernel point) pairs spread over the cores (a lone image's forward).</summary>
    private static void ColumnsInParallel<T, TI>(DeformGeometry g, int n, T* x, T* offset, T* mask, T* cols)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        nint px = (nint)x, po = (nint)offset, pm = (nint)mask, pc = (nint)cols;
        Par.For(g.OffsetGroups * g.KK, (long)g.Cpo * g.L * 8, (s0, s1) =>
        {
            var s = Scratch<T>.Get(g, cols: false, dcols: false);
            fixed (T* pt = s.Table)
            fixed (int* pi = s.Index)
                ColumnPoints<T, TI>(g, n, (int)s0, (int)s1, (T*)px, (T*)po, (T*)pm, (T*)pc, pt, pi);
        });
    }

    /// <summary>The columns' rows of the (offset group, kernel point) pairs og KK + k in [p0, p1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnPoints<T, TI>(in DeformGeometry g, int n, int p0, int p1, T* x, T* offset, T* mask, T* cols, T* tab, int* idx)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        int L = g.L;
        T* u00 = tab + RU00 * L, u01 = tab + RU01 * L, u10 = tab + RU10 * L, u11 = tab + RU11 * L, m = tab + RMask * L;
        int* i00 = idx, i01 = idx + L, i10 = idx + 2 * L, i11 = idx + 3 * L;
        for (int point = p0; point < p1; point++)
        {
            int og = point / g.KK, k = point % g.KK;
            Locate<T, TI>(g, n, og, k, offset, mask, tab, idx);
            for (int c = og * g.Cpo; c < (og + 1) * g.Cpo; c++)
            {
                T* xc = x + ((long)n * g.C + c) * g.Plane;
                T* dst = cols + ((long)c * g.KK + k) * L;
                for (int l = 0; l < L; l++)
                    dst[l] = m[l] * (u00[l] * xc[i00[l]] + u01[l] * xc[i01[l]] + u10[l] * xc[i10[l]] + u11[l] * xc[i11[l]]);
            }
        }
    }

    /// <summary>
    /// For image n, from dcols: the offset, mask and (when TScatter) input gradients, and cols when p.Cols is set.
    /// Unwanted offset/mask/column rows go to scratch rows, so the inner loop has no branches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SampleGradients<T, TI, TScatter>(in DeformGeometry g, int n, in BackwardPointers<T> p)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T> where TScatter : struct, IFlag
    {
        int L = g.L;
        T* tab = p.Table;
        T* u00 = tab + RU00 * L, u01 = tab + RU01 * L, u10 = tab + RU10 * L, u11 = tab + RU11 * L;
        T* e00 = tab + RE00 * L, e01 = tab + RE01 * L, e10 = tab + RE10 * L, e11 = tab + RE11 * L;
        T* fly = tab + RLy * L, flx = tab + RLx * L, m = tab + RMask * L;
        int* i00 = p.Index, i01 = p.Index + L, i10 = p.Index + 2 * L, i11 = p.Index + 3 * L;
        T one = T.One;
        for (int og = 0; og < g.OffsetGroups; og++)
            for (int k = 0; k < g.KK; k++)
            {
                Locate<T, TI>(g, n, og, k, p.Offset, p.Mask, tab, p.Index);
                T* gy = p.DOffset is null ? p.Rows : p.DOffset + DeformLayout.OffsetY(g, n, og, k, 0);
                T* gx = p.DOffset is null ? p.Rows + L : gy + L;
                T* gm = p.DMask is null ? p.Rows + 2 * L : p.DMask + DeformLayout.Mask(g, n, og, k, 0);
                for (int c = og * g.Cpo; c < (og + 1) * g.Cpo; c++)
                {
                    long plane = ((long)n * g.C + c) * g.Plane, row = ((long)c * g.KK + k) * L;
                    T* xc = p.X + plane, dxc = p.DX + plane, dc = p.DCols + row;
                    T* cc = p.Cols is null ? p.Rows + 3 * L : p.Cols + row;
                    for (int l = 0; l < L; l++)
                    {
                        int a = i00[l], b = i01[l], c10 = i10[l], d = i11[l];
                        T v00 = e00[l] * xc[a], v01 = e01[l] * xc[b], v10 = e10[l] * xc[c10], v11 = e11[l] * xc[d];
                        T val = u00[l] * v00 + u01[l] * v01 + u10[l] * v10 + u11[l] * v11;
                        T mk = m[l], gcol = dc[l], mg = mk * gcol, ly = fly[l], lx = flx[l];
                        cc[l] = mk * val;
                        gm[l] += gcol * val;
                        gy[l] += mg * ((one - lx) * (v10 - v00) + lx * (v11 - v01));
                        gx[l] += mg * ((one - ly) * (v01 - v00) + ly * (v11 - v10));
                        if (default(TScatter).On)
                        {
                            dxc[a] += mg * u00[l];
                            dxc[b] += mg * u01[l];
                            dxc[c10] += mg * u10[l];
                            dxc[d] += mg * u11[l];
                        }
                    }
                }
            }
    }

    private readonly struct BackwardPointers<T>(T* x, T* offset, T* mask, T* dcols, T* cols, T* dx, T* doffset, T* dmask, T* table, int* index, T* rows)
        where T : unmanaged
    {
        public readonly T* X = x, Offset = offset, Mask = mask, DCols = dcols, Cols = cols, DX = dx, DOffset = doffset, DMask = dmask, Table = table, Rows = rows;
        public readonly int* Index = index;
    }

    /// <summary>A compile-time switch: the JIT folds default(TFlag).On in each instantiation.</summary>
    private interface IFlag { bool On { get; } }
    private readonly struct Yes : IFlag { public bool On => true; }
    private readonly struct No : IFlag { public bool On => false; }

    /// <summary>The calling thread's buffers, grown to the largest size asked for and then reused.</summary>
    private sealed class Scratch<T> where T : unmanaged
    {
        [ThreadStatic] private static Scratch<T>? _mine;

        public T[] Cols = [], DCols = [], Table = [], Rows = [];
        public int[] Index = [];

        public static Scratch<T> Get(in DeformGeometry g, bool cols, bool dcols)
        {
            var s = _mine ??= new Scratch<T>();
            long colSize = (long)g.C * g.KK * g.L;
            if (colSize > Array.MaxLength) throw new ArgumentException($"deform_conv2d: the sampled columns need {colSize} elements, more than one array holds");
            if (cols) Grow(ref s.Cols, colSize);
            if (dcols) Grow(ref s.DCols, colSize);
            Grow(ref s.Table, (long)TableRows * g.L);
            Grow(ref s.Rows, 4L * g.L);
            if (s.Index.Length < 4L * g.L) s.Index = new int[4 * g.L];
            return s;
        }

        private static void Grow(ref T[] buffer, long size)
        {
            if (buffer.Length >= size) return;
            MemoryGuard.Check(DTypeInfo.Of<T>(), size, "deform_conv2d");
            buffer = new T[size];
        }
    }
}
