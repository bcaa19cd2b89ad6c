using System.Runtime.CompilerServices;

namespace Framework;

/// <summary>
/// A matrix the GEMM can pack from. Packing is where a layout is read, so a matrix that is never stored
/// (the im2col matrix of a convolution) can be multiplied by reading its source directly.
/// </summary>
internal unsafe interface IMatrixSource<T> where T : unmanaged
{
    /// <summary>
    /// Rows [i0, i0 + rows) x columns [p0, p0 + depth) as strips of w rows: strip s holds, for each column p,
    /// the w values of rows i0 + s w + 0..w-1 (zero past the last row). The A operand is packed this way.
    /// </summary>
    void PackRowStrips(int i0, int rows, int p0, int depth, int w, T* dst);

    /// <summary>
    /// Rows [p0, p0 + depth) x columns [j0, j0 + cols) as strips of w columns: strip s holds, for each row p,
    /// the w values of columns j0 + s w + 0..w-1 (zero past the last column). The B operand is packed this way.
    /// </summary>
    void PackColStrips(int p0, int depth, int j0, int cols, int w, T* dst);

    /// <summary>The row strips of rows i0.. and columns p0..p0 + kc already packed (see Gemm.Prepack), or null.</summary>
    T* PackedBlock(int i0, int p0, int kc);
}

/// <summary>
/// A matrix already packed by <see cref="Gemm.Prepack"/>: the driver reads its blocks in place. Hold it (and
/// pin it with <see cref="Pin"/>) while the products that use it run.
/// </summary>
internal readonly unsafe struct PackedRows<T>(T[] buffer, int paddedRows) where T : unmanaged
{
    public T[] Buffer { get; } = buffer;

    public PinnedRows<T> Pin(T* pinned) => new(pinned, paddedRows);
}

/// <summary>A pinned <see cref="PackedRows{T}"/> as an A operand (only its packed blocks are ever read).</summary>
internal readonly unsafe struct PinnedRows<T>(T* p, int paddedRows) : IMatrixSource<T> where T : unmanaged
{
    private readonly T* _p = p;
    private readonly int _mp = paddedRows;

    // slice p0 holds paddedRows x kc values; in it, the strip of rows i0.. starts at i0 kc
    public T* PackedBlock(int i0, int p0, int kc) => _p + (long)p0 * _mp + (long)i0 * kc;

    public void PackRowStrips(int i0, int rows, int p0, int depth, int w, T* dst) =>
        throw new InvalidOperationException("gemm: a prepacked matrix is read in place");

    public void PackColStrips(int p0, int depth, int j0, int cols, int w, T* dst) =>
        throw new InvalidOperationException("gemm: a prepacked matrix can only be the A operand");
}

/// <summary>A stored matrix: element (i, j) at p[i rs + j cs] (a transpose swaps the strides).</summary>
internal readonly unsafe struct StridedMatrix<T>(T* p, long rs, long cs) : IMatrixSource<T> where T : unmanaged
{
    private readonly T* _p = p;
    private readonly long _rs = rs, _cs = cs;

    public T* At(long i, long j) => _p + i * _rs + j * _cs;

    public T* PackedBlock(int i0, int p0, int kc) => null;

    public void PackRowStrips(int i0, int rows, int p0, int depth, int w, T* dst) =>
        PackStrips(_p + i0 * _rs + p0 * _cs, _rs, _cs, rows, depth, w, dst);

    public void PackColStrips(int p0, int depth, int j0, int cols, int w, T* dst) =>
        PackStrips(_p + p0 * _rs + j0 * _cs, _cs, _rs, cols, depth, w, dst);

    /// <summary>Strips of w along the 'along' direction (stride sa), each holding depth steps (stride sd) of w values.</summary>
    private static void PackStrips(T* src, long sa, long sd, int along, int depth, int w, T* dst)
    {
        for (int s0 = 0; s0 < along; s0 += w)
        {
            int valid = Math.Min(w, along - s0);
            T* d = dst + (long)s0 * depth;
            T* s = src + s0 * sa;
            if (sa == 1 && valid == w)
            {
                // w contiguous values per step: one block copy each
                for (int p = 0; p < depth; p++) Unsafe.CopyBlockUnaligned(d + p * w, s + p * sd, (uint)(w * sizeof(T)));
            }
            else if (sd == 1)
            {
                // each of the w lines is contiguous along depth: read it once, write with stride w
                for (int r = 0; r < w; r++)
                {
                    if (r < valid) { T* line = s + r * sa; for (int p = 0; p < depth; p++) d[p * w + r] = line[p]; }
                    else for (int p = 0; p < depth; p++) d[p * w + r] = default;
                }
            }
            else
            {
                for (int p = 0; p < depth; p++)
                {
                    T* line = s + p * sd;
                    for (int r = 0; r < w; r++) d[p * w + r] = r < valid ? line[r * sa] : default;
                }
            }
        }
    }
}

/// <summary>The transpose of a source, without copying: its row strips are the source's column strips.</summary>
internal readonly unsafe struct Transposed<T, TM>(TM m) : IMatrixSource<T> where T : unmanaged where TM : struct, IMatrixSource<T>
{
    private readonly TM _m = m;

    public T* PackedBlock(int i0, int p0, int kc) => null;

    public void PackRowStrips(int i0, int rows, int p0, int depth, int w, T* dst) => _m.PackColStrips(p0, depth, i0, rows, w, dst);

    public void PackColStrips(int p0, int depth, int j0, int cols, int w, T* dst) => _m.PackRowStrips(j0, cols, p0, depth, w, dst);
}
