using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RawGan.Backends.Cpu;
using RawGan.Cli;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.IO.Onnx;
using RawGan.Tensors;
using Tensor = RawGan.Tensors.Tensor;
using RawGan.Tests.Cli;
using RawGan.Tests.Serve;
using Spectre.Console;

namespace RawGan.Tests.IO;

/// <summary>Exported generators run in ONNX Runtime, a consumer that is not ours, and give RawGan's images for the
/// same noise and labels, for every model kind, at more than one batch size.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class OnnxExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The GPU bundle leaves ONNX Runtime's native library out (tools/gpu/pack.sh: it would not fit the
    /// device tool's 64 MiB): there these tests say so and skip, and CI, where the library is present, runs them.</summary>
    private static void RequireOnnxRuntime() =>
        Assert.SkipUnless(NativeLibrary.TryLoad("onnxruntime", typeof(InferenceSession).Assembly, null, out _),
            "ONNX Runtime's native library (libonnxruntime) is not beside the tests (a GPU bundle leaves it out)");

    [Theory]
    [InlineData("mlp", "pytorch", 1, 8, 0)]
    [InlineData("cgan", "pytorch", 1, 8, 3)]
    [InlineData("dcgan", "pytorch", 1, 16, 0)]
    [InlineData("dcgan", "tensorflow", 3, 16, 0)]
    [InlineData("cdcgan", "pytorch", 3, 8, 4)]
    [InlineData("cdcgan", "tensorflow", 1, 8, 3)]
    public void Onnx_runtime_gives_rawgans_images(string model, string variant, int channels, int size, int classes)
    {
        RequireOnnxRuntime();
        string file = TinyGenerators.Write(Path.Combine(_dir, model + variant), model, variant, channels, size, classes);
        (GanGenerator g, Checkpoint.Info info) = Sampling.LoadGenerator(file, CpuBackend.Default);
        using var session = new InferenceSession(OnnxExport.Export(g, info));

        Assert.Equal(model, session.ModelMetadata.CustomMetadataMap["model"]);
        Assert.Equal("8", session.ModelMetadata.CustomMetadataMap["nz"]);
        Assert.Equal(size.ToString(), session.ModelMetadata.CustomMetadataMap["image_size"]);
        Assert.Equal(classes.ToString(), session.ModelMetadata.CustomMetadataMap["classes"]);
        Assert.Equal(GanConfig.FromJson(session.ModelMetadata.CustomMetadataMap["config"], "metadata"), info.Config);
        Assert.Equal(classes > 0 ? ["z", "labels"] : ["z"], session.InputMetadata.Keys);

        foreach (int batch in new[] { 1, 5 })
        {
            float[] z = Tensor.Randn(new Shape(batch, g.LatentSize), new Generator((ulong)batch)).ToFloatArray();
            int[] labels = Enumerable.Range(0, batch).Select(i => classes > 0 ? (i * 2 + 1) % classes : 0).ToArray();
            float[] expected = Sampling.Generate(g, Tensor.FromArray(z, new Shape(batch, g.LatentSize)),
                classes > 0 ? Tensor.FromArray(labels, new Shape(batch)) : null);

            var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("z", new DenseTensor<float>(z, [batch, g.LatentSize])) };
            if (classes > 0) inputs.Add(NamedOnnxValue.CreateFromTensor("labels", new DenseTensor<long>(labels.Select(l => (long)l).ToArray(), [batch])));
            using var results = session.Run(inputs);
            var images = (DenseTensor<float>)results.Single(r => r.Name == "images").AsTensor<float>();
            Assert.Equal([batch, channels, size, size], images.Dimensions.ToArray());
            float[] actual = images.Buffer.ToArray();
            float worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 1e-5f, $"{model}/{variant} batch {batch}: largest difference {worst}");
        }
    }

    [Fact]
    public void Rawgan_export_writes_a_file_onnx_runtime_loads()
    {
        RequireOnnxRuntime();
        string run = Path.GetDirectoryName(TinyGenerators.Write(Path.Combine(_dir, "run"), "dcgan"))!;
        string onnx = Path.Combine(_dir, "gen.onnx");
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        Assert.Equal(0, Program.Main(["export", "--run", run, "--onnx", onnx]));
        using var session = new InferenceSession(onnx);
        Assert.Equal("batch", session.InputMetadata["z"].SymbolicDimensions[0]);
        Assert.Equal(2, Program.Main(["export", "--onnx", onnx]));
    }
}
