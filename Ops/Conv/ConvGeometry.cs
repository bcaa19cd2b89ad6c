namespace Framework;

/// <summary>
/// The index arithmetic shared by convolution, its transpose and unfold: an input (N, C, H, W) seen through a
/// kernel (KH, KW) with stride, dilation and top/left padding gives an output (N, O, OH, OW); channels split
/// into Groups. The transposed convolution is the same geometry with input and output swapped.
/// </summary>
internal readonly record struct ConvGeometry(
    int N, int C, int H, int W, int O, int Groups, int KH, int KW,
    int SH, int SW, int PT, int PL, int DH, int DW, int OH, int OW)
{
    public int Cg => C / Groups;
    public int Og => O / Groups;
    /// <summary>Rows of the im2col matrix of one group: Cg KH KW.</summary>
    public int K => Cg * KH * KW;
    /// <summary>Output positions per image: OH OW.</summary>
    public int L => OH * OW;
    public long InPlane => (long)H * W;

    /// <summary>A 1x1 kernel with unit stride and no padding reads the input as is: no im2col needed.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PT == 0 && PL == 0 && OH == H && OW == W;

    /// <summary>Output length along one dim, PyTorch's formula; padding is the total of both sides.</summary>
    public static int OutSize(int size, int kernel, int stride, int padTotal, int dilation) =>
        (size + padTotal - dilation * (kernel - 1) - 1) / stride + 1;

    public int[] InputShape => [N, C, H, W];
    public int[] OutputShape => [N, O, OH, OW];

    public static void CheckPositive(string op, string what, Pair p, int min = 1)
    {
        if (p.Any(v => v < min))
            throw new ArgumentException($"{op}: {what} must be {(min == 1 ? "positive" : $">= {min}")}, got {p}");
    }
}
