using System.Numerics;
using System.Runtime.CompilerServices;
using ILGPU;

// ILGPU's CPU accelerator emits its kernel launchers into this dynamic assembly; they must see internal kernel parameter structs.
[assembly: InternalsVisibleTo("ILGPURuntime")]

namespace Framework;

/// <summary>
/// What generic kernel code cannot say with T arithmetic alone (ILGPU compiles no <c>T.CreateTruncating</c>):
/// int to T, T to an index, per type. Kernels shared by the CPU and ILGPU backends take one of these structs.
/// </summary>
internal interface IScalarOps<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T FromInt(int v);

    /// <summary>An integral value as an int index; NaN and values beyond +-2^30 become a sentinel far below 0 (out of every tensor).</summary>
    int ToIndex(T v);
}

internal readonly struct Float32Ops : IScalarOps<float>
{
    public float FromInt(int v) => v;
    public int ToIndex(float v) => v > -1e9f && v < 1e9f ? (int)v : -(1 << 30);
}

internal readonly struct Float64Ops : IScalarOps<double>
{
    public double FromInt(int v) => v;
    public int ToIndex(double v) => v > -1e9 && v < 1e9 ? (int)v : -(1 << 30);
}

/// <summary>
/// Element access that the same kernel body uses on both backends: a managed array on the CPU (plain adds:
/// the CPU kernels give each thread its own slice of a gradient), an ILGPU view on devices (atomic adds).
/// </summary>
internal interface IBuffer<T> where T : unmanaged
{
    T Get(long i);
    void Set(long i, T v);
    void Add(long i, T v);
}

internal readonly struct ArrayBuffer<T>(T[] data) : IBuffer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _data = data;
    public T Get(long i) => _data[i];
    public void Set(long i, T v) => _data[i] = v;
    public void Add(long i, T v) => _data[i] += v;
}

/// <summary>ILGPU's atomics are per type (no generic Atomic.Add), hence one view struct per float type.</summary>
internal readonly struct ViewBufferF(ArrayView<float> view) : IBuffer<float>
{
    private readonly ArrayView<float> _view = view;
    public float Get(long i) => _view[i];
    public void Set(long i, float v) => _view[i] = v;
    public void Add(long i, float v) => Atomic.Add(ref _view[i], v);
}

internal readonly struct ViewBufferD(ArrayView<double> view) : IBuffer<double>
{
    private readonly ArrayView<double> _view = view;
    public double Get(long i) => _view[i];
    public void Set(long i, double v) => _view[i] = v;
    public void Add(long i, double v) => Atomic.Add(ref _view[i], v);
}
