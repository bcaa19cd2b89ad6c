namespace Framework;

/// <summary>Special functions the BCL lacks, accurate to ~1e-15 in double.</summary>
public static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;

    /// <summary>The error function: Maclaurin series for |x| &lt; 3, else 1 - erfc by its continued fraction.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax < 3)
        {
            // erf x = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 100; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            return TwoOverSqrtPi * sum;
        }
        double r = 1 - ErfcLarge(ax);
        return x < 0 ? -r : r;
    }

    /// <summary>erfc for x &gt;= 3: exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), by Lentz's method.</summary>
    private static double ErfcLarge(double x)
    {
        if (x > 27) return 0;
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 200; k++)
        {
            double a = k * 0.5;
            d = x + a * d; if (Math.Abs(d) < tiny) d = tiny; d = 1 / d;
            c = x + a / c; if (Math.Abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / (Math.Sqrt(Math.PI) * f);
    }
}
