using Xunit;

namespace Framework.Tests;

[Collection("Ilgpu")]
public class DeviceTests
{
    [Fact]
    public void Cpu_and_the_ilgpu_cpu_accelerator_are_always_available()
    {
        Assert.Contains(Device.Cpu, Device.Available);
        Assert.Contains(Device.IlgpuCpu, Device.Available);
        Assert.Equal(Device.IlgpuCpu, Device.Parse("ilgpu-cpu"));
        var ex = Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        Assert.Contains("available: cpu, ilgpu-cpu", ex.Message);
    }

    [Fact]
    public void Tensors_of_different_devices_are_refused_naming_both()
    {
        var a = Tensor.Ones(2);
        var b = Tensor.Ones(2).ToDevice(Device.IlgpuCpu);
        var ex = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("'cpu'", ex.Message);
        Assert.Contains("'ilgpu-cpu'", ex.Message);
    }

    [Fact]
    public void Gradients_live_where_their_tensors_live_and_To_is_differentiable()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGrad_();
        var onDevice = x.To(Device.IlgpuCpu);
        var w = Tensor.FromArray(new[] { 3.0, 4.0 }).ToDevice(Device.IlgpuCpu).RequiresGrad_();
        var loss = (onDevice * w).Sum();
        loss.Backward();
        Assert.Equal(Device.IlgpuCpu, w.Grad!.Device);
        Assert.Equal([1.0, 2.0], w.Grad.ToArray<double>());
        Assert.Equal(Device.Cpu, x.Grad!.Device);
        Assert.Equal([3.0, 4.0], x.Grad.ToArray<double>());
    }

    [Fact]
    public void A_dispose_scope_keeps_the_live_buffer_count_flat_over_many_steps()
    {
        var dev = Device.IlgpuCpu;
        var pool = BufferPool.For(dev);
        // tensors other tests forgot return their buffers from finalizers; let that happen first
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var w = Tensor.Randn(new Shape(4, 3), DType.Float64).ToDevice(dev).RequiresGrad_();
        var x = Tensor.Randn(new Shape(5, 4), DType.Float64).ToDevice(dev);
        long? liveAfterFirst = null;
        for (int step = 0; step < 20; step++)
        {
            using (DisposeScope.Begin())
            {
                w.Grad?.Dispose();
                w.Grad = null;
                var loss = F.Tanh(x.Matmul(w)).Square().Mean();
                loss.Backward();
            }
            liveAfterFirst ??= pool.Live;
            Assert.Equal(liveAfterFirst, pool.Live);
        }
    }

    [Fact]
    public void A_disposed_device_tensor_refuses_use_with_a_clear_message()
    {
        var t = Tensor.Ones(3).ToDevice(Device.IlgpuCpu);
        t.Dispose();
        var ex = Assert.Throws<ObjectDisposedException>(() => F.Exp(t));
        Assert.Contains("disposed", ex.Message);
    }

    [Fact]
    public void A_training_step_gives_the_same_loss_curve_on_both_devices()
    {
        static double[] Train(Device dev)
        {
            var g = new Generator(5);
            var x = Tensor.Randn(new Shape(16, 4), DType.Float64, g).ToDevice(dev);
            var y = Tensor.RandInt(0, 3, new Shape(16), generator: g).ToDevice(dev);
            var w1 = (Tensor.Randn(new Shape(4, 8), DType.Float64, g) * 0.5).ToDevice(dev).RequiresGrad_();
            var w2 = (Tensor.Randn(new Shape(8, 3), DType.Float64, g) * 0.5).ToDevice(dev).RequiresGrad_();
            var losses = new double[10];
            for (int step = 0; step < losses.Length; step++)
            {
                w1.Grad = null; w2.Grad = null;
                var loss = F.CrossEntropy(F.Relu(x.Matmul(w1)).Matmul(w2), y);
                loss.Backward();
                losses[step] = loss.Item();
                using (Autograd.NoGrad())
                {
                    w1.CopyFrom(w1 - w1.Grad! * 0.5);
                    w2.CopyFrom(w2 - w2.Grad! * 0.5);
                }
            }
            return losses;
        }
        var cpu = Train(Device.Cpu);
        var gpu = Train(Device.IlgpuCpu);
        Assert.True(cpu[^1] < cpu[0], "the loss must go down");
        for (int i = 0; i < cpu.Length; i++) Assert.Equal(cpu[i], gpu[i], 10);
    }
}
