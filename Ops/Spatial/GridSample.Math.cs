using System.Numerics;
using System.Runtime.CompilerServices;

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
/// One input axis of grid_sample, its constants computed once: the unnormalisation u = ((x + 1) A - B) C, which
/// reproduces PyTorch's rounding for each case (2-D kernel: (x + 1) size/2 - 1/2, 3-D kernel: ((x + 1) size - 1) / 2,
/// align_corners: (x + 1) (size - 1)/2), and the clip and reflection bounds.
/// </summary>
internal struct GridAxis<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Size;
    public int Padding;
    public T A, B, C;        // unnormalisation
    public T Scale;          // du/dx = A C
    public T Max;            // size - 1, the clip bound
    public T Low, TwiceSpan; // reflection about [Low, Low + TwiceSpan / 2]
    public int NoSpan;       // align_corners with one pixel: every reflected coordinate is 0

    public static GridAxis<T> Of<TS>(int size, GridSampleArgs a, TS ts) where TS : struct, IScalarOps<T>
    {
        T one = T.One, two = one + one, half = one / two;
        var g = new GridAxis<T> { Size = size, Padding = a.Padding, Max = ts.FromInt(size - 1) };
        if (a.AlignCorners != 0) { g.A = ts.FromInt(size - 1) / two; g.B = T.Zero; g.C = one; }
        else if (a.Volumetric != 0) { g.A = ts.FromInt(size); g.B = one; g.C = half; }
        else { g.A = ts.FromInt(size) / two; g.B = half; g.C = one; }
        g.Scale = g.A * g.C;
        g.Low = a.AlignCorners != 0 ? T.Zero : -half;
        g.TwiceSpan = a.AlignCorners != 0 ? ts.FromInt(size - 1) * two : ts.FromInt(size) * two;
        g.NoSpan = a.AlignCorners != 0 && size <= 1 ? 1 : 0;
        return g;
    }
}

/// <summary>
/// PyTorch's grid_sample coordinate rules (aten/src/ATen/native/GridSampler.h and cpu/GridSamplerKernel.cpp),
/// written once in T arithmetic so the CPU loops and the ILGPU kernels share them. Pixel coordinates:
/// align_corners=True puts -1 and +1 on the centres of the corner pixels, False on their outer edges.
/// </summary>
internal static class GridSampleMath
{
    public const int Bilinear = 0, Nearest = 1, Bicubic = 2;
    public const int Zeros = 0, Border = 1, Reflection = 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Unnormalize<T>(T x, in GridAxis<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        ((x + T.One) * g.A - g.B) * g.C;

    /// <summary>Clamps to [0, size - 1]; NaN becomes 0 (PyTorch orders its clamp so NaN clamps to zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Clip<T>(T x, in GridAxis<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        x > T.Zero ? (x < g.Max ? x : g.Max) : T.Zero;

    /// <summary>Clip with its derivative: 0 on and beyond the borders ("borders are considered out of bounds").</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ClipGrad<T>(T x, in GridAxis<T> g, ref T grad) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x <= T.Zero) { grad = T.Zero; return T.Zero; }
        if (x >= g.Max) { grad = T.Zero; return g.Max; }
        return x;
    }

    /// <summary>Reflects into [Low, Low + span]; grad flips sign with each reflection (reflect_coordinates_get_grad).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Reflect<T>(T x, in GridAxis<T> g, ref T grad) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.NoSpan != 0) { grad = T.Zero; return T.Zero; }
        T shifted = x - g.Low;
        T abs = T.Abs(shifted);
        T extra = abs - T.Floor(abs / g.TwiceSpan) * g.TwiceSpan;
        T reflected = g.TwiceSpan - extra;
        bool oneMoreFlip = extra > reflected;
        bool negative = shifted < T.Zero;
        grad = oneMoreFlip != negative ? -grad : grad;
        return (oneMoreFlip ? reflected : extra) + g.Low;
    }

    /// <summary>Padding applied to a pixel coordinate (PyTorch's compute_coordinates); zeros leaves it alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Pad<T>(T u, in GridAxis<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Padding == Border) return Clip(u, g);
        if (g.Padding == Reflection)
        {
            T unused = T.One;
            return Clip(Reflect(u, g, ref unused), g);
        }
        return u;
    }

    /// <summary>grid_sampler_compute_source_index: unnormalise, then pad.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Source<T>(T x, in GridAxis<T> g) where T : unmanaged, IFloatingPointIeee754<T> => Pad(Unnormalize(x, g), g);

    /// <summary>The source index with d(index)/d(grid value) in <paramref name="grad"/>: scale x reflection sign x clip mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SourceGrad<T>(T x, in GridAxis<T> g, out T grad) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T d = g.Scale;
        T u = Unnormalize(x, g);
        if (g.Padding == Border) u = ClipGrad(u, g, ref d);
        else if (g.Padding == Reflection) u = ClipGrad(Reflect(u, g, ref d), g, ref d);
        grad = d;
        return u;
    }

    /// <summary>Flat offset of pixel (y, x) in an h x w plane, or -1 outside it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Offset2(int y, int x, int h, int w) => (uint)y < (uint)h && (uint)x < (uint)w ? y * w + x : -1;

    /// <summary>Bicubic tap index along one axis: padding applied to the tap (PyTorch pads each tap), -1 when outside.</summary>
    public static int Tap<T, TS>(T coordinate, in GridAxis<T> g, TS ts) where T : unmanaged, IFloatingPointIeee754<T> where TS : struct, IScalarOps<T>
    {
        int i = ts.ToIndex(Pad(coordinate, g));
        return (uint)i < (uint)g.Size ? i : -1;
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
