using System.Runtime.CompilerServices;

namespace Framework.Tests;

internal static class TestSetup
{
    /// <summary>
    /// Uninitialised CPU tensors are NaN-filled in the whole suite, so an op that asks for Tensor.Uninitialized
    /// and leaves an element unwritten shows up as NaN in its checks instead of as whatever the GC left there.
    /// </summary>
    [ModuleInitializer]
    internal static void PoisonUninitializedTensors() => CpuStorage.PoisonUninitialized = true;
}
