using Framework.Models;

namespace Framework.Examples;

/// <summary>
/// Where two stacked deformable convolutions really look: the N x M effective sampling points of every output
/// location, in image coordinates, from F.PointsCollection, and two independent checks of them.
/// <para>How the op's inputs are built (both layers stride 1, the same padding, so every map is the image's H x W
/// and the op's ratios h/H, w/W are 1). Layer 2's tap n at output (i, j) reads layer 1's output map at
/// <c>q_n = (i, j) + b2_n + o2_n(i, j)</c>, where <c>b_k = (k_i d - p, k_j d - p)</c> is the regular position of
/// tap k relative to the output location (dilation d, padding p) and <c>o2_n</c> the learnt offset. The spec's op
/// adds only offsets to (i, j), so the target offsets are <c>t = o2 + b2</c> (the tap base positions added), which
/// makes its landing point <c>(i + t_y, j + t_x)</c> exactly <c>q_n</c>. Layer 1's output at pixel a reads the
/// image at <c>a + b1_m + o1_m(a)</c>; layer 2 reads that output bilinearly at q_n, so the pair (n, m) reads the
/// image at <c>q_n + b1_m + S(o1_m)(q_n)</c> (S: bilinear interpolation, exact while q_n is inside the map). With
/// the deformable offsets <c>d = o1</c> the op returns <c>p = S(o1_m)(q_n) + t_n</c>, so the image point is
/// <c>(i, j) + p + b1_m</c>: b1 is added after the op, not folded into d, because S would scale a constant in d
/// by less than 1 where q_n is near the border.</para>
/// </summary>
public static class DcnPoints
{
    /// <summary>The regular tap positions of a layer relative to its output location, (1, 2K, 1, 1): channel 2k = k_i d_H - p_H, 2k + 1 = k_j d_W - p_W.</summary>
    public static Tensor TapBase(DeformConv2d layer, DType dtype = DType.Float32, Device? device = null)
    {
        var (k, d, p) = (layer.KernelSize, layer.Dilation, layer.Padding);
        var v = new double[2 * k.H * k.W];
        for (int ki = 0; ki < k.H; ki++)
            for (int kj = 0; kj < k.W; kj++)
            {
                v[2 * (ki * k.W + kj)] = ki * d.H - p.H;
                v[2 * (ki * k.W + kj) + 1] = kj * d.W - p.W;
            }
        return Tensor.FromArray(v, new Shape(1, v.Length, 1, 1)).To(dtype).ToDevice(device ?? Device.Cpu);
    }

    /// <summary>
    /// The effective points (B, 2 N M, H, W) of layer2 over layer1 from their offsets (B, 2N, H, W) and (B, 2M, H, W):
    /// channel 2(n M + m) is the image row y, 2(n M + m) + 1 the column x, of layer-2 tap n through layer-1 tap m.
    /// </summary>
    public static Tensor Effective(DeformConv2d layer1, DeformConv2d layer2, Tensor offsets1, Tensor offsets2)
    {
        foreach (var l in new[] { layer1, layer2 })
            if (l.Stride != new Pair(1, 1) || l.OffsetGroups != 1)
                throw new ArgumentException($"DcnPoints: needs stride-1 layers with one offset group, got {l.Repr()}");
        if (offsets1.Shape[2] != offsets2.Shape[2] || offsets1.Shape[3] != offsets2.Shape[3])
            throw new ArgumentException($"DcnPoints: both layers must keep the map size (same padding), got offsets {offsets1.Shape} and {offsets2.Shape}");
        int b = offsets1.Shape[0], h = offsets1.Shape[2], w = offsets1.Shape[3];
        int n = layer2.KernelPoints, m = layer1.KernelPoints;
        var t = offsets2 + TapBase(layer2, offsets2.DType, offsets2.Device);   // q_n - (i, j)
        var p = F.PointsCollection(t, offsets1);                              // t_n + S(o1_m)(q_n)
        var b1 = F.Reshape(TapBase(layer1, p.DType, p.Device), 1, 1, m, 2, 1, 1);
        var grid = F.Reshape(PixelGrid(h, w, p.DType, p.Device), 1, 1, 1, 2, h, w);
        return F.Reshape(F.Reshape(p, b, n, m, 2, h, w) + b1 + grid, b, 2 * n * m, h, w);
    }

    /// <summary>(2, H, W): channel 0 the row index i, channel 1 the column index j.</summary>
    private static Tensor PixelGrid(int h, int w, DType dtype, Device device)
    {
        var v = new double[2 * h * w];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                v[i * w + j] = i;
                v[h * w + i * w + j] = j;
            }
        return Tensor.FromArray(v, new Shape(2, h, w)).To(dtype).ToDevice(device);
    }

    /// <summary>
    /// The test reference of the op, composed from grid_sample (align_corners=True, zeros) as PyTorch's benchmark
    /// does: S(d) read at ((i + y) r_h, (j + x) r_w), scaled back by 1 / r, plus t. Needs h, w > 1.
    /// </summary>
    public static Tensor Composed(Tensor t, Tensor d)
    {
        int b = t.Shape[0], n = t.Shape[1] / 2, bigH = t.Shape[2], bigW = t.Shape[3];
        int m = d.Shape[1] / 2, h = d.Shape[2], w = d.Shape[3];
        double rh = (double)h / bigH, rw = (double)w / bigW;
        var grid = PixelGrid(bigH, bigW, t.DType, t.Device);
        var y = F.Slice(t, 1, 0, null, 2);
        var x = F.Slice(t, 1, 1, null, 2);
        var gx = (F.Narrow(grid, 0, 1, 1) + x) * (rw * 2.0 / (w - 1)) - 1;
        var gy = (F.Narrow(grid, 0, 0, 1) + y) * (rh * 2.0 / (h - 1)) - 1;
        var s = F.GridSample(d, F.Reshape(F.Stack([gx, gy], 4), b, n * bigH, bigW, 2), "bilinear", "zeros", alignCorners: true);
        s = F.Permute(F.Reshape(s, b, m, 2, n, bigH, bigW), 0, 3, 1, 2, 4, 5);   // (b, n, m, 2, H, W)
        var scale = F.Reshape(Tensor.FromArray(new[] { 1 / rh, 1 / rw }).To(t.DType).ToDevice(t.Device), 1, 1, 1, 2, 1, 1);
        var yx = F.Reshape(F.Stack([y, x], 2), b, n, 1, 2, bigH, bigW);
        return F.Reshape(s * scale + yx, b, 2 * n * m, bigH, bigW);
    }

    /// <summary>
    /// The physical check: runs the two deformable convolutions themselves, with the given offsets and one-hot
    /// kernels (layer 1: output channel m copies tap m; layer 2, grouped: channel m n copies tap n of channel m),
    /// on ramp images f(y, x) = y and f(y, x) = x. Bilinear reads of a linear function are exact, so each output is
    /// the coordinate the stack really reads for pair (n, m). A ones image marks the pairs whose reads all fall
    /// inside (output exactly 1): zero padding makes the others meaningless. Returns the largest difference to
    /// <paramref name="points"/> (pixels) over those pairs, and how many pairs were compared, of how many.
    /// </summary>
    public static (double MaxDiff, long Compared, long Total) Probe(DeformConv2d layer1, DeformConv2d layer2, Tensor offsets1, Tensor offsets2, Tensor points)
    {
        using var _ = Autograd.NoGrad();
        int b = offsets1.Shape[0], h = offsets1.Shape[2], w = offsets1.Shape[3];
        int n = layer2.KernelPoints, m = layer1.KernelPoints;
        var o1 = offsets1.ToDevice(Device.Cpu).To(DType.Float64);
        var o2 = offsets2.ToDevice(Device.Cpu).To(DType.Float64);
        var w1 = OneHot(m, 1, layer1.KernelSize);        // (M, 1, kH, kW)
        var w2 = OneHot(n, m, layer2.KernelSize);        // (M N, 1, kH, kW), groups M: channel m N + n reads channel m
        double[] Read(Tensor image)
        {
            var y1 = F.DeformConv2d(image, o1, w1, null, 1, layer1.Padding, layer1.Dilation);
            return F.DeformConv2d(y1, o2, w2, null, 1, layer2.Padding, layer2.Dilation).ToDoubleArray();   // (B, M N, H, W)
        }
        var grid = PixelGrid(h, w, DType.Float64, Device.Cpu);
        var zero = Tensor.Zeros(new Shape(b, 1, h, w), DType.Float64);
        var rows = Read(zero + F.Narrow(grid, 0, 0, 1));
        var cols = Read(zero + F.Narrow(grid, 0, 1, 1));
        var ones = Read(zero + 1);
        var pts = points.ToDevice(Device.Cpu).ToDoubleArray();
        double max = 0;
        long compared = 0, plane = (long)h * w;
        for (int bi = 0; bi < b; bi++)
            for (int mi = 0; mi < m; mi++)
                for (int ni = 0; ni < n; ni++)
                    for (long l = 0; l < plane; l++)
                    {
                        long probe = (((long)bi * m + mi) * n + ni) * plane + l;
                        if (Math.Abs(ones[probe] - 1) > 1e-9) continue;
                        long pair = ((long)bi * n * m + ni * m + mi) * 2 * plane + l;
                        max = Math.Max(max, Math.Max(Math.Abs(rows[probe] - pts[pair]), Math.Abs(cols[probe] - pts[pair + plane])));
                        compared++;
                    }
        return (max, compared, (long)b * m * n * plane);
    }

    private static Tensor OneHot(int points, int groupsOf, Pair kernel)
    {
        var v = new double[groupsOf * points * kernel.H * kernel.W];
        for (int g = 0; g < groupsOf; g++)
            for (int k = 0; k < points; k++) v[(g * points + k) * points + k] = 1;
        return Tensor.FromArray(v, new Shape(groupsOf * points, 1, kernel.H, kernel.W));
    }
}
