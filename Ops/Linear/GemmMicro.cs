using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Framework;

// The register-blocked microkernels: C[MR x NR] += (packed A strip) (packed B strip) over kc steps, one
// broadcast of A and NR / lanes loads of B per step. The loops compile to back-to-back FMAs with every
// accumulator in a register (checked with DOTNET_JitDisasm).
internal static partial class Gemm
{
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

    // fewer rows of the same 12-wide A strips, for the last strip of a matrix whose rows are not a multiple of 12
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro512F4(float* a, float* b, int kc, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b1, c31);
            a += 12;
            b += 32;
        }
        AddRow512(c + 0 * ldc, c00, c01);
        AddRow512(c + 1 * ldc, c10, c11);
        AddRow512(c + 2 * ldc, c20, c21);
        AddRow512(c + 3 * ldc, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro512F8(float* a, float* b, int kc, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
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
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro512D4(double* a, double* b, int kc, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            c00 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00); c01 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b1, c01);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c10); c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b1, c11);
            c20 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c20); c21 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b1, c21);
            c30 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c30); c31 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b1, c31);
            a += 12;
            b += 16;
        }
        AddRow512(c + 0 * ldc, c00, c01);
        AddRow512(c + 1 * ldc, c10, c11);
        AddRow512(c + 2 * ldc, c20, c21);
        AddRow512(c + 3 * ldc, c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro512D8(double* a, double* b, int kc, double* c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
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
    }

}
