using RawGan.Cli;
using RawGan.Tests.Data;
using Spectre.Console;

namespace RawGan.Tests.Cli;

/// <summary>Messages say what exists and what to do, in the user's terms (no .NET type names, lines counted from
/// 1), and exit codes follow one table: 0 done, 2 usage or bad input, 3 diverged, 4 device failure, 128+N signals.</summary>
[Collection(nameof(ConsoleCollection))]
public class MessageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-messages-").FullName;
    private readonly StringWriter _out = new();

    public MessageTests() =>
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_out), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No });

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Output) Run(params string[] args)
    {
        int code = Program.Main(args);
        return (code, _out.ToString().Replace("\n", ""));
    }

    [Fact]
    public void A_parse_error_is_one_line_pointing_at_the_help_with_exit_code_2()
    {
        (int code, string output) = RawGanProcess.Run(_dir, 60, "train", "--batch-size", "many");
        Assert.Equal(2, code);
        Assert.Contains("see rawgan train --help", output);
        Assert.DoesNotContain("Usage:", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--lr", "Infinity")]
    [InlineData("--lr", "NaN")]
    [InlineData("--beta1", "NaN")]
    [InlineData("--beta2", "-Infinity")]
    public void Non_finite_numbers_are_rejected_up_front(string option, string value)
    {
        (int code, string output) = Run("train", option, value, "--out", Path.Combine(_dir, "runs"));
        Assert.Equal(2, code);
        Assert.Contains(option, output);
        Assert.DoesNotContain("System.", output);
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")));
    }

    [Fact]
    public void Cuda_graphs_on_the_cpu_are_one_line_before_any_folder()
    {
        (int code, string output) = Run("train", "--cuda-graphs", "--device", "cpu", "--out", Path.Combine(_dir, "runs"));
        Assert.Equal(2, code);
        Assert.Equal("error: --cuda-graphs needs a CUDA device; this run is on cpu.", output.Trim());
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")));
    }

    [Fact]
    public void Data_naming_an_image_file_says_what_data_takes()
    {
        string image = Path.Combine(_dir, "one.png");
        TestFiles.SolidPng(image, 4, 4, 0, 0, 0);
        (int code, string output) = Run("train", "--data", image);
        Assert.Equal(2, code);
        Assert.Contains("is one image", output);
        Assert.DoesNotContain("no such", output);
    }

    [Fact]
    public void An_unknown_config_key_lists_the_valid_ones_and_suggests_the_nearest()
    {
        string config = Path.Combine(_dir, "typo.json");
        File.WriteAllText(config, "{\n  \"model\": \"mlp\",\n  \"epoch\": 3\n}");
        (int code, string output) = Run("train", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("unknown key 'epoch' (did you mean 'epochs'?)", output);
        Assert.Contains("batchSize", output);
        Assert.DoesNotContain(".NET", output);
        Assert.DoesNotContain("GanConfig", output);
    }

    [Fact]
    public void A_value_of_the_wrong_kind_names_the_key_the_kind_and_the_line_from_1()
    {
        string config = Path.Combine(_dir, "kind.json");
        File.WriteAllText(config, "{\n  \"model\": \"mlp\",\n  \"lr\": \"fast\"\n}");
        (int code, string output) = Run("train", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("line 3: 'lr' takes a number", output);
        Assert.DoesNotContain("System.Double", output);
    }

    [Fact]
    public void Divergence_before_any_checkpoint_says_nothing_was_saved_and_lists_only_what_exists()
    {
        string data = CliTests.WriteIdx(Path.Combine(_dir, "mnist"), count: 20);
        (int code, string output) = Run("train", "--model", "mlp", "--data", data, "--out", Path.Combine(_dir, "runs"), "--device", "cpu", "--lr", "1e30",
            "--epochs", "1", "--batch-size", "10", "--nz", "8", "--log-every", "1");
        Assert.True(code == 3, output);
        Assert.Contains("nothing was saved", output);
        Assert.DoesNotContain("latest.safetensors", output);
        Assert.DoesNotContain("loss.png", output);
    }

    [Fact]
    public void Empty_class_folders_and_stray_images_are_noticed_once()
    {
        string root = Path.Combine(_dir, "images");
        for (int i = 0; i < 4; i++) TestFiles.SolidPng(Path.Combine(Directory.CreateDirectory(Path.Combine(root, $"class{i % 2}")).FullName, $"{i}.png"), 8, 8, 0, 0, 0);
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        TestFiles.SolidPng(Path.Combine(root, "stray1.png"), 8, 8, 0, 0, 0);
        TestFiles.SolidPng(Path.Combine(root, "stray2.png"), 8, 8, 0, 0, 0);
        (_, string output) = Run("train", "--model", "mlp", "--data", root, "--out", Path.Combine(_dir, "runs"), "--device", "cpu", "--image-size", "8",
            "--epochs", "1", "--batch-size", "2", "--nz", "8");
        Assert.True(output.Contains("lies beside the class folders"), output);
        Assert.Contains("2 more", output);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("sample")]
    [InlineData("eval")]
    public void An_unknown_device_lists_every_accepted_value_on_one_line(string command)
    {
        string[] source = command == "train" ? [] : ["--checkpoint", Path.Combine(_dir, "none.safetensors")];
        (int code, string output) = Run([command, "--device", "gpu", .. source]);
        Assert.Equal(2, code);
        Assert.Equal("error: Unknown device 'gpu': expected cpu, cuda, cuda:N or auto.", output.Trim());
    }

    [Theory]
    [InlineData("train", "--seed", "-1", "it takes a non-negative whole number")]
    [InlineData("train", "--lr", "fast", "it takes a number")]
    [InlineData("sample", "--label", "x", "it takes a whole number")]
    [InlineData("sample", "--count", "1e3", "it takes a whole number")]
    public void Values_the_parser_rejects_are_named_in_the_users_terms(string command, string option, string value, string expected)
    {
        (int code, string output) = Run(command, option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("System.", output);
    }

    [Fact]
    public void No_message_carries_control_characters_or_parameter_names()
    {
        Assert.Equal(2, Program.Guard(() => throw new InvalidDataException("Cannot decode 'x.png': \0\0\u001b[2J\u0007bad\nrow")));
        Assert.Equal(2, Program.Guard(() => throw new ArgumentException("--count must be positive.", "count")));
        string output = _out.ToString();
        Assert.DoesNotContain(output, c => char.IsControl(c) && c != '\n');
        Assert.Contains("Cannot decode 'x.png': [2Jbad row", output);
        Assert.Contains("--count must be positive.", output);
        Assert.DoesNotContain("Parameter", output);
    }

    [Fact]
    public void Info_on_a_folder_says_it_is_a_folder()
    {
        (int code, string output) = Run("info", _dir);
        Assert.Equal(2, code);
        Assert.Contains("is a folder: info takes a .safetensors file", output);
        Assert.DoesNotContain("no such file", output);
    }

    [Fact]
    public void Config_naming_a_folder_says_it_is_a_folder()
    {
        (int code, string output) = Run("train", "--config", _dir);
        Assert.Equal(2, code);
        Assert.Contains("a folder, not a JSON file", output);
        Assert.DoesNotContain("no such file", output);
    }

    [Fact]
    public void An_out_folder_that_cannot_be_made_names_the_option()
    {
        string blocker = Path.Combine(_dir, "a-file");
        File.WriteAllText(blocker, "");
        (int code, string output) = Run("train", "--out", Path.Combine(blocker, "runs"), "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains($"--out {Path.Combine(blocker, "runs")}: cannot create the run folder", output);
    }

    [Fact]
    public void A_data_error_comes_before_any_device_notice()
    {
        (int code, string output) = Run("train", "--data", Path.Combine(_dir, "missing"), "--device", "auto");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --data", output.TrimStart());
    }

    [Fact]
    public void Help_states_each_default_once_and_info_file_as_optional()
    {
        foreach (string command in new[] { "train", "sample", "eval", "serve" })
        {
            (int code, string help) = RawGanProcess.Run(_dir, 60, command, "--help");
            Assert.Equal(0, code);
            Assert.DoesNotContain("[default:", help);
        }
        (_, string top) = RawGanProcess.Run(_dir, 60, "--help");
        Assert.Contains("info [file]", top);
    }
}
