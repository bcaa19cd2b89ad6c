using Framework.Examples;
using Xunit;

namespace Framework.Tests;

/// <summary>Every lab's quick run finishes, its loss goes down, and the pictures it names are PNG files.</summary>
[Collection("Labs")]
public class LabTests
{
    public static TheoryData<string> AllLabs()
    {
        var d = new TheoryData<string>();
        foreach (var name in Labs.All.Keys) d.Add(name);
        return d;
    }

    [Theory, Trait("Category", "Lab")]
    [MemberData(nameof(AllLabs))]
    public void Quick_run_finishes_its_loss_goes_down_and_its_pictures_are_pngs(string lab)
    {
        var info = Labs.All[lab];
        var dir = Path.Combine(Path.GetTempPath(), "framework-lab-tests", lab + "-" + Guid.NewGuid().ToString("N")[..8]);
        var options = LabOptions.Parse(lab, ["--quick", "--seed", "1", "--out", dir, "--device", "cpu"]);
        var result = info.Run(options);
        if (info.Trains)
            Assert.True(result.LastLoss < result.FirstLoss,
                $"{lab}: the quick run's loss did not go down (first {result.FirstLoss}, last {result.LastLoss})");
        foreach (var file in result.Files ?? [])
        {
            Assert.True(File.Exists(file), $"{lab}: the lab reported {file}, which does not exist");
            var head = new byte[8];
            using (var s = File.OpenRead(file)) Assert.Equal(8, s.Read(head, 0, 8));
            Assert.True(head.SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), $"{lab}: {file} is not a PNG");
            Assert.True(new FileInfo(file).Length > 500, $"{lab}: {file} is suspiciously small");
        }
        Directory.Delete(dir, recursive: true);
    }
}

/// <summary>The labs' command line: the list, an unknown lab, a bad option.</summary>
[Collection("Labs")]
public class LabCliTests
{
    [Fact]
    public void No_arguments_list_the_labs_and_succeed() => Assert.Equal(0, Cli.Run([]));

    [Fact]
    public void An_unknown_lab_lists_the_labs_and_fails_with_2() => Assert.Equal(2, Cli.Run(["nope"]));

    [Fact]
    public void An_unknown_option_is_a_clear_error_with_exit_code_1() => Assert.Equal(1, Cli.Run(["gradcheck", "--bogus"]));

    [Fact]
    public void A_seed_that_is_not_a_number_is_a_clear_error_with_exit_code_1() => Assert.Equal(1, Cli.Run(["gradcheck", "--seed", "abc"]));
}
