using System.IO.Compression;
using RawGan.Backends;
using RawGan.Backends.Cuda;
using RawGan.Cli;
using RawGan.Gan;
using RawGan.GpuEmulator;
using Spectre.Console;

namespace RawGan.Tests.Cli;

/// <summary>The `rawgan` commands as a user types them: argument errors are one clear line and exit code 2; a tiny
/// run trains, writes its folder, resumes and samples.</summary>
[Collection(nameof(ConsoleCollection))]
public class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-cli-").FullName;
    private readonly StringWriter _out = new();

    public CliTests() =>
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_out), Interactive = InteractionSupport.No });

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Output) Run(params string[] args)
    {
        int code = Program.Main(args);
        return (code, _out.ToString());
    }

    [Theory]
    [InlineData("--epochs 0", "--epochs must be positive")]
    [InlineData("--model gan", "--model must be mlp, dcgan, cgan or cdcgan")]
    [InlineData("--loss huber", "--loss must be bce, mse, wgan-gp or hinge, not 'huber'")]
    [InlineData("--loss hinge --label-smoothing 0.1", "--label-smoothing")]
    [InlineData("--diff-augment colour", "--diff-augment: 'colour' is not a policy")]
    [InlineData("--model cgan --loss wgan-gp --label-smoothing 0.1", "--loss wgan-gp has no target to smooth")]
    [InlineData("--loss wgan-gp --r1-gamma 10", "--r1-gamma cannot be combined with --loss wgan-gp")]
    [InlineData("--model dcgan --r1-gamma 10", "--model dcgan's discriminator has BatchNorm")]
    [InlineData("--model mlp --d-norm none", "--d-norm chooses the DCGAN discriminator's normalisation")]
    [InlineData("--d-norm group", "--d-norm must be batch or none, not 'group'")]
    [InlineData("--variant keras", "--variant must be pytorch or tensorflow, not 'keras'")]
    [InlineData("--resize Crop", "--resize must be crop, fit or pad, not 'Crop'")]
    [InlineData("--on-nan skip", "--on-nan must be stop or rollback, not 'skip'")]
    [InlineData("--channels 2", "--channels must be 1 or 3")]
    [InlineData("--device tpu", "Unknown device 'tpu'")]
    [InlineData("--data /no/such/folder", "/no/such/folder")]
    [InlineData("--model dcgan --image-size 48", "power of two")]
    public void Bad_train_options_fail_with_a_message_naming_them(string args, string expected)
    {
        (int code, string output) = Run(["train", .. args.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(expected, output.Replace("\n", ""));
    }

    [Fact]
    public void Config_file_errors_name_the_file()
    {
        string bad = Path.Combine(_dir, "bad.json");
        File.WriteAllText(bad, """{ "model": "cgan", "epoch": 3 }""");
        (int code, string output) = Run("train", "--config", bad);
        Assert.Equal(2, code);
        Assert.Contains("bad.json", output.Replace("\n", ""));
        Assert.Contains("epoch", output);

        Assert.Equal(2, Run("train", "--config", Path.Combine(_dir, "missing.json")).Code);
        Assert.Equal(2, Run("train", "--config", bad, "--resume", _dir).Code);
    }

    [Fact]
    public void A_device_failure_is_one_line_and_exit_code_4()
    {
        Assert.Equal(4, Program.Guard(() => throw new OutOfMemoryException("CUDA out of memory: could not allocate 4194304 bytes.")));
        Assert.Equal(4, Program.Guard(() => throw new RawGan.Backends.Cuda.CudaException("cuda", "cuLaunchKernel(...)", 700,
            "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered")));
        string output = _out.ToString().Replace("\n", "");
        Assert.Contains("CUDA out of memory: could not allocate 4194304 bytes.", output);
        Assert.Contains("cuLaunchKernel(...) failed: CUDA_ERROR_ILLEGAL_ADDRESS", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }

    [Fact]
    public void Unparseable_values_are_rejected_by_the_parser() =>
        Assert.NotEqual(0, Run("train", "--batch-size", "many").Code);

    [Fact]
    public void Sample_needs_exactly_one_source()
    {
        Assert.Equal(2, Run("sample").Code);
        Assert.Equal(2, Run("sample", "--run", _dir, "--checkpoint", Path.Combine(_dir, "x.safetensors")).Code);
        (int code, string output) = Run("sample", "--checkpoint", Path.Combine(_dir, "none.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("none.safetensors", output);
    }

    [Fact]
    public void Resume_of_a_folder_without_checkpoint_fails_clearly()
    {
        (int code, string output) = Run("train", "--resume", _dir);
        Assert.Equal(2, code);
        Assert.Contains("latest.safetensors", output);
    }

    [Fact]
    public void A_tiny_run_trains_resumes_and_samples()
    {
        string data = WriteIdx(Path.Combine(_dir, "mnist"), count: 40);
        string runs = Path.Combine(_dir, "runs");
        string config = Path.Combine(_dir, "tiny.json");
        File.WriteAllText(config, """{ "model": "cgan", "batchSize": 20, "epochs": 1, "nz": 8, "sampleEvery": 1 }""");

        (int code, string output) = Run("train", "--config", config, "--data", data, "--out", runs, "--device", "cpu");
        Assert.True(code == 0, output);
        string run = Directory.GetDirectories(runs).Single();
        foreach (string f in new[] { "config.json", "metrics.csv", "loss.png", "generator.safetensors", "checkpoints/latest.safetensors", "samples/step-000001.png", "samples/epoch-001.png" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} missing; output: {output}");
        Assert.Contains("\"batchSize\": 20", File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);

        Assert.Equal(2, Run("train", "--resume", run, "--nz", "16").Code); // would change the model
        var resumed = Run("train", "--resume", run, "--epochs", "2");
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);

        Assert.Equal(0, Run("sample", "--run", run, "--count", "10", "--grid", "--label", "7").Code);
        Assert.True(File.Exists(Path.Combine(run, "sample-1", "grid-label7.png")));
        Assert.Equal(2, Run("sample", "--run", run, "--label", "12").Code);
        Assert.Equal(0, Run("sample", "--run", run, "--count", "3", "--out", Path.Combine(_dir, "out")).Code);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_dir, "out"), "*.png").Length);
        Assert.Equal(0, Run("info", Path.Combine(run, "generator.safetensors")).Code);
    }

    /// <summary>One epoch of a tiny MLP run on the CPU with <paramref name="flags"/>: its folder, data and output.</summary>
    private (string Run, string Data, string Output) TrainTinyMlp(params string[] flags)
    {
        string data = WriteIdx(Path.Combine(_dir, "mnist"), count: 20);
        string runs = Path.Combine(_dir, "runs");
        (int code, string output) = Run(["train", "--model", "mlp", "--data", data, "--out", runs, "--device", "cpu", "--epochs", "1",
            "--batch-size", "10", "--nz", "8", .. flags]);
        Assert.True(code == 0, output);
        return (Directory.GetDirectories(runs).Single(), data, output);
    }

    [Fact]
    public void Tf32_is_part_of_the_run_config_and_may_change_on_resume()
    {
        (string run, _, _) = TrainTinyMlp("--tf32");
        Assert.Contains("\"tf32\": true", File.ReadAllText(Path.Combine(run, "config.json")));

        var resumed = Run("train", "--resume", run, "--epochs", "2", "--tf32", "false");
        Assert.True(resumed.Code == 0, resumed.Output);

        // --cuda-graphs does not change what is trained either: on resume it is judged as an option (here: CPU),
        // not refused as a change of the run's configuration.
        var graphs = Run("train", "--resume", run, "--epochs", "3", "--cuda-graphs");
        Assert.Equal(2, graphs.Code);
        Assert.Contains("--cuda-graphs", graphs.Output);
        Assert.DoesNotContain("as it was configured", graphs.Output);
    }

    [Fact]
    public void The_tf32_key_becomes_the_backends_precision_and_the_cpu_reports_what_it_computes()
    {
        Assert.Equal(Precision.Tf32, DeviceChoice.PrecisionOf(new GanConfig { Tf32 = true }));
        Assert.Equal(Precision.Fp32, DeviceChoice.PrecisionOf(new GanConfig()));
        IBackend cpu = DeviceChoice.Resolve(new GanConfig { Device = "cpu", Tf32 = true });
        Assert.Equal(Precision.Fp32, cpu.Precision); // as PyTorch ignores allow_tf32 on the CPU
        Assert.Equal(cpu.Name, DeviceChoice.Describe(cpu));
        CudaBackend gpu = EmulatedGpu.Backend;
        Assert.Equal($"{gpu.Name}, TF32", DeviceChoice.Describe(gpu.Resources.Backend(Precision.Tf32)));
        Assert.Equal(gpu.Name, DeviceChoice.Describe(gpu));
    }

    [Fact]
    public void Precision_bf16_on_the_cpu_trains_in_fp32_with_a_notice_is_kept_in_the_config_and_may_change_on_resume()
    {
        (string run, string data, string output) = TrainTinyMlp("--precision", "bf16");
        Assert.Contains("--precision bf16: cpu has no faster bf16 arithmetic; computing in fp32.", output);
        Assert.Contains("\"precision\": \"bf16\"", File.ReadAllText(Path.Combine(run, "config.json")));

        var resumed = Run("train", "--resume", run, "--epochs", "2", "--precision", "fp32");
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.DoesNotContain("--precision bf16", resumed.Output[output.Length..]); // (the output accumulates)

        var contradiction = Run("train", "--model", "mlp", "--data", data, "--out", Path.Combine(_dir, "none"), "--tf32", "--precision", "bf16");
        Assert.NotEqual(0, contradiction.Code);
        Assert.Contains("--tf32 and --precision bf16 disagree", contradiction.Output);
        Assert.False(Directory.Exists(Path.Combine(_dir, "none")));
        Assert.Contains("--precision must be fp32, tf32 or bf16, not 'fp16'", Run("train", "--precision", "fp16").Output);
    }

    [Fact]
    public void Channels_last_on_the_cpu_is_noticed_kept_in_the_config_and_may_change_on_resume()
    {
        (string run, _, string output) = TrainTinyMlp("--channels-last");
        Assert.Contains("--channels-last: cpu computes convolutions in NCHW; no effect here.", output);
        Assert.Contains("\"channelsLast\": true", File.ReadAllText(Path.Combine(run, "config.json")));

        var resumed = Run("train", "--resume", run, "--epochs", "2", "--channels-last", "false");
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.DoesNotContain("as it was configured", resumed.Output);
    }

    [Fact]
    public void The_precision_key_wins_over_tf32_and_only_bf16_asked_of_the_cpu_is_noticed()
    {
        Assert.Equal(Precision.Bf16, DeviceChoice.PrecisionOf(new GanConfig { Precision = Precision.Bf16 }));
        Assert.Equal(Precision.Tf32, DeviceChoice.PrecisionOf(new GanConfig { Precision = Precision.Tf32, Tf32 = true }));
        Assert.Null(Devices.Resolve("cpu", Precision.Tf32).PrecisionNotice);
        Assert.Null(Devices.Resolve("cpu", Precision.Fp32).PrecisionNotice);
        DeviceResolution bf16 = Devices.Resolve("cpu", Precision.Bf16);
        Assert.Equal(Precision.Fp32, bf16.Backend.Precision);
        Assert.Equal("--precision bf16: cpu has no faster bf16 arithmetic; computing in fp32.", bf16.PrecisionNotice);
        Assert.Equal($"{EmulatedGpu.Backend.Name}, BF16", DeviceChoice.Describe(EmulatedGpu.Backend.Resources.Backend(Precision.Bf16)));
    }

    /// <summary>Writes train-images/labels IDX files (gzip) of random 28×28 digits with labels 0..9.</summary>
    internal static string WriteIdx(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(1);
        var images = new byte[16 + count * 784];
        rng.NextBytes(images);
        WriteHeader(images, 2051, count, 28, 28);
        var labels = new byte[8 + count];
        WriteHeader(labels, 2049, count);
        for (int i = 0; i < count; i++) labels[8 + i] = (byte)(i % 10);
        Gzip(Path.Combine(folder, "train-images-idx3-ubyte.gz"), images);
        Gzip(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), labels);
        return folder;
    }

    private static void WriteHeader(byte[] buffer, int magic, params int[] dims)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer, magic);
        for (int i = 0; i < dims.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(4 + 4 * i), dims[i]);
    }

    private static void Gzip(string path, byte[] data)
    {
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(data);
    }
}

[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public class ConsoleCollection;
