namespace Framework.Tests;

/// <summary>
/// deform_conv2d written a second time, plainly, element by element from torchvision's CPU kernel
/// (torchvision/csrc/ops/cpu/deform_conv2d_kernel.cpp): bilinear_interpolate, deformable_col2im with its
/// truncating int() neighbourhood, get_coordinate_weight and the per-group products. An independent test
/// reference for Framework's table-driven kernels; float64 only.
/// </summary>
internal static class DeformConv2dReference
{
    public sealed record Result(double[] Output, double[] Input, double[] Offset, double[] Mask, double[] Weight, double[] Bias);

    /// <summary>The output and d(sum(output * upstream))/d every input.</summary>
    public static Result Run(Catalog.DeformCase c, double[] x, double[] offset, double[] w, double[]? b, double[]? mask, double[] upstream)
    {
        int kk = c.KH * c.KW, cg = c.C / c.Groups, og = c.O / c.Groups, k = cg * kk, l = c.OH * c.OW, cpo = c.C / c.OffsetGroups;
        var cols = new double[c.N, c.C * kk, l];
        var dcols = new double[c.N, c.C * kk, l];
        var y = new double[c.N * c.O * l];
        var gx = new double[x.Length];
        var goff = new double[offset.Length];
        var gmask = new double[mask?.Length ?? 0];
        var gw = new double[w.Length];
        var gb = new double[c.O];
        for (int n = 0; n < c.N; n++)
            for (int ch = 0; ch < c.C; ch++)
                for (int p = 0; p < kk; p++)
                    for (int q = 0; q < l; q++)
                    {
                        var (yy, xx, m) = Point(c, offset, mask, n, ch / cpo, p, q);
                        cols[n, ch * kk + p, q] = m * Bilinear(x, Plane(c, n, ch), c.H, c.W, yy, xx);
                    }
        for (int n = 0; n < c.N; n++)
            for (int o = 0; o < c.O; o++)
                for (int q = 0; q < l; q++)
                {
                    int grp = o / og;
                    double s = 0, u = upstream[(n * c.O + o) * l + q];
                    for (int r = 0; r < k; r++)
                    {
                        s += w[o * k + r] * cols[n, grp * k + r, q];
                        dcols[n, grp * k + r, q] += w[o * k + r] * u;
                        gw[o * k + r] += u * cols[n, grp * k + r, q];
                    }
                    y[(n * c.O + o) * l + q] = s + (b is null ? 0 : b[o]);
                    gb[o] += u;
                }
        for (int n = 0; n < c.N; n++)
            for (int ch = 0; ch < c.C; ch++)
                for (int p = 0; p < kk; p++)
                    for (int q = 0; q < l; q++)
                    {
                        int grp = ch / cpo;
                        var (yy, xx, m) = Point(c, offset, mask, n, grp, p, q);
                        double col = dcols[n, ch * kk + p, q];
                        // deformable_col2im_kernel: the 3 x 3 neighbourhood of the truncated position
                        for (int dy = -1; dy <= 1; dy++)
                            for (int dx = -1; dx <= 1; dx++)
                            {
                                int yp = (int)yy + dy, xp = (int)xx + dx;
                                if (0 <= yp && yp < c.H && 0 <= xp && xp < c.W && Math.Abs(yy - yp) < 1 && Math.Abs(xx - xp) < 1)
                                    gx[Plane(c, n, ch) + yp * c.W + xp] += m * (1 - Math.Abs(yy - yp)) * (1 - Math.Abs(xx - xp)) * col;
                            }
                        long oy = (((long)n * c.OffsetGroups + grp) * 2 * kk + 2 * p) * l + q;
                        goff[oy] += m * CoordinateWeight(x, Plane(c, n, ch), c.H, c.W, yy, xx, yDirection: true) * col;
                        goff[oy + l] += m * CoordinateWeight(x, Plane(c, n, ch), c.H, c.W, yy, xx, yDirection: false) * col;
                        if (mask is not null)
                            gmask[(((long)n * c.OffsetGroups + grp) * kk + p) * l + q] += col * Bilinear(x, Plane(c, n, ch), c.H, c.W, yy, xx);
                    }
        return new Result(y, gx, goff, gmask, gw, gb);
    }

    private static long Plane(Catalog.DeformCase c, int n, int ch) => ((long)n * c.C + ch) * c.H * c.W;

    private static (double Y, double X, double Mask) Point(Catalog.DeformCase c, double[] offset, double[]? mask, int n, int grp, int p, int q)
    {
        int kk = c.KH * c.KW, l = c.OH * c.OW, i = p / c.KW, j = p % c.KW, oh = q / c.OW, ow = q % c.OW;
        long oy = (((long)n * c.OffsetGroups + grp) * 2 * kk + 2 * p) * l + q;
        double m = mask is null ? 1 : mask[(((long)n * c.OffsetGroups + grp) * kk + p) * l + q];
        return (oh * c.SH - c.PH + i * c.DH + offset[oy], ow * c.SW - c.PW + j * c.DW + offset[oy + l], m);
    }

    private static double At(double[] x, long plane, int h, int w, int yi, int xi) =>
        0 <= yi && yi < h && 0 <= xi && xi < w ? x[plane + yi * w + xi] : 0;

    private static double Bilinear(double[] x, long plane, int h, int w, double y, double xx)
    {
        if (y <= -1 || h <= y || xx <= -1 || w <= xx) return 0;
        int yl = (int)Math.Floor(y), xl = (int)Math.Floor(xx);
        double ly = y - yl, lx = xx - xl, hy = 1 - ly, hx = 1 - lx;
        return hy * hx * At(x, plane, h, w, yl, xl) + hy * lx * At(x, plane, h, w, yl, xl + 1)
             + ly * hx * At(x, plane, h, w, yl + 1, xl) + ly * lx * At(x, plane, h, w, yl + 1, xl + 1);
    }

    private static double CoordinateWeight(double[] x, long plane, int h, int w, double y, double xx, bool yDirection)
    {
        if (!(y > -2 && y < h + 1 && xx > -2 && xx < w + 1)) return 0;   // every corner outside (keeps floor in int range)
        int yl = (int)Math.Floor(y), xl = (int)Math.Floor(xx);
        double vyx = At(x, plane, h, w, yl, xl), vyX = At(x, plane, h, w, yl, xl + 1), vYx = At(x, plane, h, w, yl + 1, xl), vYX = At(x, plane, h, w, yl + 1, xl + 1);
        return yDirection
            ? (xx - xl) * (vYX - vyX) + (1 - (xx - xl)) * (vYx - vyx)
            : (y - yl) * (vYX - vYx) + (1 - (y - yl)) * (vyX - vyx);
    }
}
