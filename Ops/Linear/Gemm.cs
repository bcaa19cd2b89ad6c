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
internal static class Gemm
{
    // rows x columns of the microkernel: with AVX-512, 12 x 2 zmm (24 accumulators of 32 registers), else 6 x 2 ymm
    // (12 accumulators + 2 B vectors + 1 broadcast = 15 of 16 registers)
    private static readonly bool Wide = Avx512F.IsSupported;
    private static readonly int MR = Wide ? 12 : 6;
    private const int KC = 256;         // depth of a packed slice: an A strip (MR x KC) and a B strip (KC x NR) fit L1
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
                    Blocked(pa, ars, acs, pb, brs, bcs, pc, ldc, m, n, k, parallel);
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

    private static int NR<T>() where T : unmanaged => Wide ? 2 * Vector512<T>.Count : 2 * Vector256<T>.Count;

    private static unsafe void Blocked<T>(T* a, int ars, int acs, T* b, int brs, int bcs, T* c, int ldc, int m, int n, int k, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
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
        var ctx = new Args<T>(a, ars, acs, b, brs, bcs, c, ldc, m, n, k, mc, ncb, tilesN);
        if (workers <= 1 || tasks == 1)
        {
            for (int t = 0; t < tasks; t++) Tile(ctx, t);
            return;
        }
        Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = workers }, t => Tile(ctx, t));
    }

    private readonly unsafe struct Args<T>(T* a, int ars, int acs, T* b, int brs, int bcs, T* c, int ldc, int m, int n, int k, int mc, int nc, int tilesN)
        where T : unmanaged
    {
        public readonly T* A = a, B = b, C = c;
        public readonly int Ars = ars, Acs = acs, Brs = brs, Bcs = bcs, Ldc = ldc, M = m, N = n, K = k, MC = mc, NC = nc, TilesN = tilesN;
    }

    private static unsafe void Tile<T>(Args<T> x, int task) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>();
        int i0 = task / x.TilesN * x.MC, j0 = task % x.TilesN * x.NC;
        int mb = Math.Min(x.MC, x.M - i0), nb = Math.Min(x.NC, x.N - j0);
        var (bufA, bufB) = Buffers<T>.Get(RoundUp(mb, MR) * KC, RoundUp(nb, nr) * KC);
        fixed (T* pa = bufA, pb = bufB)
        {
            for (int p0 = 0; p0 < x.K; p0 += KC)
            {
                int kc = Math.Min(KC, x.K - p0);
                PackA(x.A + (long)i0 * x.Ars + (long)p0 * x.Acs, x.Ars, x.Acs, mb, kc, pa);
                PackB(x.B + (long)p0 * x.Brs + (long)j0 * x.Bcs, x.Brs, x.Bcs, kc, nb, nr, pb);
                for (int jr = 0; jr < nb; jr += nr)
                {
                    int nv = Math.Min(nr, nb - jr);
                    T* bs = pb + (long)jr * kc;
                    for (int ir = 0; ir < mb; ir += MR)
                    {
                        int mv = Math.Min(MR, mb - ir);
                        T* cij = x.C + (long)(i0 + ir) * x.Ldc + j0 + jr;
                        Micro(pa + (long)ir * kc, bs, kc, cij, x.Ldc, mv, nv);
                    }
                }
            }
        }
    }

    /// <summary>A block (mb x kc) into MR-row strips: strip s holds, for each p, the MR values a[s MR + 0..MR-1, p].</summary>
    private static unsafe void PackA<T>(T* a, int rs, int cs, int mb, int kc, T* dst) where T : unmanaged
    {
        for (int i0 = 0; i0 < mb; i0 += MR)
        {
            int mv = Math.Min(MR, mb - i0);
            T* d = dst + (long)i0 * kc;
            if (cs == 1)
            {
                for (int r = 0; r < MR; r++)
                {
                    if (r < mv) { T* src = a + (long)(i0 + r) * rs; for (int p = 0; p < kc; p++) d[p * MR + r] = src[p]; }
                    else for (int p = 0; p < kc; p++) d[p * MR + r] = default;
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = a + (long)p * cs + (long)i0 * rs;
                    for (int r = 0; r < MR; r++) d[p * MR + r] = r < mv ? src[(long)r * rs] : default;
                }
            }
        }
    }

    /// <summary>B block (kc x nb) into NR-column strips: strip s holds, for each p, the NR values b[p, s NR + 0..NR-1].</summary>
    private static unsafe void PackB<T>(T* b, int rs, int cs, int kc, int nb, int nr, T* dst) where T : unmanaged
    {
        for (int j0 = 0; j0 < nb; j0 += nr)
        {
            int nv = Math.Min(nr, nb - j0);
            T* d = dst + (long)j0 * kc;
            if (cs == 1 && nv == nr)
            {
                for (int p = 0; p < kc; p++)
                    Unsafe.CopyBlockUnaligned(d + p * nr, b + (long)p * rs + j0, (uint)(nr * sizeof(T)));
            }
            else if (cs == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = b + (long)p * rs + j0;
                    for (int j = 0; j < nr; j++) d[p * nr + j] = j < nv ? src[j] : default;
                }
            }
            else
            {
                for (int j = 0; j < nr; j++)
                {
                    if (j < nv) { T* src = b + (long)(j0 + j) * cs; for (int p = 0; p < kc; p++) d[p * nr + j] = src[(long)p * rs]; }
                    else for (int p = 0; p < kc; p++) d[p * nr + j] = default;
                }
            }
        }
    }

    /// <summary>C[mv x nv] += A strip (MR x kc) B strip (kc x NR); full tiles are updated in registers, partial ones through a scratch tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro<T>(T* a, T* b, int kc, T* c, int ldc, int mv, int nv) where T : unmanaged
    {
        int nr = NR<T>();
        bool full = mv == MR && nv == nr;
        T* tile = stackalloc T[12 * 2 * Vector512<T>.Count];
        T* dst = full ? c : tile;
        int ld = full ? ldc : nr;
        if (!full) new Span<T>(tile, MR * nr).Clear();
        if (Wide)
        {
            if (typeof(T) == typeof(float)) Micro512F((float*)a, (float*)b, kc, (float*)dst, ld);
            else Micro512D((double*)a, (double*)b, kc, (double*)dst, ld);
        }
        else if (typeof(T) == typeof(float)) MicroF((float*)a, (float*)b, kc, (float*)dst, ld);
        else MicroD((double*)a, (double*)b, kc, (double*)dst, ld);
        if (full) return;
        for (int r = 0; r < mv; r++)
            for (int j = 0; j < nv; j++)
                AddTo(c + (long)r * ldc + j, tile[r * nr + j]);
    }

    private static unsafe void AddTo<T>(T* dst, T v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) *(float*)dst += Unsafe.As<T, float>(ref v);
        else *(double*)dst += Unsafe.As<T, double>(ref v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma8(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Fma4(Vector256<double> a, Vector256<double> b, Vector256<double> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MicroF(float* a, float* b, int kc, float* c, int ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                         c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Fma8(x, b0, c00); c01 = Fma8(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Fma8(x, b0, c10); c11 = Fma8(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Fma8(x, b0, c20); c21 = Fma8(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Fma8(x, b0, c30); c31 = Fma8(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Fma8(x, b0, c40); c41 = Fma8(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Fma8(x, b0, c50); c51 = Fma8(x, b1, c51);
            a += 6;
            b += 16;
        }
        AddRow(c, c00, c01); AddRow(c + ldc, c10, c11); AddRow(c + 2 * ldc, c20, c21);
        AddRow(c + 3 * ldc, c30, c31); AddRow(c + 4 * ldc, c40, c41); AddRow(c + 5 * ldc, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddRow(float* c, Vector256<float> v0, Vector256<float> v1)
    {
        (Vector256.Load(c) + v0).Store(c);
        (Vector256.Load(c + 8) + v1).Store(c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MicroD(double* a, double* b, int kc, double* c, int ldc)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                          c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 4);
            var x = Vector256.Create(a[0]); c00 = Fma4(x, b0, c00); c01 = Fma4(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Fma4(x, b0, c10); c11 = Fma4(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Fma4(x, b0, c20); c21 = Fma4(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Fma4(x, b0, c30); c31 = Fma4(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Fma4(x, b0, c40); c41 = Fma4(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Fma4(x, b0, c50); c51 = Fma4(x, b1, c51);
            a += 6;
            b += 8;
        }
        AddRow(c, c00, c01); AddRow(c + ldc, c10, c11); AddRow(c + 2 * ldc, c20, c21);
        AddRow(c + 3 * ldc, c30, c31); AddRow(c + 4 * ldc, c40, c41); AddRow(c + 5 * ldc, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddRow(double* c, Vector256<double> v0, Vector256<double> v1)
    {
        (Vector256.Load(c) + v0).Store(c);
        (Vector256.Load(c + 4) + v1).Store(c + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro512F(float* a, float* b, int kc, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default, c90 = default, c91 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b1, c31);
            c40 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c40); c41 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b1, c41);
            c50 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c50); c51 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b1, c51);
            c60 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c60); c61 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b1, c61);
            c70 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c70); c71 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b1, c71);
            c80 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[8]), b0, c80); c81 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[8]), b1, c81);
            c90 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[9]), b0, c90); c91 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[9]), b1, c91);
            c100 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[10]), b0, c100); c101 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[10]), b1, c101);
            c110 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[11]), b0, c110); c111 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[11]), b1, c111);
            a += 12;
            b += 32;
        }
        AddRow512(c + 0 * ldc, c00, c01);
        AddRow512(c + 1 * ldc, c10, c11);
        AddRow512(c + 2 * ldc, c20, c21);
        AddRow512(c + 3 * ldc, c30, c31);
        AddRow512(c + 4 * ldc, c40, c41);
        AddRow512(c + 5 * ldc, c50, c51);
        AddRow512(c + 6 * ldc, c60, c61);
        AddRow512(c + 7 * ldc, c70, c71);
        AddRow512(c + 8 * ldc, c80, c81);
        AddRow512(c + 9 * ldc, c90, c91);
        AddRow512(c + 10 * ldc, c100, c101);
        AddRow512(c + 11 * ldc, c110, c111);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddRow512(float* c, Vector512<float> v0, Vector512<float> v1)
    {
        (Vector512.Load(c) + v0).Store(c);
        (Vector512.Load(c + 16) + v1).Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro512D(double* a, double* b, int kc, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default, c90 = default, c91 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b1, c31);
            c40 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c40); c41 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b1, c41);
            c50 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c50); c51 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b1, c51);
            c60 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c60); c61 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b1, c61);
            c70 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c70); c71 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b1, c71);
            c80 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[8]), b0, c80); c81 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[8]), b1, c81);
            c90 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[9]), b0, c90); c91 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[9]), b1, c91);
            c100 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[10]), b0, c100); c101 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[10]), b1, c101);
            c110 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[11]), b0, c110); c111 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[11]), b1, c111);
            a += 12;
            b += 16;
        }
        AddRow512(c + 0 * ldc, c00, c01);
        AddRow512(c + 1 * ldc, c10, c11);
        AddRow512(c + 2 * ldc, c20, c21);
        AddRow512(c + 3 * ldc, c30, c31);
        AddRow512(c + 4 * ldc, c40, c41);
        AddRow512(c + 5 * ldc, c50, c51);
        AddRow512(c + 6 * ldc, c60, c61);
        AddRow512(c + 7 * ldc, c70, c71);
        AddRow512(c + 8 * ldc, c80, c81);
        AddRow512(c + 9 * ldc, c90, c91);
        AddRow512(c + 10 * ldc, c100, c101);
        AddRow512(c + 11 * ldc, c110, c111);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddRow512(double* c, Vector512<double> v0, Vector512<double> v1)
    {
        (Vector512.Load(c) + v0).Store(c);
        (Vector512.Load(c + 8) + v1).Store(c + 8);
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
