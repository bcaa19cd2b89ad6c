namespace Framework.Examples;

/// <summary>The options every lab takes: --seed, --quick, --device, --out, --data.</summary>
public sealed record LabOptions(ulong Seed, bool Quick, Device Device, string OutDir, string? Data)
{
    public static LabOptions Parse(string lab, string[] args)
    {
        ulong seed = 0;
        bool quick = false;
        string? device = null, outDir = null, data = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--seed": seed = ulong.TryParse(Next(), out var v) ? v : throw new ArgumentException($"--seed takes a non-negative integer, got '{args[i]}'"); break;
                case "--quick": quick = true; break;
                case "--device": device = Next(); break;
                case "--out": outDir = Next(); break;
                case "--data": data = Next(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}' (options: --seed N, --quick, --device NAME, --out DIR, --data NAME)");
            }
        }
        var dir = outDir ?? Path.Combine(Environment.CurrentDirectory, "lab-output", lab);
        Directory.CreateDirectory(dir);
        return new LabOptions(seed, quick, device is null ? Device.Default : Device.Parse(device), dir, data);
    }
}

/// <summary>
/// What a lab reports: its losses (first and last: a quick run's loss must go down, the tests check it),
/// a headline, and the pictures it wrote (the tests check they are PNG files).
/// </summary>
public sealed record LabResult(string Lab, double FirstLoss, double LastLoss, string Headline, IReadOnlyList<string>? Files = null);
