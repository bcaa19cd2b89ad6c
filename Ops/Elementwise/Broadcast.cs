namespace Framework;

/// <summary>
/// How the operands of a broadcasting op walk the output: dimensions collapsed where all operands stay
/// contiguous, zero strides on broadcast dimensions. The last collapsed dimension is the inner run that
/// kernels process as spans (stride 1) or scalars (stride 0).
/// </summary>
internal sealed class BroadcastPlan
{
    private BroadcastPlan(int[] dims, long[][] strides)
    {
        Dims = dims;
        Strides = strides;
        Inner = dims[^1];
        long rows = 1;
        for (int i = 0; i < dims.Length - 1; i++) rows *= dims[i];
        Rows = rows;
    }

    public int[] Dims { get; }
    public long[][] Strides { get; }
    public int Inner { get; }
    public long Rows { get; }

    public long InnerStride(int operand) => Strides[operand][^1];

    public static BroadcastPlan Create(Shape output, params Shape[] operands)
    {
        int rank = Math.Max(output.Rank, 1);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = output.Rank == 0 ? 1 : output[i];
        var strides = new long[operands.Length][];
        for (int k = 0; k < operands.Length; k++)
        {
            var s = operands[k];
            var st = new long[rank];
            long acc = 1;
            for (int i = rank - 1; i >= 0; i--)
            {
                int j = i - (rank - s.Rank);
                int d = j >= 0 ? s[j] : 1;
                st[i] = d == 1 ? 0 : acc;
                acc *= d;
            }
            strides[k] = st;
        }
        // merge dimension i into i+1 when every operand steps through both as one run
        var cd = new List<int> { dims[rank - 1] };
        var cs = strides.Select(st => new List<long> { st[rank - 1] }).ToArray();
        for (int i = rank - 2; i >= 0; i--)
        {
            if (dims[i] == 1) continue;
            bool merge = true;
            for (int k = 0; k < operands.Length && merge; k++)
                merge = strides[k][i] == cs[k][0] * cd[0];
            if (merge)
            {
                cd[0] *= dims[i];
            }
            else
            {
                cd.Insert(0, dims[i]);
                for (int k = 0; k < operands.Length; k++) cs[k].Insert(0, strides[k][i]);
            }
        }
        return new BroadcastPlan(cd.ToArray(), cs.Select(l => l.ToArray()).ToArray());
    }

    /// <summary>Offsets of each operand at the start of output row <paramref name="row"/>.</summary>
    public void RowOffsets(long row, Span<long> offsets)
    {
        offsets.Clear();
        for (int i = Dims.Length - 2; i >= 0; i--)
        {
            long idx = row % Dims[i];
            row /= Dims[i];
            for (int k = 0; k < offsets.Length; k++) offsets[k] += idx * Strides[k][i];
        }
    }
}
