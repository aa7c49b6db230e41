namespace RawGan.Tests.Cli;

/// <summary>`rawgan eval`'s Inception options are checked before any work: a count too small for FID's covariance
/// and an unknown resize name are one-line usage errors (exit 2) that say what is needed.</summary>
public sealed class EvalInceptionOptionTests
{
    [Theory]
    [InlineData(new[] { "--count", "500", "--inception", "w.safetensors" }, "needs at least 2048")]
    [InlineData(new[] { "--inception-resize", "sharp" }, "--inception-resize must be legacy or clean, not 'sharp'")]
    public void Bad_inception_options_are_usage_errors(string[] options, string expected)
    {
        (int code, string output) = RawGanProcess.Run(Path.GetTempPath(), 60, ["eval", "--checkpoint", "no-such-generator.safetensors", .. options]);
        Assert.True(code == 2, output);
        Assert.Contains(expected, output);
    }
}
