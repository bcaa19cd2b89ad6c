using System.Numerics;

namespace Framework;

/// <summary>Sizes and options of one grid_sample call, as plain ints (ILGPU kernel parameters take no bools).</summary>
internal struct GridSampleArgs
{
    public int N, C, InD, InH, InW, OutD, OutH, OutW;
    public int Mode;          // GridSampleMath.Bilinear / Nearest / Bicubic
    public int Padding;       // GridSampleMath.Zeros / Border / Reflection
    public int AlignCorners;  // 0 or 1
    public int Volumetric;    // 1 for 5-D input: PyTorch's scalar 3-D kernel unnormalises as ((x + 1) size - 1) / 2
    public int NeedInputGrad; // backward: 1 when the input wants a gradient
}

/// <summary>
/// PyTorch's grid_sample coordinate rules (aten/src/ATen/native/GridSampler.h and cpu/GridSamplerKernel.cpp),
/// written once in T arithmetic so the CPU kernels and the ILGPU kernels share them. Pixel coordinates:
/// align_corners=True puts -1 and +1 on the centres of the corner pixels, False on their outer edges.
/// </summary>
internal static class GridSampleMath
{
    public const int Bilinear = 0, Nearest = 1, Bicubic = 2;
    public const int Zeros = 0, Border = 1, Reflection = 2;

    /// <summary>d(pixel coordinate)/d(grid value): (size - 1) / 2 with align_corners, size / 2 without.</summary>
    public static T Scale<T, TS>(int size, int alignCorners, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T two = T.One + T.One;
        return alignCorners != 0 ? ts.FromInt(size - 1) / two : ts.FromInt(size) / two;
    }

    /// <summary>The grid value as a pixel coordinate, rounded exactly as PyTorch's CPU kernels round it.</summary>
    public static T Unnormalize<T, TS>(T x, int size, in GridSampleArgs a, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T one = T.One, two = one + one;
        if (a.AlignCorners != 0) return (x + one) * (ts.FromInt(size - 1) / two);
        if (a.Volumetric != 0) return ((x + one) * ts.FromInt(size) - one) / two;  // GridSampler.h (3-D path)
        return (x + one) * (ts.FromInt(size) / two) - one / two;                     // GridSamplerKernel.cpp (2-D path)
    }

    /// <summary>Clamps to [0, size - 1]; NaN becomes 0 (PyTorch orders its clamp so NaN clamps to zero).</summary>
    public static T Clip<T, TS>(T x, int size, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T max = ts.FromInt(size - 1);
        return x > T.Zero ? (x < max ? x : max) : T.Zero;
    }

    /// <summary>Clip with its derivative: 0 on and beyond the borders ("borders are considered out of bounds").</summary>
    public static T ClipGrad<T, TS>(T x, int size, TS ts, ref T grad) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T max = ts.FromInt(size - 1);
        if (x <= T.Zero) { grad = T.Zero; return T.Zero; }
        if (x >= max) { grad = T.Zero; return max; }
        return x;
    }

    /// <summary>
    /// Reflects into [low, low + span]: [0, size - 1] with align_corners, [-0.5, size - 0.5] without;
    /// grad becomes +-1 by the number of flips (GridSamplerKernel.cpp's reflect_coordinates_get_grad).
    /// </summary>
    public static T Reflect<T, TS>(T x, int size, int alignCorners, TS ts, ref T grad) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T one = T.One, two = one + one;
        T low = alignCorners != 0 ? T.Zero : -(one / two);
        T twiceSpan = alignCorners != 0 ? ts.FromInt(size - 1) * two : ts.FromInt(size) * two;
        if (alignCorners != 0 && size <= 1) { grad = T.Zero; return T.Zero; }
        T shifted = x - low;
        T abs = T.Abs(shifted);
        T extra = abs - T.Floor(abs / twiceSpan) * twiceSpan;
        T reflected = twiceSpan - extra;
        bool oneMoreFlip = extra > reflected;
        bool negative = shifted < T.Zero;
        grad = oneMoreFlip != negative ? -grad : grad;
        return (oneMoreFlip ? reflected : extra) + low;
    }

    /// <summary>Padding applied to a pixel coordinate (PyTorch's compute_coordinates); zeros leaves it alone.</summary>
    public static T Pad<T, TS>(T x, int size, in GridSampleArgs a, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        if (a.Padding == Border) return Clip(x, size, ts);
        if (a.Padding == Reflection)
        {
            T unused = T.One;
            return Clip(Reflect(x, size, a.AlignCorners, ts, ref unused), size, ts);
        }
        return x;
    }

    /// <summary>grid_sampler_compute_source_index: unnormalise, then pad.</summary>
    public static T Source<T, TS>(T x, int size, in GridSampleArgs a, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T> =>
        Pad(Unnormalize(x, size, a, ts), size, a, ts);

    /// <summary>The source index with d(index)/d(grid value) in <paramref name="grad"/>: scale x reflection sign x clip mask.</summary>
    public static T SourceGrad<T, TS>(T x, int size, in GridSampleArgs a, TS ts, out T grad) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T g = Scale<T, TS>(size, a.AlignCorners, ts);
        T u = Unnormalize(x, size, a, ts);
        if (a.Padding == Border) u = ClipGrad(u, size, ts, ref g);
        else if (a.Padding == Reflection) u = ClipGrad(Reflect(u, size, a.AlignCorners, ts, ref g), size, ts, ref g);
        grad = g;
        return u;
    }

    /// <summary>Flat offset of pixel (y, x) in an h x w plane, or -1 outside it.</summary>
    public static int Offset2(int y, int x, int h, int w) => (uint)y < (uint)h && (uint)x < (uint)w ? y * w + x : -1;

    /// <summary>Bicubic tap index along one axis: padding applied to the tap (PyTorch pads each tap), -1 when outside.</summary>
    public static int Tap<T, TS>(T coordinate, int size, in GridSampleArgs a, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int i = ts.ToIndex(Pad(coordinate, size, a, ts));
        return (uint)i < (uint)size ? i : -1;
    }

    /// <summary>Keys' cubic convolution weights of the taps at -1, 0, 1, 2 for fraction t (A = -0.75, as UpSample.h).</summary>
    public static Cubic4<T> CubicWeights<T, TS>(T t, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T one = T.One, a = -ts.FromInt(3) / ts.FromInt(4);
        T x0 = t + one, x3 = ts.FromInt(2) - t, x2 = one - t;
        return new Cubic4<T>
        {
            W0 = ((a * x0 - ts.FromInt(5) * a) * x0 + ts.FromInt(8) * a) * x0 - ts.FromInt(4) * a,
            W1 = ((a + ts.FromInt(2)) * t - (a + ts.FromInt(3))) * t * t + one,
            W2 = ((a + ts.FromInt(2)) * x2 - (a + ts.FromInt(3))) * x2 * x2 + one,
            W3 = ((a * x3 - ts.FromInt(5) * a) * x3 + ts.FromInt(8) * a) * x3 - ts.FromInt(4) * a,
        };
    }

    /// <summary>d/dt of <see cref="CubicWeights"/> (PyTorch's get_cubic_coefficients_grad with the sign folded in).</summary>
    public static Cubic4<T> CubicWeightsGrad<T, TS>(T t, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        T one = T.One, a = -ts.FromInt(3) / ts.FromInt(4);
        T x0 = t + one, x2 = one - t, x3 = ts.FromInt(2) - t;
        T three = ts.FromInt(3), two = ts.FromInt(2);
        return new Cubic4<T>
        {
            W0 = (three * a * x0 - ts.FromInt(10) * a) * x0 + ts.FromInt(8) * a,
            W1 = (three * (a + two) * t - two * (a + three)) * t,
            W2 = -((three * (a + two) * x2 - two * (a + three)) * x2),
            W3 = -((three * a * x3 - ts.FromInt(10) * a) * x3 + ts.FromInt(8) * a),
        };
    }
}

internal struct Cubic4<T> where T : unmanaged
{
    public T W0, W1, W2, W3;
}
