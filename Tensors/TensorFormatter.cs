using System.Globalization;
using System.Text;

namespace Framework;

/// <summary>
/// Prints tensors the way torch does (torch/_tensor_str.py): 4 decimals, integer mode "1.", scientific
/// notation when magnitudes span more than 1e3 or leave [1e-4, 1e8], "..." past 1000 elements.
/// </summary>
public static class TensorFormatter
{
    public static int Precision { get; set; } = 4;
    public static int Threshold { get; set; } = 1000;
    public static int EdgeItems { get; set; } = 3;

    public static string Format(Tensor t)
    {
        var sb = new StringBuilder("tensor(");
        const string indent = "       ";
        if (t.Numel == 0 && t.Rank > 0)
        {
            sb.Append("[]");
        }
        else
        {
            bool summarize = t.Numel > Threshold;
            var values = t.ToDoubleArray();
            var fmt = ChooseFormat(t, values, summarize);
            if (t.Rank == 0) sb.Append(fmt(values[0]).Trim());
            else
            {
                int width = 0;
                foreach (var i in VisibleIndices(t, summarize)) width = Math.Max(width, fmt(values[i]).Length);
                AppendDim(sb, t, values, 0, 0, fmt, width, summarize, indent.Length + 1);
            }
        }
        sb.Append(", shape=").Append(t.Shape);
        sb.Append(", dtype=").Append(t.DType.Name());
        if (!t.Device.IsCpu) sb.Append(", device='").Append(t.Device).Append('\'');
        if (t.GradFn is not null) sb.Append(", grad_fn=").Append(t.GradFn);
        else if (t.RequiresGrad) sb.Append(", requires_grad=True");
        sb.Append(')');
        return sb.ToString();
    }

    private static IEnumerable<long> VisibleIndices(Tensor t, bool summarize)
    {
        if (!summarize) { for (long i = 0; i < t.Numel; i++) yield return i; yield break; }
        var strides = t.Shape.Strides();
        var idx = new int[t.Rank];
        // enumerate only the edge items of every dimension
        IEnumerable<long> Rec(int d, long off)
        {
            if (d == t.Rank) { yield return off; yield break; }
            int n = t.Shape[d];
            for (int i = 0; i < n; i++)
            {
                if (n > 2 * EdgeItems && i == EdgeItems) i = n - EdgeItems;
                foreach (var o in Rec(d + 1, off + i * strides[d])) yield return o;
            }
        }
        foreach (var o in Rec(0, 0)) yield return o;
    }

    private static Func<double, string> ChooseFormat(Tensor t, double[] values, bool summarize)
    {
        var inv = CultureInfo.InvariantCulture;
        if (t.DType == DType.Bool) return v => v != 0 ? "True" : "False";
        if (t.DType == DType.Int64) return v => ((long)v).ToString(inv);

        var finite = VisibleIndices(t, summarize).Select(i => values[i]).Where(double.IsFinite).ToArray();
        bool intMode = finite.All(v => v == Math.Round(v));
        var nonzeroAbs = finite.Select(Math.Abs).Where(v => v != 0).ToArray();
        double max = nonzeroAbs.Length > 0 ? nonzeroAbs.Max() : 0, min = nonzeroAbs.Length > 0 ? nonzeroAbs.Min() : 0;
        string Special(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        if (intMode)
        {
            if (max > 1e8)
                return v => double.IsFinite(v) ? v.ToString("0." + new string('0', Precision) + "e+00", inv) : Special(v);
            return v => double.IsFinite(v) ? v.ToString("0", inv) + "." : Special(v);
        }
        bool sci = max / Math.Max(min, double.Epsilon) > 1000 || max > 1e8 || min < 1e-4;
        if (sci)
            return v => double.IsFinite(v) ? v.ToString("0." + new string('0', Precision) + "e+00", inv) : Special(v);
        return v => double.IsFinite(v) ? v.ToString("F" + Precision, inv) : Special(v);
    }

    private static void AppendDim(StringBuilder sb, Tensor t, double[] values, int dim, long offset,
        Func<double, string> fmt, int width, bool summarize, int indent)
    {
        var strides = t.Shape.Strides();
        int n = t.Shape[dim];
        sb.Append('[');
        bool first = true;
        for (int i = 0; i < n; i++)
        {
            if (summarize && n > 2 * EdgeItems && i == EdgeItems)
            {
                sb.Append(dim == t.Rank - 1 ? ", ..." : ",\n" + new string(' ', indent + dim) + "...");
                i = n - EdgeItems;
            }
            if (!first)
                sb.Append(dim == t.Rank - 1 ? ", " : "," + new string('\n', t.Rank - dim - 1) + new string(' ', indent + dim));
            first = false;
            long off = offset + i * strides[dim];
            if (dim == t.Rank - 1) sb.Append(fmt(values[off]).PadLeft(width));
            else AppendDim(sb, t, values, dim + 1, off, fmt, width, summarize, indent);
        }
        sb.Append(']');
    }
}

public sealed partial class Tensor
{
    public override string ToString() => TensorFormatter.Format(this);
}
