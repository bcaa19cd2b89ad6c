using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Framework;

/// <summary>
/// Software prefetch of channel-first rows. A kernel that walks (channel, row) tiles of a channel-first tensor
/// reads one short row from each of many planes at once (18 in points_collection's benchmark): more streams
/// than the hardware prefetchers follow, so every row missed to memory and those loads took a quarter of the
/// backward. Asking for the next tile's rows while the current one is computed hides that latency.
/// A prefetch never faults, so an address computed from a moved or short array is harmless.
/// </summary>
internal static class Prefetch
{
    /// <summary>Asks for a[start + c channelStride .. + count) for c &lt; channels, into all cache levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Rows<T>(T[] a, long start, int channels, long channelStride, int count) where T : unmanaged
    {
        if (!Sse.IsSupported || start < 0) return;
        long last = start + (channels - 1) * channelStride + count;
        if (last > a.LongLength) return;
        byte* p0 = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(a)) + start * sizeof(T);
        long bytes = (long)count * sizeof(T), stride = channelStride * sizeof(T);
        for (int c = 0; c < channels; c++)
        {
            byte* row = p0 + c * stride;
            for (long o = 0; o < bytes; o += 64) Sse.Prefetch0(row + o);
            Sse.Prefetch0(row + bytes - 1);   // the last line when the row does not start on one
        }
    }
}
