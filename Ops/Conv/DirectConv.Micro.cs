using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Framework;

// Microkernels of the direct convolution (AVX-512), 12, 8 or 4 rows by two vectors:
//   Fwd:  C[rows x NR] += A strip (packed weights, 12 per step) x the image read at xb + off[p] (one tap per step),
//         NR consecutive output positions of the padded image per load;
//   Taps: C[rows x NR] += (rows taps of the image, each its own stream xb + off[r] + p) x B strip (packed dy),
//         the weight gradient's rows being taps and its reduction the output positions.
internal static partial class DirectConv
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Add(float* c, Vector512<float> v0, Vector512<float> v1)
    {
        (Vector512.Load(c) + v0).Store(c);
        (Vector512.Load(c + 16) + v1).Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Add(double* c, Vector512<double> v0, Vector512<double> v1)
    {
        (Vector512.Load(c) + v0).Store(c);
        (Vector512.Load(c + 8) + v1).Store(c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FwdF12(float* a, float* xb, int* off, int kc, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default, c90 = default, c91 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        for (int p = 0; p < kc; p++)
        {
            var bp = xb + off[p];
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 16);
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
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
        Add(c + 4 * ldc, c40, c41);
        Add(c + 5 * ldc, c50, c51);
        Add(c + 6 * ldc, c60, c61);
        Add(c + 7 * ldc, c70, c71);
        Add(c + 8 * ldc, c80, c81);
        Add(c + 9 * ldc, c90, c91);
        Add(c + 10 * ldc, c100, c101);
        Add(c + 11 * ldc, c110, c111);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FwdF8(float* a, float* xb, int* off, int kc, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var bp = xb + off[p];
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 16);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b1, c31);
            c40 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c40); c41 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b1, c41);
            c50 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c50); c51 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b1, c51);
            c60 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c60); c61 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b1, c61);
            c70 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c70); c71 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b1, c71);
            a += 12;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
        Add(c + 4 * ldc, c40, c41);
        Add(c + 5 * ldc, c50, c51);
        Add(c + 6 * ldc, c60, c61);
        Add(c + 7 * ldc, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FwdF4(float* a, float* xb, int* off, int kc, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var bp = xb + off[p];
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 16);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b1, c31);
            a += 12;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FwdD12(double* a, double* xb, int* off, int kc, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default, c90 = default, c91 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        for (int p = 0; p < kc; p++)
        {
            var bp = xb + off[p];
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 8);
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
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
        Add(c + 4 * ldc, c40, c41);
        Add(c + 5 * ldc, c50, c51);
        Add(c + 6 * ldc, c60, c61);
        Add(c + 7 * ldc, c70, c71);
        Add(c + 8 * ldc, c80, c81);
        Add(c + 9 * ldc, c90, c91);
        Add(c + 10 * ldc, c100, c101);
        Add(c + 11 * ldc, c110, c111);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FwdD8(double* a, double* xb, int* off, int kc, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var bp = xb + off[p];
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 8);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b1, c31);
            c40 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c40); c41 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b1, c41);
            c50 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c50); c51 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b1, c51);
            c60 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c60); c61 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), b1, c61);
            c70 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c70); c71 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), b1, c71);
            a += 12;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
        Add(c + 4 * ldc, c40, c41);
        Add(c + 5 * ldc, c50, c51);
        Add(c + 6 * ldc, c60, c61);
        Add(c + 7 * ldc, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FwdD4(double* a, double* xb, int* off, int kc, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var bp = xb + off[p];
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 8);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b1, c31);
            a += 12;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TapsF12(float* xb, int* off, float* b, int kc, float* c, int ldc)
    {
        float* x0 = xb + off[0]; float* x1 = xb + off[1]; float* x2 = xb + off[2]; float* x3 = xb + off[3]; float* x4 = xb + off[4]; float* x5 = xb + off[5]; float* x6 = xb + off[6]; float* x7 = xb + off[7]; float* x8 = xb + off[8]; float* x9 = xb + off[9]; float* x10 = xb + off[10]; float* x11 = xb + off[11];
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default, c90 = default, c91 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b1, c31);
            c40 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[p]), b0, c40); c41 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[p]), b1, c41);
            c50 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[p]), b0, c50); c51 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[p]), b1, c51);
            c60 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[p]), b0, c60); c61 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[p]), b1, c61);
            c70 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[p]), b0, c70); c71 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[p]), b1, c71);
            c80 = Avx512F.FusedMultiplyAdd(Vector512.Create(x8[p]), b0, c80); c81 = Avx512F.FusedMultiplyAdd(Vector512.Create(x8[p]), b1, c81);
            c90 = Avx512F.FusedMultiplyAdd(Vector512.Create(x9[p]), b0, c90); c91 = Avx512F.FusedMultiplyAdd(Vector512.Create(x9[p]), b1, c91);
            c100 = Avx512F.FusedMultiplyAdd(Vector512.Create(x10[p]), b0, c100); c101 = Avx512F.FusedMultiplyAdd(Vector512.Create(x10[p]), b1, c101);
            c110 = Avx512F.FusedMultiplyAdd(Vector512.Create(x11[p]), b0, c110); c111 = Avx512F.FusedMultiplyAdd(Vector512.Create(x11[p]), b1, c111);
            b += 32;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
        Add(c + 4 * ldc, c40, c41);
        Add(c + 5 * ldc, c50, c51);
        Add(c + 6 * ldc, c60, c61);
        Add(c + 7 * ldc, c70, c71);
        Add(c + 8 * ldc, c80, c81);
        Add(c + 9 * ldc, c90, c91);
        Add(c + 10 * ldc, c100, c101);
        Add(c + 11 * ldc, c110, c111);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TapsF8(float* xb, int* off, float* b, int kc, float* c, int ldc)
    {
        float* x0 = xb + off[0]; float* x1 = xb + off[1]; float* x2 = xb + off[2]; float* x3 = xb + off[3]; float* x4 = xb + off[4]; float* x5 = xb + off[5]; float* x6 = xb + off[6]; float* x7 = xb + off[7];
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b1, c31);
            c40 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[p]), b0, c40); c41 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[p]), b1, c41);
            c50 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[p]), b0, c50); c51 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[p]), b1, c51);
            c60 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[p]), b0, c60); c61 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[p]), b1, c61);
            c70 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[p]), b0, c70); c71 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[p]), b1, c71);
            b += 32;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
        Add(c + 4 * ldc, c40, c41);
        Add(c + 5 * ldc, c50, c51);
        Add(c + 6 * ldc, c60, c61);
        Add(c + 7 * ldc, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TapsF4(float* xb, int* off, float* b, int kc, float* c, int ldc)
    {
        float* x0 = xb + off[0]; float* x1 = xb + off[1]; float* x2 = xb + off[2]; float* x3 = xb + off[3];
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b1, c31);
            b += 32;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TapsD12(double* xb, int* off, double* b, int kc, double* c, int ldc)
    {
        double* x0 = xb + off[0]; double* x1 = xb + off[1]; double* x2 = xb + off[2]; double* x3 = xb + off[3]; double* x4 = xb + off[4]; double* x5 = xb + off[5]; double* x6 = xb + off[6]; double* x7 = xb + off[7]; double* x8 = xb + off[8]; double* x9 = xb + off[9]; double* x10 = xb + off[10]; double* x11 = xb + off[11];
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default, c90 = default, c91 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b1, c31);
            c40 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[p]), b0, c40); c41 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[p]), b1, c41);
            c50 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[p]), b0, c50); c51 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[p]), b1, c51);
            c60 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[p]), b0, c60); c61 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[p]), b1, c61);
            c70 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[p]), b0, c70); c71 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[p]), b1, c71);
            c80 = Avx512F.FusedMultiplyAdd(Vector512.Create(x8[p]), b0, c80); c81 = Avx512F.FusedMultiplyAdd(Vector512.Create(x8[p]), b1, c81);
            c90 = Avx512F.FusedMultiplyAdd(Vector512.Create(x9[p]), b0, c90); c91 = Avx512F.FusedMultiplyAdd(Vector512.Create(x9[p]), b1, c91);
            c100 = Avx512F.FusedMultiplyAdd(Vector512.Create(x10[p]), b0, c100); c101 = Avx512F.FusedMultiplyAdd(Vector512.Create(x10[p]), b1, c101);
            c110 = Avx512F.FusedMultiplyAdd(Vector512.Create(x11[p]), b0, c110); c111 = Avx512F.FusedMultiplyAdd(Vector512.Create(x11[p]), b1, c111);
            b += 16;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
        Add(c + 4 * ldc, c40, c41);
        Add(c + 5 * ldc, c50, c51);
        Add(c + 6 * ldc, c60, c61);
        Add(c + 7 * ldc, c70, c71);
        Add(c + 8 * ldc, c80, c81);
        Add(c + 9 * ldc, c90, c91);
        Add(c + 10 * ldc, c100, c101);
        Add(c + 11 * ldc, c110, c111);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TapsD8(double* xb, int* off, double* b, int kc, double* c, int ldc)
    {
        double* x0 = xb + off[0]; double* x1 = xb + off[1]; double* x2 = xb + off[2]; double* x3 = xb + off[3]; double* x4 = xb + off[4]; double* x5 = xb + off[5]; double* x6 = xb + off[6]; double* x7 = xb + off[7];
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b1, c31);
            c40 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[p]), b0, c40); c41 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[p]), b1, c41);
            c50 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[p]), b0, c50); c51 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[p]), b1, c51);
            c60 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[p]), b0, c60); c61 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[p]), b1, c61);
            c70 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[p]), b0, c70); c71 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[p]), b1, c71);
            b += 16;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
        Add(c + 4 * ldc, c40, c41);
        Add(c + 5 * ldc, c50, c51);
        Add(c + 6 * ldc, c60, c61);
        Add(c + 7 * ldc, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TapsD4(double* xb, int* off, double* b, int kc, double* c, int ldc)
    {
        double* x0 = xb + off[0]; double* x1 = xb + off[1]; double* x2 = xb + off[2]; double* x3 = xb + off[3];
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[p]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[p]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[p]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[p]), b1, c31);
            b += 16;
        }
        Add(c + 0 * ldc, c00, c01);
        Add(c + 1 * ldc, c10, c11);
        Add(c + 2 * ldc, c20, c21);
        Add(c + 3 * ldc, c30, c31);
    }
}
