using CsCheck;

namespace Framework.Testing;

/// <summary>Property-based gradient checking: GradCheck over generated inputs, shrinking a failure to a small case.</summary>
public static class GradCheckProperty
{
    extension(GradCheck)
    {
        /// <summary>
        /// For every input array the generator yields (float64 tensors; those with RequiresGrad are checked),
        /// compares fn's analytic gradient with finite differences. On failure CsCheck shrinks the inputs and
        /// throws with the smallest failing case, its seed, and GradCheck's report of the worst entries.
        /// </summary>
        public static void Sample(Gen<Tensor[]> inputs, Func<Tensor[], Tensor> fn, GradCheckOptions? options = null,
            long iter = 100, string? seed = null)
        {
            try
            {
                inputs.Sample(xs => GradCheck.Assert(fn, xs, options), iter: iter, threads: 1, seed: seed,
                    print: xs => string.Join("\n", xs.Select(x => x.ToString())));
            }
            catch (CsCheckException e) when (e.InnerException is not null)
            {
                // CsCheck's message holds the shrunk inputs and the seed; the inner exception, GradCheck's report
                throw new GradCheckException($"{e.Message}\n{e.InnerException.Message}");
            }
        }

        /// <summary>The same for a function of one tensor.</summary>
        public static void Sample(Gen<Tensor> input, Func<Tensor, Tensor> fn, GradCheckOptions? options = null,
            long iter = 100, string? seed = null) =>
            GradCheck.Sample(input.Select(x => new[] { x }), xs => fn(xs[0]), options, iter, seed);
    }
}
