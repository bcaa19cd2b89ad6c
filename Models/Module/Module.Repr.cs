using System.Globalization;
using System.Text;

namespace Framework.Models;

public abstract partial class Module
{
    /// <summary>The layer's arguments as PyTorch prints them ("in_features=2, out_features=3, bias=True").</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>PyTorch's repr of the module tree, line for line as print(model) in Python.</summary>
    public string Repr()
    {
        var extra = ExtraRepr();
        var extraLines = extra.Length == 0 ? [] : extra.Split('\n');
        var childLines = NamedChildren().Select(c => $"({c.Name}): " + AddIndent(c.Module.Repr(), 2)).ToList();
        var sb = new StringBuilder(TypeName).Append('(');
        if (extraLines.Length == 1 && childLines.Count == 0) sb.Append(extraLines[0]);
        else if (extraLines.Length + childLines.Count > 0)
            sb.Append("\n  ").Append(string.Join("\n  ", extraLines.Concat(childLines))).Append('\n');
        return sb.Append(')').ToString();
    }

    private static string AddIndent(string s, int spaces)
    {
        var lines = s.Split('\n');
        if (lines.Length == 1) return s;
        var pad = new string(' ', spaces);
        return lines[0] + "\n" + string.Join("\n", lines.Skip(1).Select(l => pad + l));
    }

    /// <summary>
    /// The PyTorch repr followed by a table of parameters (dotted name, shape, element count), the buffers,
    /// and the totals.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Repr()).Append('\n');
        var rows = NamedParameters().Select(p => (p.Name, Shape: p.Parameter.Shape.ToString(), p.Parameter.Numel,
            Note: p.Parameter.RequiresGrad ? "" : " (frozen)")).ToList();
        var buffers = NamedBuffers().ToList();
        int nameWidth = Math.Max(9, rows.Select(r => r.Name.Length).Concat(buffers.Select(b => b.Name.Length)).DefaultIfEmpty(0).Max());
        int shapeWidth = Math.Max(5, rows.Select(r => r.Shape.Length).Concat(buffers.Select(b => b.Buffer.Shape.ToString().Length)).DefaultIfEmpty(0).Max());
        if (rows.Count > 0)
        {
            sb.Append($"{"parameter".PadRight(nameWidth)}  {"shape".PadRight(shapeWidth)}  {"count",10}\n");
            foreach (var r in rows)
                sb.Append($"{r.Name.PadRight(nameWidth)}  {r.Shape.PadRight(shapeWidth)}  {Count(r.Numel),10}{r.Note}\n");
        }
        if (buffers.Count > 0)
        {
            sb.Append($"{"buffer".PadRight(nameWidth)}  {"shape".PadRight(shapeWidth)}  {"count",10}\n");
            foreach (var (name, b) in buffers)
                sb.Append($"{name.PadRight(nameWidth)}  {b.Shape.ToString().PadRight(shapeWidth)}  {Count(b.Numel),10}  {b.DType.Name()}\n");
        }
        long total = rows.Sum(r => r.Numel), trainable = ParameterCount(trainableOnly: true);
        sb.Append($"total: {Count(total)} parameters in {rows.Count} tensors");
        if (trainable != total) sb.Append($" ({Count(trainable)} trainable)");
        if (buffers.Count > 0) sb.Append($"; buffers: {Count(buffers.Sum(b => b.Buffer.Numel))} elements in {buffers.Count} tensors");
        return sb.ToString();
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>Python's spelling of values in reprs: True/False, 1.0, 1e-05, (3, 3), 'none'.</summary>
internal static class Py
{
    public static string Bool(bool b) => b ? "True" : "False";

    public static string Str(string s) => $"'{s}'";

    /// <summary>A kernel-size-like argument: an int when both sides agree, else a tuple.</summary>
    public static string Size(Pair p) => p.H == p.W ? p.H.ToString(CultureInfo.InvariantCulture) : Tuple(p.H, p.W);

    public static string Tuple(params int[] v) => "(" + string.Join(", ", v) + (v.Length == 1 ? ",)" : ")");

    /// <summary>repr(float): the shortest round-trip digits, positional for 1e-4 &lt;= |x| &lt; 1e16, else "1e-05".</summary>
    public static string Float(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";
        string sign = v < 0 ? "-" : "";
        string r = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        string digits;
        int exp;
        int e = r.IndexOf('E');
        if (e >= 0)
        {
            digits = r[..e].Replace(".", "");
            exp = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        }
        else
        {
            int dot = r.IndexOf('.');
            string intPart = dot < 0 ? r : r[..dot], frac = dot < 0 ? "" : r[(dot + 1)..];
            string all = intPart + frac;
            int first = 0;
            while (first < all.Length && all[first] == '0') first++;
            digits = all[first..];
            exp = intPart.Length - 1 - first;
        }
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        if (exp < -4 || exp >= 16)
        {
            var mant = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            return $"{sign}{mant}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }
        if (exp < 0) return sign + "0." + new string('0', -exp - 1) + digits;
        if (digits.Length <= exp + 1) return sign + digits + new string('0', exp + 1 - digits.Length) + ".0";
        return sign + digits[..(exp + 1)] + "." + digits[(exp + 1)..];
    }
}
