using System.Numerics;
using ILGPU;

namespace Framework;

/// <summary>
/// ILGPU kernels of deform_conv2d, direct and simple: the sampled columns (one thread per column element) are
/// materialised in device memory, the forward and weight gradient are one thread per output / weight element
/// over them, dcols = W^T dy one thread per column element, the input gradient scatters with atomics (ILGPU's
/// atomics are per type: one float and one double kernel), and the offset and mask gradients are one thread per
/// (image, offset group, kernel point, position) looping over the group's channels. The sample-point rules are
/// DeformPoint's, shared with the CPU.
/// </summary>
internal static class DeformGpu
{
    public static void Forward<T, TI>(DeformGeometry g, Tensor x, Tensor offset, Tensor? mask, Tensor w, Tensor? bias, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        using var cols = Columns<T, TI>(g, x, offset, mask);
        var b = bias ?? Tensor.Zeros(new Shape(g.O), x.DType, x.Device);
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, DeformGeometry>(Gpu.Acc(x), ForwardKernel<T>)(
            Gpu.Int(y.Numel), cols.View<T>(), w.View<T>(), b.View<T>(), y.View<T>(), g);
        if (bias is null) b.Dispose();
    }

    public static void Backward<T, TI>(DeformGeometry g, Tensor dy, Tensor x, Tensor offset, Tensor? mask, Tensor w, DeformGrads grads)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        var acc = Gpu.Acc(x);
        var maskView = (mask ?? offset).View<T>();   // read only when g.UseMask
        long colElems = (long)g.N * g.C * g.KK * g.L;
        if (grads.Input is not null || grads.Offset is not null || grads.Mask is not null)
        {
            using var dcols = Tensor.Empty(new Shape(g.N, g.C * g.KK, g.L), x.DType, x.Device);
            KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, DeformGeometry>(acc, DColsKernel<T>)(
                Gpu.Int(colElems), w.View<T>(), dy.View<T>(), dcols.View<T>(), g);
            if (grads.Input is { } dx)
            {
                if (typeof(T) == typeof(float))
                    KernelCache.Get<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DeformGeometry>(acc, InputGradKernelF)(
                        Gpu.Int(colElems), offset.View<float>(), (mask ?? offset).View<float>(), dcols.View<float>(), dx.View<float>(), g);
                else
                    KernelCache.Get<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, DeformGeometry>(acc, InputGradKernelD)(
                        Gpu.Int(colElems), offset.View<double>(), (mask ?? offset).View<double>(), dcols.View<double>(), dx.View<double>(), g);
            }
            if (grads.Offset is not null || grads.Mask is not null)
            {
                var dOffset = grads.Offset ?? Tensor.Zeros(offset.Shape, x.DType, x.Device);
                var dMask = grads.Mask ?? dOffset;   // written only when g.UseMask and the mask wants a gradient
                var coords = g with { UseMask = g.UseMask != 0 && grads.Mask is not null ? 2 : g.UseMask };
                KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, DeformGeometry>(acc, CoordGradKernel<T, TI>)(
                    Gpu.Int((long)g.N * g.OffsetGroups * g.KK * g.L), x.View<T>(), offset.View<T>(), maskView, dcols.View<T>(), dOffset.View<T>(), dMask.View<T>(), coords);
                if (grads.Offset is null) dOffset.Dispose();
            }
        }
        if (grads.Weight is { } dw)
        {
            using var cols = Columns<T, TI>(g, x, offset, mask);
            KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, DeformGeometry>(acc, WeightGradKernel<T>)(
                Gpu.Int(dw.Numel), dy.View<T>(), cols.View<T>(), dw.View<T>(), g);
        }
    }

    /// <summary>The sampled columns (N, C KH KW, OH OW), mask applied.</summary>
    private static Tensor Columns<T, TI>(DeformGeometry g, Tensor x, Tensor offset, Tensor? mask)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        var cols = Tensor.Empty(new Shape(g.N, g.C * g.KK, g.L), x.DType, x.Device);
        KernelCache.Get<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, DeformGeometry>(Gpu.Acc(x), ColumnsKernel<T, TI>)(
            Gpu.Int(cols.Numel), x.View<T>(), offset.View<T>(), (mask ?? offset).View<T>(), cols.View<T>(), g);
        return cols;
    }

    /// <summary>Sample point of kernel point k, offset group og, image n, output position l.</summary>
    private static DeformPoint<T> Point<T, TI>(ArrayView<T> offset, DeformGeometry g, int n, int og, int k, int l)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        var ops = default(TI);
        long oy = DeformLayout.OffsetY(g, n, og, k, l);
        T y = ops.FromInt(DeformLayout.BaseY(g, l / g.OW, k / g.KW)) + offset[oy];
        T x = ops.FromInt(DeformLayout.BaseX(g, l % g.OW, k % g.KW)) + offset[oy + g.L];
        return DeformPoint<T>.Locate<TI>(y, x, g.H, g.W);
    }

    private static T MaskAt<T>(ArrayView<T> mask, DeformGeometry g, int n, int og, int k, int l) where T : unmanaged, IFloatingPointIeee754<T> =>
        g.UseMask != 0 ? mask[DeformLayout.Mask(g, n, og, k, l)] : T.One;

    private static T Value<T>(ArrayView<T> x, long plane, DeformPoint<T> p) where T : unmanaged, IFloatingPointIeee754<T> =>
        p.U00 * x[plane + p.I00] + p.U01 * x[plane + p.I01] + p.U10 * x[plane + p.I10] + p.U11 * x[plane + p.I11];

    private static void ColumnsKernel<T, TI>(Index1D i, ArrayView<T> x, ArrayView<T> offset, ArrayView<T> mask, ArrayView<T> cols, DeformGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        int rows = g.C * g.KH * g.KW;
        int l = (int)(i % g.L), row = (int)(i / g.L % rows), n = (int)(i / ((long)g.L * rows));
        int c = row / (g.KH * g.KW), k = row % (g.KH * g.KW), og = c / (g.C / g.OffsetGroups);
        var p = Point<T, TI>(offset, g, n, og, k, l);
        cols[i] = MaskAt(mask, g, n, og, k, l) * Value(x, ((long)n * g.C + c) * g.H * g.W, p);
    }

    private static void ForwardKernel<T>(Index1D i, ArrayView<T> cols, ArrayView<T> w, ArrayView<T> b, ArrayView<T> y, DeformGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kRows = g.C / g.Groups * g.KH * g.KW;
        int l = (int)(i % g.L), o = (int)(i / g.L % g.O), n = (int)(i / ((long)g.L * g.O)), grp = o / (g.O / g.Groups);
        long colBase = ((long)n * g.C * g.KH * g.KW + (long)grp * kRows) * g.L + l;
        T s = T.Zero;
        for (int r = 0; r < kRows; r++) s += w[(long)o * kRows + r] * cols[colBase + (long)r * g.L];
        y[i] = s + b[o];
    }

    private static void DColsKernel<T>(Index1D i, ArrayView<T> w, ArrayView<T> dy, ArrayView<T> dcols, DeformGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = g.C * g.KH * g.KW, kRows = g.C / g.Groups * g.KH * g.KW, og = g.O / g.Groups;
        int l = (int)(i % g.L), row = (int)(i / g.L % rows), n = (int)(i / ((long)g.L * rows));
        int grp = row / kRows, r = row % kRows;
        T s = T.Zero;
        for (int o = grp * og; o < (grp + 1) * og; o++) s += w[(long)o * kRows + r] * dy[((long)n * g.O + o) * g.L + l];
        dcols[i] = s;
    }

    private static void InputGradKernelF(Index1D i, ArrayView<float> offset, ArrayView<float> mask, ArrayView<float> dcols, ArrayView<float> dx, DeformGeometry g)
    {
        int rows = g.C * g.KH * g.KW;
        int l = (int)(i % g.L), row = (int)(i / g.L % rows), n = (int)(i / ((long)g.L * rows));
        int c = row / (g.KH * g.KW), k = row % (g.KH * g.KW), og = c / (g.C / g.OffsetGroups);
        var p = Point<float, FloatIndex32>(offset, g, n, og, k, l);
        float mg = MaskAt(mask, g, n, og, k, l) * dcols[i];
        long plane = ((long)n * g.C + c) * g.H * g.W;
        if (p.U00 != 0) Atomic.Add(ref dx[plane + p.I00], mg * p.U00);
        if (p.U01 != 0) Atomic.Add(ref dx[plane + p.I01], mg * p.U01);
        if (p.U10 != 0) Atomic.Add(ref dx[plane + p.I10], mg * p.U10);
        if (p.U11 != 0) Atomic.Add(ref dx[plane + p.I11], mg * p.U11);
    }

    private static void InputGradKernelD(Index1D i, ArrayView<double> offset, ArrayView<double> mask, ArrayView<double> dcols, ArrayView<double> dx, DeformGeometry g)
    {
        int rows = g.C * g.KH * g.KW;
        int l = (int)(i % g.L), row = (int)(i / g.L % rows), n = (int)(i / ((long)g.L * rows));
        int c = row / (g.KH * g.KW), k = row % (g.KH * g.KW), og = c / (g.C / g.OffsetGroups);
        var p = Point<double, FloatIndex64>(offset, g, n, og, k, l);
        double mg = MaskAt(mask, g, n, og, k, l) * dcols[i];
        long plane = ((long)n * g.C + c) * g.H * g.W;
        if (p.U00 != 0) Atomic.Add(ref dx[plane + p.I00], mg * p.U00);
        if (p.U01 != 0) Atomic.Add(ref dx[plane + p.I01], mg * p.U01);
        if (p.U10 != 0) Atomic.Add(ref dx[plane + p.I10], mg * p.U10);
        if (p.U11 != 0) Atomic.Add(ref dx[plane + p.I11], mg * p.U11);
    }

    /// <summary>Offset gradient (and, when g.UseMask == 2, mask gradient) of one sample point, summed over its group's channels.</summary>
    private static void CoordGradKernel<T, TI>(Index1D i, ArrayView<T> x, ArrayView<T> offset, ArrayView<T> mask, ArrayView<T> dcols,
        ArrayView<T> dOffset, ArrayView<T> dMask, DeformGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T> where TI : struct, IFloatIndex<T>
    {
        int kk = g.KH * g.KW, cpo = g.C / g.OffsetGroups;
        int l = (int)(i % g.L), k = (int)(i / g.L % kk), og = (int)(i / ((long)g.L * kk) % g.OffsetGroups), n = (int)(i / ((long)g.L * kk * g.OffsetGroups));
        var p = Point<T, TI>(offset, g, n, og, k, l);
        T m = MaskAt(mask, g, n, og, k, l), one = T.One;
        T gy = T.Zero, gx = T.Zero, gm = T.Zero;
        for (int c = og * cpo; c < (og + 1) * cpo; c++)
        {
            long plane = ((long)n * g.C + c) * g.H * g.W;
            T gcol = dcols[(((long)n * g.C + c) * kk + k) * g.L + l];
            T v00 = p.E00 * x[plane + p.I00], v01 = p.E01 * x[plane + p.I01], v10 = p.E10 * x[plane + p.I10], v11 = p.E11 * x[plane + p.I11];
            T val = p.U00 * v00 + p.U01 * v01 + p.U10 * v10 + p.U11 * v11;
            T mg = m * gcol;
            gm += gcol * val;
            gy += mg * ((one - p.Lx) * (v10 - v00) + p.Lx * (v11 - v01));
            gx += mg * ((one - p.Ly) * (v01 - v00) + p.Ly * (v11 - v10));
        }
        long oy = DeformLayout.OffsetY(g, n, og, k, l);
        dOffset[oy] = gy;
        dOffset[oy + g.L] = gx;
        if (g.UseMask == 2) dMask[DeformLayout.Mask(g, n, og, k, l)] = gm;
    }

    private static void WeightGradKernel<T>(Index1D i, ArrayView<T> dy, ArrayView<T> cols, ArrayView<T> dw, DeformGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kRows = g.C / g.Groups * g.KH * g.KW;
        int o = (int)(i / kRows), r = (int)(i % kRows), grp = o / (g.O / g.Groups);
        T s = T.Zero;
        for (int n = 0; n < g.N; n++)
        {
            long colBase = ((long)n * g.C * g.KH * g.KW + (long)grp * kRows + r) * g.L, dyBase = ((long)n * g.O + o) * g.L;
            for (int l = 0; l < g.L; l++) s += dy[dyBase + l] * cols[colBase + l];
        }
        dw[i] = s;
    }
}
