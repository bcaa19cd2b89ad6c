using System.Numerics;

namespace Framework;

/// <summary>Special functions the BCL lacks, in T arithmetic only (so they also run inside ILGPU kernels).</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// The error function, to ~1e-15 in double: the Maclaurin series for |x| &lt; 3, else 1 - erfc(|x|) with
    /// erfc from its continued fraction exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
    /// Fixed iteration counts: no data-dependent loop exits.
    /// </summary>
    public static T Erf<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(x)) return x;
        T one = T.One, two = one + one, three = two + one;
        T ax = T.Abs(x);
        T twoOverSqrtPi = two / T.Sqrt(T.Pi);
        if (ax < three)
        {
            // erf x = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            T x2 = x * x, term = x, sum = x, n = T.Zero;
            for (int k = 1; k < 64; k++)
            {
                n += one;
                term = term * -x2 / n;
                sum += term / (two * n + one);
            }
            return twoOverSqrtPi * sum;
        }
        T r = one;
        T cutoff = T.One + T.One + T.One + T.One + T.One + T.One; // erfc(6) < 3e-17: erf is 1 to double precision
        if (ax < cutoff)
        {
            T half = one / two, tiny = T.Epsilon;
            T f = ax, c = ax, d = T.Zero, a = T.Zero;
            for (int k = 1; k < 96; k++)
            {
                a += half;
                d = ax + a * d; if (T.Abs(d) < tiny) d = tiny; d = one / d;
                c = ax + a / c; if (T.Abs(c) < tiny) c = tiny;
                f *= c * d;
            }
            r = one - T.Exp(-ax * ax) / (T.Sqrt(T.Pi) * f);
        }
        return x < T.Zero ? -r : r;
    }
}
