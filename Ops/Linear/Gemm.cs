using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Framework;

/// <summary>
/// C (+)= op(A) op(B) for row-major float/double matrices: the GEMM under matmul, linear and convolution.
///
/// Goto's scheme (as BLIS and OpenBLAS): C is cut into tiles (one task each, run on all cores); per tile and per
/// KC-slice of the inner dimension, the A block is packed into MR-row strips and the B block into NR-column
/// strips (zero-padded), and a register-blocked FMA microkernel (AVX-512 where present, else AVX2) computes each MR x NR piece of C from
/// one A strip (in L2) and one B strip (in L1). Packing absorbs the transposes and strides, so one microkernel
/// serves every layout. Packing buffers are per thread and reused: no allocation per call.
/// </summary>
internal static partial class Gemm
{
    // rows x columns of the microkernel: with AVX-512, 12 x 2 zmm (24 accumulators of 32 registers), else 6 x 2 ymm
    // (12 accumulators + 2 B vectors + 1 broadcast = 15 of 16 registers)
    internal static readonly bool Wide = Avx512F.IsSupported;
    private static readonly int MR = Wide ? 12 : 6;
    private const int KC = 256;         // depth of a packed slice: an A strip (MR x KC) and a B strip (KC x NR) fit L1
    internal const int DepthBlock = KC;
    private const int MCMax = 144;      // rows of an A block: MC x KC fits L2
    private const int NCMax = 1024;     // columns of a B block
    private const long SmallWork = 1 << 14;   // m n k below this: a direct loop beats packing

    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        bool transA = false, bool transB = false, bool accumulate = false, int lda = -1, int ldb = -1, int ldc = -1,
        bool parallel = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (lda < 0) lda = transA ? m : k;
        if (ldb < 0) ldb = transB ? k : n;
        if (ldc < 0) ldc = n;
        if (m == 0 || n == 0) return;
        // element (i, p) of op(A) is a[i * ars + p * acs]; element (p, j) of op(B) is b[p * brs + j * bcs]
        int ars = transA ? 1 : lda, acs = transA ? lda : 1;
        int brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        unsafe
        {
            fixed (T* pa = a, pb = b, pc = c)
            {
                if (!accumulate) ClearC(pc, m, n, ldc);
                if (k == 0) return;
                if ((long)m * n * k < SmallWork || !Vector256.IsHardwareAccelerated)
                    Direct(pa, ars, acs, pb, brs, bcs, pc, ldc, m, n, k);
                else
                    Accumulate<T, StridedMatrix<T>, StridedMatrix<T>>(new(pa, ars, acs), new(pb, brs, bcs), pc, ldc, 1, m, n, k, parallel);
            }
        }
    }

    private static unsafe void ClearC<T>(T* c, int m, int n, int ldc) where T : unmanaged
    {
        if (ldc == n) new Span<T>(c, checked(m * n)).Clear();
        else for (int i = 0; i < m; i++) new Span<T>(c + (long)i * ldc, n).Clear();
    }

    /// <summary>The plain triple loop for tiny products (the i-p-j order streams B and C rows).</summary>
    private static unsafe void Direct<T>(T* a, int ars, int acs, T* b, int brs, int bcs, T* c, int ldc, int m, int n, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* ci = c + (long)i * ldc;
            for (int p = 0; p < k; p++)
            {
                T av = a[(long)i * ars + (long)p * acs];
                T* bp = b + (long)p * brs;
                for (int j = 0; j < n; j++) ci[j] += av * bp[(long)j * bcs];
            }
        }
    }

    /// <summary>
    /// A (m x k) packed once into row strips, in the layout the driver reads block by block; the buffer holds
    /// every KC slice, so any number of products can then use it without packing A again.
    /// </summary>
    public static unsafe PackedRows<T> Prepack<T, TA>(TA a, int m, int k) where T : unmanaged where TA : struct, IMatrixSource<T>
    {
        int mp = RoundUp(Math.Max(m, 1), MR);
        var buffer = new T[(long)mp * k];
        fixed (T* p = buffer)
            for (int p0 = 0; p0 < k; p0 += KC)
                a.PackRowStrips(0, m, p0, Math.Min(KC, k - p0), MR, p + (long)p0 * mp);
        return new PackedRows<T>(buffer, mp);
    }

    private static int NR<T>() where T : unmanaged => Wide ? 2 * Vector512<T>.Count : 2 * Vector256<T>.Count;

    /// <summary>
    /// C += A B where A (m x k) and B (k x n) are any matrix sources and C's element (i, j) is c[i rsc + j csc]
    /// (csc != 1 stores the product transposed).
    /// </summary>
    public static unsafe void Accumulate<T, TA, TB>(TA a, TB b, T* c, long rsc, long csc, int m, int n, int k, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T> where TA : struct, IMatrixSource<T> where TB : struct, IMatrixSource<T>
    {
        if (m == 0 || n == 0 || k == 0) return;
        int nr = NR<T>();
        int workers = parallel && (long)m * n * k >= (1L << 21) ? Par.Workers : 1;
        // tiles of C, as many as (a multiple of) the workers so both cores finish together
        int tilesM = CeilDiv(m, MCMax), tilesN = CeilDiv(n, NCMax);
        if (workers > 1 && (tilesM * tilesN) % workers != 0)
        {
            if (m >= n) tilesM = Math.Min(CeilDiv(m, MR), RoundUp(tilesM, workers));
            else tilesN = Math.Min(CeilDiv(n, nr), RoundUp(tilesN, workers));
        }
        int mc = RoundUp(CeilDiv(m, tilesM), MR), ncb = RoundUp(CeilDiv(n, tilesN), nr);
        tilesM = CeilDiv(m, mc);
        tilesN = CeilDiv(n, ncb);
        int tasks = tilesM * tilesN;
        var ctx = new Args<T, TA, TB>(a, b, c, rsc, csc, m, n, k, mc, ncb, tilesN);
        if (workers <= 1 || tasks == 1)
        {
            for (int t = 0; t < tasks; t++) Tile(ctx, t);
            return;
        }
        Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = workers }, t => Tile(ctx, t));
    }

    private readonly unsafe struct Args<T, TA, TB>(TA a, TB b, T* c, long rsc, long csc, int m, int n, int k, int mc, int nc, int tilesN)
        where T : unmanaged
    {
        public readonly TA A = a;
        public readonly TB B = b;
        public readonly T* C = c;
        public readonly long Rsc = rsc, Csc = csc;
        public readonly int M = m, N = n, K = k, MC = mc, NC = nc, TilesN = tilesN;
    }

    private static unsafe void Tile<T, TA, TB>(Args<T, TA, TB> x, int task)
        where T : unmanaged, IFloatingPointIeee754<T> where TA : struct, IMatrixSource<T> where TB : struct, IMatrixSource<T>
    {
        int nr = NR<T>(), mr = MR;
        int i0 = task / x.TilesN * x.MC, j0 = task % x.TilesN * x.NC;
        int mb = Math.Min(x.MC, x.M - i0), nb = Math.Min(x.NC, x.N - j0);
        var (bufA, bufB) = Buffers<T>.Get(RoundUp(mb, mr) * KC, RoundUp(nb, nr) * KC);
        fixed (T* pa = bufA, pb = bufB)
        {
            for (int p0 = 0; p0 < x.K; p0 += KC)
            {
                int kc = Math.Min(KC, x.K - p0);
                // an A packed once for many products (a convolution's weight, reused for every image) is read in place
                T* aStrips = x.A.PackedBlock(i0, p0, kc);
                if (aStrips is null) { x.A.PackRowStrips(i0, mb, p0, kc, mr, pa); aStrips = pa; }
                x.B.PackColStrips(p0, kc, j0, nb, nr, pb);
                for (int jr = 0; jr < nb; jr += nr)
                {
                    int nv = Math.Min(nr, nb - jr);
                    T* bs = pb + (long)jr * kc;
                    for (int ir = 0; ir < mb; ir += mr)
                    {
                        int mv = Math.Min(mr, mb - ir);
                        T* cij = x.C + (i0 + ir) * x.Rsc + (j0 + jr) * x.Csc;
                        Micro(aStrips + (long)ir * kc, bs, kc, cij, x.Rsc, x.Csc, mv, nv);
                    }
                }
            }
        }
    }

    /// <summary>C[mv x nv] += A strip (MR x kc) B strip (kc x NR); full row-major tiles are updated in registers, the rest through a scratch tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro<T>(T* a, T* b, int kc, T* c, long rsc, long csc, int mv, int nv) where T : unmanaged
    {
        int nr = NR<T>();
        // with AVX-512, a last strip of at most 4 or 8 rows runs a 4- or 8-row kernel instead of the full 12
        int rows = Wide && mv <= 4 ? 4 : Wide && mv <= 8 ? 8 : MR;
        bool direct = mv == rows && nv == nr && csc == 1;
        T* tile = stackalloc T[12 * 2 * Vector512<T>.Count];
        T* dst = direct ? c : tile;
        int ld = direct ? (int)rsc : nr;
        if (!direct) new Span<T>(tile, rows * nr).Clear();
        if (Wide)
        {
            if (typeof(T) == typeof(float))
            {
                if (rows == 4) Micro512F4((float*)a, (float*)b, kc, (float*)dst, ld);
                else if (rows == 8) Micro512F8((float*)a, (float*)b, kc, (float*)dst, ld);
                else Micro512F((float*)a, (float*)b, kc, (float*)dst, ld);
            }
            else if (rows == 4) Micro512D4((double*)a, (double*)b, kc, (double*)dst, ld);
            else if (rows == 8) Micro512D8((double*)a, (double*)b, kc, (double*)dst, ld);
            else Micro512D((double*)a, (double*)b, kc, (double*)dst, ld);
        }
        else if (typeof(T) == typeof(float)) MicroF((float*)a, (float*)b, kc, (float*)dst, ld);
        else MicroD((double*)a, (double*)b, kc, (double*)dst, ld);
        if (direct) return;
        for (int r = 0; r < mv; r++)
            for (int j = 0; j < nv; j++)
                AddTo(c + r * rsc + j * csc, tile[r * nr + j]);
    }

    private static unsafe void AddTo<T>(T* dst, T v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) *(float*)dst += Unsafe.As<T, float>(ref v);
        else *(double*)dst += Unsafe.As<T, double>(ref v);
    }

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int b) => CeilDiv(a, b) * b;

    /// <summary>Packing buffers of the calling thread, grown to the largest size asked for and then reused.</summary>
    private static class Buffers<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? _a;
        [ThreadStatic] private static T[]? _b;

        public static (T[] A, T[] B) Get(int sizeA, int sizeB)
        {
            if (_a is null || _a.Length < sizeA) _a = new T[Math.Max(sizeA, MCMax * KC)];
            if (_b is null || _b.Length < sizeB) _b = new T[Math.Max(sizeB, NCMax * KC)];
            return (_a, _b);
        }
    }
}
