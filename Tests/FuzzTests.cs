using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Framework.Tests;

/// <summary>
/// Reliability fuzzing driven by the catalog: each op's valid samples are mutated (wrong rank, a changed or
/// zero-size dim, float32 among float64, int64 where floats belong, NaN and infinity) and called, forward
/// and backward. Every call must either succeed or throw a documented exception (ArgumentException and
/// subclasses, InvalidOperationException, NotSupportedException) whose message starts with an op's name —
/// never IndexOutOfRange, NullReference, InvalidCast, DivideByZero, Overflow, nor hang.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private enum Mutation { DropDim, AddDim, GrowDim, ZeroDim, Float32, Int64, NaN, Infinity }

    private static readonly System.Text.RegularExpressions.Regex OpPrefix = new(@"^[a-z][a-z0-9_]*(\+[a-z0-9_]+)?: ", System.Text.RegularExpressions.RegexOptions.Compiled);

    public static TheoryData<string> Ops() => CatalogTests.Ops();

    [Theory, Trait("Category", "Fuzz")]
    [MemberData(nameof(Ops))]
    public void Mutated_inputs_succeed_or_fail_with_a_documented_message(string op)
    {
        var info = Catalog.Find(op);
        int cases = 0;
        var gen = from s in info.Samples
                  from m in Gen.Enum<Mutation>()
                  from which in Gen.Int[0, s.Inputs.Length - 1]
                  from dim in Gen.Int[0, 7]
                  select (s, m, which, dim);
        gen.Sample(c =>
        {
            Interlocked.Increment(ref cases);
            var (s, m, which, dim) = c;
            var inputs = s.Inputs.ToArray();
            inputs[which] = Mutate(inputs[which], m, dim);
            var task = Task.Run(() =>
            {
                try
                {
                    var y = s.Fn(inputs);
                    if (y.RequiresGrad) y.Backward(Tensor.OnesLike(y));
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
                {
                    if (!OpPrefix.IsMatch(e.Message))
                        throw new Xunit.Sdk.XunitException($"{op} with {m} of input {which}: the message does not start with an op name: {e.GetType().Name}: {e.Message}");
                }
            });
            if (!task.Wait(TimeSpan.FromSeconds(20)))
                throw new Xunit.Sdk.XunitException($"{op} with {m} of input {which}: no answer within 20 s (hang?)");
            if (task.Exception is { } agg)
            {
                var e = agg.InnerException!;
                if (e is Xunit.Sdk.XunitException) throw e;
                throw new Xunit.Sdk.XunitException($"{op} with {m} of input {which} ({inputs[which].DType.Name()} {inputs[which].Shape}): undocumented {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }, iter: 64, threads: 1, print: c => $"{c.m} of input {c.which}: {c.s}");
        output.WriteLine($"{op}: {cases} fuzz cases");
    }

    private static Tensor Mutate(Tensor x, Mutation m, int dimSeed)
    {
        var dims = x.Shape.ToArray();
        int d = dims.Length == 0 ? 0 : dimSeed % dims.Length;
        Tensor Fresh(int[] shape) => Make(Tensor.Randn(new Shape(shape), DType.Float64, new Generator((ulong)dimSeed)), x);
        switch (m)
        {
            case Mutation.DropDim:
                return dims.Length == 0 ? x : Fresh(dims.Where((_, i) => i != d).ToArray());
            case Mutation.AddDim:
                return Fresh([2, .. dims]);
            case Mutation.GrowDim:
                if (dims.Length == 0) return x;
                dims[d] += 1;
                return Fresh(dims);
            case Mutation.ZeroDim:
                if (dims.Length == 0) return x;
                dims[d] = 0;
                return Fresh(dims);
            case Mutation.Float32:
                return x.DType == DType.Float64 ? Make(x.ConvertTo(DType.Float32), x) : x;
            case Mutation.Int64:
                return x.DType.IsFloatingPoint() ? x.ConvertTo(DType.Int64) : x;
            default:
                if (!x.DType.IsFloatingPoint() || x.Numel == 0) return x;
                var v = x.ToDoubleArray();
                v[dimSeed % v.Length] = m == Mutation.NaN ? double.NaN : double.PositiveInfinity;
                return Make(Tensor.FromDoubles(v, x.Shape, x.DType), x);
        }
    }

    private static Tensor Make(Tensor t, Tensor like)
    {
        if (like.DType.IsFloatingPoint() && t.DType != like.DType && t.DType.IsFloatingPoint() && like.DType == DType.Int64) return t;
        if (t.DType != like.DType && like.DType is DType.Int64 or DType.Bool) t = t.ConvertTo(like.DType);
        if (like.RequiresGrad && t.DType.IsFloatingPoint()) t.RequiresGrad = true;
        return t;
    }
}
