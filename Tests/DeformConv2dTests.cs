using CsCheck;
using Framework.Testing;
using Xunit;

namespace Framework.Tests;

/// <summary>
/// deform_conv2d beyond the catalog: the floor rule of its offset gradient at integer sample points (worked by
/// hand, and as the derivative from above), zero offsets as a plain convolution, and agreement with an
/// element-by-element transcription of torchvision's kernel on random cases (integer points included) and on
/// batches large enough for the parallel path.
/// </summary>
public class DeformConv2dTests
{
    // A 3 x 3 image, a 1 x 1 kernel of weight 1: output (oh, ow) is the input sampled at (oh + dy, ow + dx).
    // The nine points: (0, 0) and (1, 1) interior pixels; (-1, 1) and (1, -1) on the borders -1; (0, 2) and (2, 0) on
    // the last column / row; (3, 0) and (-2, 1) outside; (1.5, 0.5) between pixels.
    internal static readonly double[] Image = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    internal static readonly double[] OffsetY = [0, -1, 0, 1, 0.5, 0, 1, -4, -1];
    internal static readonly double[] OffsetX = [0, 0, 0, 0, -0.5, -3, 0, 0, -1];
    internal static readonly double[] MaskValues = [1, 2, 3, 0.5, 2, 1.5, 1, 1, 3];

    // Samples: bilinear_interpolate is zero on the borders -1 and outside; (1.5, 0.5) averages 8, 16, 64, 128.
    internal static readonly double[] Samples = [1, 0, 4, 64, 54, 0, 0, 0, 16];
    // get_coordinate_weight with the floor cell: at integer points the forward difference v(y + 1) - v(y) (corners
    // outside read 0), e.g. at (-1, 1) it is x[0, 1] - 0 = 2, at (2, 0) it is 0 - x[2, 0] = -64; (1.5, 0.5):
    // d/dy = 0.5 (64 - 8) + 0.5 (128 - 16) = 84, d/dx = 0.5 (16 - 8) + 0.5 (128 - 64) = 36.
    internal static readonly double[] SampleGradY = [7, 2, 28, -64, 84, 0, 0, 0, 112];
    internal static readonly double[] SampleGradX = [1, 0, -4, 64, 36, 8, 0, 0, 16];
    // col2im with the mask: (1.5, 0.5) spreads 2 * 0.25 on each of its four pixels
    internal static readonly double[] InputGrad = [1, 0, 3, 0.5, 3.5, 0, 1, 0.5, 0];

    internal static (Tensor X, Tensor Offset, Tensor W, Tensor Mask) WorkedCase(DType dtype, Device device)
    {
        Tensor Make(double[] v, params int[] shape) => Tensor.FromArray(v, shape).ConvertTo(dtype).ToDevice(device).RequiresGrad_();
        return (Make(Image, 1, 1, 3, 3), Make([.. OffsetY, .. OffsetX], 1, 2, 3, 3), Make([1.0], 1, 1, 1, 1), Make(MaskValues, 1, 1, 3, 3));
    }

    internal static void CheckWorkedCase(DType dtype, Device device)
    {
        var (x, off, w, mask) = WorkedCase(dtype, device);
        var y = F.DeformConv2d(x, off, w, mask: mask);
        F.Sum(y).Backward();
        Assert.Equal(Samples.Zip(MaskValues, (s, m) => s * m), y.ToDoubleArray());
        Assert.Equal([.. SampleGradY.Zip(MaskValues, (g, m) => g * m), .. SampleGradX.Zip(MaskValues, (g, m) => g * m)], off.Grad!.ToDoubleArray());
        Assert.Equal(Samples, mask.Grad!.ToDoubleArray());
        Assert.Equal(InputGrad, x.Grad!.ToDoubleArray());
        Assert.Equal([Samples.Zip(MaskValues, (s, m) => s * m).Sum()], w.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Offset_gradient_at_integer_points_follows_torchvisions_floor_rule_worked_by_hand()
    {
        CheckWorkedCase(DType.Float64, Device.Cpu);
        CheckWorkedCase(DType.Float32, Device.Cpu);
    }

    [Fact]
    public void Offset_gradient_at_integer_points_is_the_derivative_from_above()
    {
        const double h = 1.0 / (1 << 20);
        var (x, off, w, mask) = WorkedCase(DType.Float64, Device.Cpu);
        F.Sum(F.DeformConv2d(x, off, w, mask: mask)).Backward();
        var analytic = off.Grad!.ToDoubleArray();
        double Output(double[] o)
        {
            using var _ = Autograd.NoGrad();
            return F.Sum(F.DeformConv2d(x, Tensor.FromArray(o, 1, 2, 3, 3), w, mask: mask)).Item();
        }
        var baseOffsets = off.ToDoubleArray();
        double f0 = Output(baseOffsets);
        for (int i = 0; i < baseOffsets.Length; i++)
        {
            var up = (double[])baseOffsets.Clone();
            up[i] += h;
            // bilinear pieces are linear along one coordinate, so the one-sided difference is exact up to rounding
            Assert.True(Math.Abs((Output(up) - f0) / h - analytic[i]) < 1e-6, $"offset {i}: from above {(Output(up) - f0) / h}, analytic {analytic[i]}");
        }
    }

    [Fact]
    public void Zero_offsets_and_unit_mask_give_conv2d_values_and_gradients()
    {
        var gen = from c in Catalog.DeformCases
                  from x in Gens.Tensor([c.N, c.C, c.H, c.W])
                  from w in Gens.Tensor([c.O, c.C / c.Groups, c.KH, c.KW])
                  from b in Gens.Tensor([c.O])
                  select (c, x, w, b);
        gen.Sample(s =>
        {
            var (c, x, w, b) = s;
            var off = Tensor.Zeros(new Shape(c.OffsetShape), DType.Float64);
            var mask = c.Mask ? Tensor.Ones(new Shape(c.MaskShape), DType.Float64) : null;
            var bias = c.Bias ? b : null;
            var deform = F.DeformConv2d(x, off, w, bias, (c.SH, c.SW), (c.PH, c.PW), (c.DH, c.DW), mask);
            var u = Tensor.Randn(deform.Shape, DType.Float64, new Generator(3));
            var gd = Grads(deform, u, x, w, b);
            var conv = F.Conv2d(x, w, bias, (c.SH, c.SW), (c.PH, c.PW), (c.DH, c.DW), c.Groups);
            var gc = Grads(conv, u, x, w, b);
            GoldenTests.AssertClose($"{c} output", conv, deform, 1e-12);
            for (int i = 0; i < gc.Length; i++)
                if (gc[i] is not null) GoldenTests.AssertClose($"{c} gradient {i}", gc[i]!, gd[i]!, 1e-12);
        }, iter: 30, threads: 1);
    }

    private static Tensor?[] Grads(Tensor y, Tensor u, params Tensor[] inputs)
    {
        foreach (var t in inputs) t.Grad = null;
        y.Backward(u);
        return inputs.Select(t => t.Grad).ToArray();
    }

    /// <summary>Random cases whose offsets are half multiples of 1/2: integer and fractional sample points side by side.</summary>
    internal static Gen<(Catalog.DeformCase C, double[] X, double[] Offset, double[] W, double[] B, double[] Mask)> ReferenceCases(Gen<Catalog.DeformCase> cases) =>
        from c in cases
        from x in Gens.Tensor([c.N, c.C, c.H, c.W])
        from halves in Gen.Int[-7, 7].Array[c.OffsetShape.Aggregate(1, (a, b) => a * b)]
        from fraction in Gens.Tensor(c.OffsetShape, -0.5, 0.5)
        from pick in Gen.Bool.Array[c.OffsetShape.Aggregate(1, (a, b) => a * b)]
        from w in Gens.Tensor([c.O, c.C / c.Groups, c.KH, c.KW])
        from b in Gens.Tensor([c.O])
        from m in Gens.Tensor(c.MaskShape, -1, 2)
        let f = fraction.ToDoubleArray()
        select (c, x.ToDoubleArray(), halves.Select((v, i) => v * 0.5 + (pick[i] ? f[i] : 0)).ToArray(), w.ToDoubleArray(), b.ToDoubleArray(), m.ToDoubleArray());

    internal static void CompareWithReference(Catalog.DeformCase c, double[] x, double[] offset, double[] w, double[] b, double[] m, Device device, DType dtype, double tol)
    {
        Tensor Make(double[] v, int[] shape) => Tensor.FromArray(v, shape).ConvertTo(dtype).ToDevice(device).RequiresGrad_();
        var tx = Make(x, [c.N, c.C, c.H, c.W]);
        var toff = Make(offset, c.OffsetShape);
        var tw = Make(w, [c.O, c.C / c.Groups, c.KH, c.KW]);
        var tb = Make(b, [c.O]);
        var tm = Make(m, c.MaskShape);
        var y = F.DeformConv2d(tx, toff, tw, c.Bias ? tb : null, (c.SH, c.SW), (c.PH, c.PW), (c.DH, c.DW), c.Mask ? tm : null);
        var u = Tensor.Randn(y.Shape, DType.Float64, new Generator(5));
        y.Backward(u.ConvertTo(dtype).ToDevice(device));
        var r = DeformConv2dReference.Run(c, x, offset, w, c.Bias ? b : null, c.Mask ? m : null, u.ToDoubleArray());
        Close($"{c} output", r.Output, y.ToDoubleArray(), tol);
        Close($"{c} input gradient", r.Input, tx.Grad!.ToDoubleArray(), tol);
        Close($"{c} offset gradient", r.Offset, toff.Grad!.ToDoubleArray(), tol);
        Close($"{c} weight gradient", r.Weight, tw.Grad!.ToDoubleArray(), tol);
        if (c.Bias) Close($"{c} bias gradient", r.Bias, tb.Grad!.ToDoubleArray(), tol);
        if (c.Mask) Close($"{c} mask gradient", r.Mask, tm.Grad!.ToDoubleArray(), tol);
    }

    private static void Close(string what, double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what} at {i}: reference {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void Matches_torchvisions_kernel_transcribed_on_random_cases_with_integer_points()
    {
        ReferenceCases(Catalog.DeformCases).Sample(s => CompareWithReference(s.C, s.X, s.Offset, s.W, s.B, s.Mask, Device.Cpu, DType.Float64, 1e-12),
            iter: 40, threads: 1, print: s => s.C.ToString());
    }

    [Fact]
    public void Matches_torchvisions_kernel_transcribed_on_sizes_that_run_in_parallel()
    {
        // a batch of 4 runs images on both cores; a lone image spreads its forward columns over them
        var big = from lone in Gen.Bool
                  from groups in Gen.Int[1, 2]
                  from offsetGroups in Gen.Int[1, 2]
                  from mask in Gen.Bool
                  from stride in Gen.Int[1, 2]
                  select new Catalog.DeformCase(lone ? 1 : 4, 8, 6, groups, offsetGroups, 3, 3, stride, stride, 1, 1, 1, 1, 13, 12, true, mask);
        ReferenceCases(big).Sample(s => CompareWithReference(s.C, s.X, s.Offset, s.W, s.B, s.Mask, Device.Cpu, DType.Float64, 1e-12),
            iter: 8, threads: 1, print: s => s.C.ToString());
    }

    [Fact]
    public void Empty_batch_and_empty_planes_give_the_bias()
    {
        var y = F.DeformConv2d(Tensor.Zeros(new Shape(0, 2, 4, 4), DType.Float64), Tensor.Zeros(new Shape(0, 18, 4, 4), DType.Float64),
            Tensor.Ones(new Shape(3, 2, 3, 3), DType.Float64), padding: 1);
        Assert.Equal(new Shape(0, 3, 4, 4), y.Shape);
        // an empty plane: padding 1 around a 0 x 3 image gives a 2 x 5 output that samples nothing
        var x = Tensor.Zeros(new Shape(1, 2, 0, 3), DType.Float64).RequiresGrad_();
        var off = Tensor.Randn(new Shape(1, 2, 2, 5), DType.Float64).RequiresGrad_();
        var w = Tensor.Ones(new Shape(3, 2, 1, 1), DType.Float64).RequiresGrad_();
        var b = Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }).RequiresGrad_();
        var z = F.DeformConv2d(x, off, w, b, padding: 1);
        Assert.Equal(Enumerable.Range(1, 3).SelectMany(v => Enumerable.Repeat((double)v, 10)), z.ToDoubleArray());
        F.Sum(z).Backward();
        Assert.All(off.Grad!.ToDoubleArray(), v => Assert.Equal(0, v));
        Assert.All(w.Grad!.ToDoubleArray(), v => Assert.Equal(0, v));
        Assert.Equal([10.0, 10, 10], b.Grad!.ToDoubleArray());
        // no input channels: torchvision cannot infer the groups (0 // 0); refused
        var ex = Assert.Throws<ArgumentException>(() => F.DeformConv2d(Tensor.Zeros(new Shape(1, 0, 3, 3), DType.Float64),
            Tensor.Zeros(new Shape(1, 2, 3, 3), DType.Float64), Tensor.Ones(new Shape(2, 0, 1, 1), DType.Float64)));
        Assert.StartsWith("deform_conv2d:", ex.Message);
    }
}

/// <summary>The ILGPU kernels at integer sample points, whose offset gradient the catalog's backend check cannot reach.</summary>
[Collection("Ilgpu")]
public class DeformConv2dIlgpuTests
{
    [Fact, Trait("Category", "Ilgpu")]
    public void Ilgpu_follows_the_floor_rule_worked_by_hand()
    {
        DeformConv2dTests.CheckWorkedCase(DType.Float64, Device.IlgpuCpu);
        DeformConv2dTests.CheckWorkedCase(DType.Float32, Device.IlgpuCpu);
    }

    [Fact, Trait("Category", "Ilgpu")]
    public void Ilgpu_matches_torchvisions_kernel_transcribed_with_integer_points()
    {
        DeformConv2dTests.ReferenceCases(Catalog.DeformCases).Sample(s => DeformConv2dTests.CompareWithReference(s.C, s.X, s.Offset, s.W, s.B, s.Mask, Device.IlgpuCpu, DType.Float64, 1e-12),
            iter: 4, threads: 1, print: s => s.C.ToString());
    }
}
