using RawGan.Cli;
using RawGan.Cli.Commands;
using RawGan.Tests.Serve;
using Spectre.Console;

namespace RawGan.Tests.Cli;

/// <summary>`rawgan sample` never overwrites (each call its own folder beside the run's training grids, --out
/// checked), splits grids too large for one PNG, pads names to the count's width, and holds the class on a walk.</summary>
[Collection(nameof(ConsoleCollection))]
public class SampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-sample-").FullName;
    private readonly StringWriter _out = new();
    private readonly string _generator;

    public SampleTests()
    {
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_out), Interactive = InteractionSupport.No });
        _generator = TinyGenerators.Write(Path.Combine(_dir, "run"), "cdcgan", classes: 3);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Output) Run(params string[] args)
    {
        _out.GetStringBuilder().Clear();
        int code = Program.Main(["sample", "--checkpoint", _generator, "--device", "cpu", .. args]);
        return (code, _out.ToString().Replace("\n", ""));
    }

    private string RunFolder => Path.GetDirectoryName(_generator)!;

    [Fact]
    public void Each_call_writes_a_new_folder_beside_the_training_grids()
    {
        string grids = Directory.CreateDirectory(Path.Combine(RunFolder, "samples")).FullName;
        File.WriteAllText(Path.Combine(grids, "step-000001.png"), "a training grid");

        Assert.Equal(0, Run("--count", "3").Code);
        Assert.Equal(0, Run("--count", "3", "--seed", "1").Code);
        Assert.Equal(0, Run("--count", "3", "--grid").Code);

        Assert.Equal(["sample-0000.png", "sample-0001.png", "sample-0002.png"], Files(Path.Combine(RunFolder, "sample-1")));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(RunFolder, "sample-1", "sample-0000.png")), File.ReadAllBytes(Path.Combine(RunFolder, "sample-2", "sample-0000.png")));
        Assert.Equal(["grid.png"], Files(Path.Combine(RunFolder, "sample-3")));
        Assert.Equal(["step-000001.png"], Files(grids));
        Assert.Equal("a training grid", File.ReadAllText(Path.Combine(grids, "step-000001.png")));
    }

    [Fact]
    public void An_out_folder_that_holds_the_names_is_refused_untouched()
    {
        string output = Path.Combine(_dir, "mine");
        Assert.Equal(0, Run("--count", "2", "--out", output).Code);
        byte[] first = File.ReadAllBytes(Path.Combine(output, "sample-0001.png"));

        (int code, string message) = Run("--count", "2", "--out", output, "--seed", "9");
        Assert.Equal(2, code);
        Assert.Contains("sample-0000.png exists and would be overwritten", message);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(output, "sample-0001.png")));
    }

    [Fact]
    public void A_grid_too_large_for_one_png_is_split_with_a_warning()
    {
        // 3 classes: 3 columns, so a grid holds 1,023 images (whole rows) and 2,100 need three.
        (int code, string output) = Run("--count", "2100", "--grid", "--out", Path.Combine(_dir, "big"));
        Assert.True(code == 0, output);
        Assert.Contains("split over 3 grids", output);
        Assert.Equal(["grid-1.png", "grid-2.png", "grid-3.png"], Files(Path.Combine(_dir, "big")));
    }

    [Fact]
    public void Names_are_padded_to_the_counts_width()
    {
        Assert.Equal("sample-0000.png", SampleOutput.ImageName(0, 64));
        Assert.Equal("sample-9999.png", SampleOutput.ImageName(9999, 10_000));
        Assert.Equal("sample-00000.png", SampleOutput.ImageName(0, 100_000));
        Assert.Equal("sample-99999.png", SampleOutput.ImageName(99_999, 100_000));
    }

    [Fact]
    public void Interpolate_on_a_conditional_model_holds_one_class_and_says_which()
    {
        (int code, string output) = Run("--interpolate", "--grid", "--count", "6", "--out", Path.Combine(_dir, "walk"));
        Assert.True(code == 0, output);
        Assert.Contains("holds the class fixed along the walk: class 0", output);
        Assert.Equal(0, Run("--interpolate", "--grid", "--count", "6", "--label", "0", "--out", Path.Combine(_dir, "walk0")).Code);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "walk0", "interpolation.png")), File.ReadAllBytes(Path.Combine(_dir, "walk", "interpolation.png")));
    }

    private static string[] Files(string folder) => Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Quantize_takes_int8_or_bf16_and_refuses_anything_else_in_one_line()
    {
        Assert.Equal(0, Run("--count", "2", "--quantize", "int8").Code);
        Assert.Equal(0, Run("--count", "2", "--quantize", "bf16").Code);
        (int code, string output) = Run("--count", "2", "--quantize", "int4");
        Assert.Equal(2, code);
        // The console wraps long lines (joined again here) and may colour them, so the message is checked in pieces.
        Assert.Contains("--quantize must be none, int8", output);
        Assert.Contains("not 'int4'.", output);
        Assert.DoesNotContain("   at ", output);
    }
}
