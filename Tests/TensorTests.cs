using Xunit;

namespace Framework.Tests;

public class TensorTests
{
    [Fact]
    public void Printing_follows_pytorch()
    {
        var t = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        Assert.Equal("tensor([[1., 2.],\n        [3., 4.]], shape=(2, 2), dtype=float32)", t.ToString());
        var f = Tensor.FromArray(new[] { 0.5, -1.25 });
        Assert.Equal("tensor([ 0.5000, -1.2500], shape=(2), dtype=float64)", f.ToString());
        Assert.Equal("tensor(3., shape=(), dtype=float32)", Tensor.Scalar(3).ToString());
        Assert.Contains("grad_fn=<mulBackward>", (Tensor.Ones(2).RequiresGrad_() * 2.0).ToString());
    }

    [Fact]
    public void Large_tensors_print_elided()
    {
        var s = Tensor.Arange(0, 2000).ToString();
        Assert.Contains("...", s);
        Assert.StartsWith("tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.]", s);
    }

    [Fact]
    public void Factories_match_pytorch()
    {
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1.0], Tensor.Linspace(0, 1, 5, DType.Float64).ToArray<double>());
        Assert.Equal([1.0, 3.0, 5.0], Tensor.Arange(1, 6, 2, DType.Float64).ToArray<double>());
        Assert.Equal([1.0, 0, 0, 0, 1, 0], Tensor.Eye(2, 3, DType.Float64).ToArray<double>());
        Assert.Equal(new Shape(2, 3), Tensor.Zeros(2, 3).Shape);
        Assert.Equal(7.0, Tensor.Full(new Shape(2), 7).ToArray<float>()[1]);
        var r = Tensor.RandInt(0, 3, new Shape(100));
        Assert.Equal(DType.Int64, r.DType);
        Assert.All(r.ToArray<long>(), v => Assert.InRange(v, 0, 2));
    }

    [Fact]
    public void Seeded_generators_reproduce()
    {
        var a = Tensor.Randn(new Shape(5), generator: new Generator(3)).ToArray<float>();
        var b = Tensor.Randn(new Shape(5), generator: new Generator(3)).ToArray<float>();
        Assert.Equal(a, b);
        var n = Tensor.Randn(new Shape(20000), DType.Float64, new Generator(1)).ToArray<double>();
        Assert.InRange(n.Average(), -0.03, 0.03);
        Assert.InRange(Math.Sqrt(n.Select(v => v * v).Average()), 0.97, 1.03);
    }

    [Fact]
    public void Broadcasting_error_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3) + Tensor.Ones(4, 3));
        Assert.Equal("add: shapes (2, 3) and (4, 3) cannot be broadcast together (dimension 0 of the broadcast result: 2 vs 4)", ex.Message);
    }

    [Fact]
    public void Broadcast_add_matches_a_hand_computed_result()
    {
        var a = Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }, 3, 1);
        var b = Tensor.FromArray(new[] { 10.0, 20.0 });
        Assert.Equal([11.0, 21, 12, 22, 13, 23], (a + b).ToArray<double>());
    }

    [Fact]
    public void Reshape_shares_storage_and_permute_copies()
    {
        var x = Tensor.Arange(0, 6, dtype: DType.Float64);
        var r = x.Reshape(2, 3);
        Assert.Same(x.Storage, r.Storage);
        var p = r.Permute(1, 0);
        Assert.Equal([0.0, 3, 1, 4, 2, 5], p.ToArray<double>());
    }

    [Fact]
    public void Pad_modes_match_pytorch()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }, 1, 3);
        Assert.Equal([0.0, 1, 2, 3, 0, 0], F.Pad(x, [1, 2]).ToArray<double>());
        Assert.Equal([2.0, 1, 2, 3, 2, 1], F.Pad(x, [1, 2], "reflect").ToArray<double>());
        Assert.Equal([1.0, 1, 2, 3, 3, 3], F.Pad(x, [1, 2], "replicate").ToArray<double>());
        Assert.Equal([3.0, 1, 2, 3, 1, 2], F.Pad(x, [1, 2], "circular").ToArray<double>());
    }

    [Fact]
    public void Item_of_a_tensor_with_many_elements_is_refused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).Item());
        Assert.Contains("2 elements", ex.Message);
    }

    [Fact]
    public void Memory_guard_refuses_an_absurd_allocation()
    {
        var ex = Assert.Throws<OutOfMemoryException>(() => Tensor.Zeros(100000, 100000, 100));
        Assert.Contains("refusing to allocate", ex.Message);
    }

    [Fact]
    public void Cross_entropy_with_label_smoothing_matches_the_formula()
    {
        // torch: F.cross_entropy(x, t, label_smoothing=0.1) for x = [[1, 2, 3]], t = [0]
        var x = Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }, 1, 3);
        var t = Tensor.FromArray(new long[] { 0 });
        var logp = new[] { 1.0, 2.0, 3.0 }.Select(v => v - Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3))).ToArray();
        double expected = -(0.9 * logp[0] + 0.1 / 3 * logp.Sum());
        Assert.Equal(expected, F.CrossEntropy(x, t, labelSmoothing: 0.1).Item(), 12);
    }

    [Fact]
    public void Uninitialized_tensors_are_nan_in_the_suite_and_zeros_and_empty_stay_zero()
    {
        Assert.True(CpuStorage.PoisonUninitialized);   // set by TestSetup for the whole assembly
        Assert.All(Tensor.Uninitialized(new Shape(3, 5)).ToDoubleArray(), v => Assert.True(double.IsNaN(v)));
        Assert.All(Tensor.Uninitialized(new Shape(7), DType.Float64).ToDoubleArray(), v => Assert.True(double.IsNaN(v)));
        Assert.All(Tensor.Empty(new Shape(3, 5)).ToDoubleArray(), v => Assert.Equal(0, v));
        Assert.All(Tensor.Zeros(new Shape(3, 5)).ToDoubleArray(), v => Assert.Equal(0, v));
        // the ops that ask for uninitialised outputs write every element
        var t = Tensor.Randn(2, 4, 5, 3);
        Assert.All(F.PointsCollection(t, Tensor.Randn(2, 6, 4, 7)).ToDoubleArray(), v => Assert.False(double.IsNaN(v)));
        var x = Tensor.Randn(2, 3, 4).RequiresGrad_();
        F.Sum(x).Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(1, v));
    }
}
