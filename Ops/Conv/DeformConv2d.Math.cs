using System.Numerics;

namespace Framework;

/// <summary>
/// What generic kernel code cannot say with T arithmetic alone (ILGPU compiles no <c>T.CreateTruncating</c>):
/// int to T and an integral T to int, one struct per float type.
/// </summary>
internal interface IFloatIndex<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T FromInt(int v);

    /// <summary>An integral value (a floor) in int range as an int.</summary>
    int ToInt(T v);
}

internal readonly struct FloatIndex32 : IFloatIndex<float>
{
    public float FromInt(int v) => v;
    public int ToInt(float v) => (int)v;
}

internal readonly struct FloatIndex64 : IFloatIndex<double>
{
    public double FromInt(int v) => v;
    public int ToInt(double v) => (int)v;
}

/// <summary>
/// One bilinear sample point of deform_conv2d in an H x W plane, with torchvision's rules
/// (torchvision/csrc/ops/cpu/deform_conv2d_kernel.cpp):
/// - the value (bilinear_interpolate) is zero unless -1 &lt; y &lt; H and -1 &lt; x &lt; W; inside, the four corners of the
///   cell [floor(y), floor(y) + 1] x [floor(x), floor(x) + 1] weigh (1 - ly)(1 - lx), (1 - ly) lx, ly (1 - lx), ly lx
///   (ly = y - floor(y), lx = x - floor(x)) and corners outside the image read zero;
/// - the coordinate gradient (get_coordinate_weight) differentiates the same floor cell with no (-1, H) cut-off:
///   d/dy = (1 - lx)(v10 - v00) + lx (v11 - v01), d/dx = (1 - ly)(v01 - v00) + ly (v11 - v10), corners outside
///   reading zero. At an integer y it is the derivative from above (the floor rule), e.g. at y = -1 it is v10.
/// Corners: 00 = (floor y, floor x), 01 = (floor y, floor x + 1), 10 = (floor y + 1, floor x), 11 = both + 1.
/// A NaN coordinate gives NaN weights (NaN output, as torchvision's arithmetic does).
/// </summary>
internal struct DeformPoint<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Plane offsets of the corners (0 for a corner outside the image, whose E and U are then 0).</summary>
    public int I00, I01, I10, I11;
    /// <summary>1 for a corner inside the image, else 0: the coordinate gradient reads v = E x[I].</summary>
    public T E00, E01, E10, E11;
    /// <summary>The value's bilinear weights: zero outside (-1, H) x (-1, W) and for corners outside the image.</summary>
    public T U00, U01, U10, U11;
    public T Ly, Lx;

    public static DeformPoint<T> Locate<TI>(T y, T x, int h, int w) where TI : struct, IFloatIndex<T>
    {
        var ops = default(TI);
        var p = default(DeformPoint<T>);
        T one = T.One, minusOne = -one, minusTwo = minusOne - one, hT = ops.FromInt(h), wT = ops.FromInt(w);
        if (T.IsNaN(y) || T.IsNaN(x))
        {
            T nan = T.IsNaN(y) ? y : x;
            p.U00 = nan; p.U01 = nan; p.U10 = nan; p.U11 = nan; p.Ly = nan; p.Lx = nan;
            return p;
        }
        // no corner of the floor cell touches the image: value and coordinate gradient are zero (this also keeps
        // floor() of infinite or huge coordinates away from the int conversion)
        if (!(y > minusTwo && y < hT && x > minusTwo && x < wT)) return p;
        T fy = T.Floor(y), fx = T.Floor(x);
        int yl = ops.ToInt(fy), xl = ops.ToInt(fx);
        T ly = y - fy, lx = x - fx, hy = one - ly, hx = one - lx;
        p.Ly = ly;
        p.Lx = lx;
        bool y0 = yl >= 0, y1 = yl + 1 >= 0 && yl + 1 < h, x0 = xl >= 0, x1 = xl + 1 >= 0 && xl + 1 < w;
        bool inside = y > minusOne && y < hT && x > minusOne && x < wT;
        if (y0 && x0) { p.I00 = yl * w + xl; p.E00 = one; if (inside) p.U00 = hy * hx; }
        if (y0 && x1) { p.I01 = yl * w + xl + 1; p.E01 = one; if (inside) p.U01 = hy * lx; }
        if (y1 && x0) { p.I10 = (yl + 1) * w + xl; p.E10 = one; if (inside) p.U10 = ly * hx; }
        if (y1 && x1) { p.I11 = (yl + 1) * w + xl + 1; p.E11 = one; if (inside) p.U11 = ly * lx; }
        return p;
    }
}

/// <summary>Index arithmetic of the offset and mask layouts, shared by the CPU and ILGPU kernels.</summary>
internal static class DeformLayout
{
    /// <summary>Flat index of the y offset of kernel point k, offset group og, image n, output position l (x: + L).</summary>
    public static long OffsetY(DeformGeometry g, int n, int og, int k, int l) =>
        (((long)n * g.OffsetGroups + og) * 2 * g.KK + 2 * k) * g.L + l;

    /// <summary>Flat index of the mask of kernel point k, offset group og, image n, output position l.</summary>
    public static long Mask(DeformGeometry g, int n, int og, int k, int l) =>
        (((long)n * g.OffsetGroups + og) * g.KK + k) * g.L + l;

    /// <summary>The undeformed sampling row of kernel row ki at output row oh: oh sH - pH + ki dH.</summary>
    public static int BaseY(DeformGeometry g, int oh, int ki) => oh * g.SH - g.PH + ki * g.DH;

    public static int BaseX(DeformGeometry g, int ow, int kj) => ow * g.SW - g.PW + kj * g.DW;
}
