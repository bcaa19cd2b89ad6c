using Xunit;

namespace Framework.Tests;

public class AutogradTests
{
    private static Tensor Leaf(params double[] v) => Tensor.FromArray(v).RequiresGrad_();

    [Fact]
    public void Backward_of_a_shared_subexpression_accumulates_both_paths()
    {
        var x = Leaf(3.0);
        var y = x * x;               // used twice below
        var z = y * 2.0 + y * x;     // z = 2x^2 + x^3, dz/dx = 4x + 3x^2 = 39
        z.Sum().Backward();
        Assert.Equal(39.0, x.Grad!.Item(), 12);
    }

    [Fact]
    public void Leaf_gradients_accumulate_across_backward_calls_until_cleared()
    {
        var x = Leaf(1.0, 2.0);
        (x * 3.0).Sum().Backward();
        (x * 3.0).Sum().Backward();
        Assert.Equal([6.0, 6.0], x.Grad!.ToArray<double>());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Second_backward_through_a_freed_graph_is_a_clear_error()
    {
        var x = Leaf(1.0);
        var y = F.Exp(x).Sum();
        y.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("second time", ex.Message);
        Assert.Contains("retainGraph", ex.Message);
    }

    [Fact]
    public void RetainGraph_allows_a_second_backward()
    {
        var x = Leaf(2.0);
        var y = (x * x).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(8.0, x.Grad!.Item(), 12);
    }

    [Fact]
    public void Backward_of_a_non_scalar_needs_an_explicit_gradient()
    {
        var x = Leaf(1.0, 2.0);
        var y = x * 2.0;
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("scalar", ex.Message);
        y.Backward(Tensor.FromArray(new[] { 1.0, 10.0 }));
        Assert.Equal([2.0, 20.0], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void NoGrad_records_nothing_and_Detach_cuts_the_graph()
    {
        var x = Leaf(1.0);
        using (Autograd.NoGrad())
        {
            var y = x * 2.0;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
        }
        var d = (x * 2.0).Detach();
        Assert.False(d.RequiresGrad);
        Assert.True((x * 2.0).RequiresGrad);
    }

    [Fact]
    public void Backward_without_requires_grad_explains_itself()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).Sum().Backward());
        Assert.Contains("does not require grad", ex.Message);
    }

    [Fact]
    public void Integer_tensors_cannot_require_grad()
    {
        Assert.Throws<InvalidOperationException>(() => Tensor.FromArray(new long[] { 1 }).RequiresGrad_());
    }

    [Fact]
    public void Anomaly_mode_names_the_op_whose_forward_made_a_nan()
    {
        var x = Leaf(-1.0);
        using (Autograd.DetectAnomaly())
        {
            var ex = Assert.Throws<AnomalyException>(() => F.Sqrt(x));
            Assert.Equal("sqrt", ex.Op);
            Assert.Contains("sqrt", ex.Message);
            Assert.Contains(nameof(Anomaly_mode_names_the_op_whose_forward_made_a_nan), ex.Message);
        }
        Assert.True(double.IsNaN(F.Sqrt(x).Item()));
    }

    [Fact]
    public void Anomaly_mode_names_the_op_whose_backward_made_an_infinity()
    {
        var x = Leaf(0.0);
        using (Autograd.DetectAnomaly())
        {
            var y = F.Sqrt(x).Sum();      // forward is finite (0), backward 1 / (2 sqrt 0) is not
            var ex = Assert.Throws<AnomalyException>(() => y.Backward());
            Assert.Equal("sqrt", ex.Op);
        }
    }

    [Fact]
    public void Maximum_splits_the_gradient_of_a_tie_in_halves_as_pytorch()
    {
        var a = Leaf(1.0, 2.0);
        var b = Leaf(1.0, 0.0);
        F.Maximum(a, b).Sum().Backward();
        Assert.Equal([0.5, 1.0], a.Grad!.ToArray<double>());
        Assert.Equal([0.5, 0.0], b.Grad!.ToArray<double>());
    }

    [Fact]
    public void Graphs_built_on_several_threads_give_the_serial_results()
    {
        static double Run(int seed)
        {
            var g = new Generator((ulong)seed);
            var x = Tensor.Randn(new Shape(16, 8), DType.Float64, g).RequiresGrad_();
            var w = Tensor.Randn(new Shape(8, 4), DType.Float64, g).RequiresGrad_();
            var loss = F.Tanh(F.Matmul(x, w)).Square().Mean();
            loss.Backward();
            return loss.Item() + x.Grad!.ToDoubleArray().Sum() + w.Grad!.ToDoubleArray().Sum();
        }
        var serial = Enumerable.Range(0, 16).Select(Run).ToArray();
        var parallel = new double[16];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = Run(i));
        Assert.Equal(serial, parallel);
    }
}
