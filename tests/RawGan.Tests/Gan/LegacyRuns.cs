using System.Runtime.CompilerServices;
using RawGan.Backends.Cpu;
using RawGan.Gan;

namespace RawGan.Tests.Gan;

/// <summary>
/// Small runs whose checkpoints, written by an earlier build, live in Gan/data/legacy/NAME/: config.json, the
/// checkpoint at <see cref="CheckpointStep"/> and the one an uninterrupted run wrote at <see cref="FinalStep"/>.
/// A build that can resume the first and reproduce the second bit for bit reads old files as the old code did.
/// The configs are JSON text, not <see cref="GanConfig"/> initialisers, so they compile against any build.
/// They run on <see cref="CpuBackend.Default"/>, the one backend whose code the old build shares, and every tensor is
/// small enough that no primitive splits its work over threads (the core count would change the order of sums); the
/// SIMD GEMM's bits do depend on the vector width, so the files are those of an AVX-512 machine, as CI's is.
/// </summary>
internal static class LegacyRuns
{
    /// <summary>The step of the stored checkpoint: mid-epoch (2 batches per epoch).</summary>
    public const int CheckpointStep = 3;
    /// <summary>The step the stored final checkpoint was written at: the next epoch, mid-epoch again.</summary>
    public const int FinalStep = 5;

    /// <summary>Each run's config as JSON: the default recipe, and every enumerated option away from its default.</summary>
    public static readonly IReadOnlyDictionary<string, string> Configs = new Dictionary<string, string>
    {
        ["dcgan"] = """
            { "model": "dcgan", "nz": 8, "ngf": 4, "ndf": 4, "batchSize": 4, "epochs": 3, "seed": 7, "device": "cpu",
              "sampleEvery": 0, "checkpointEvery": 0, "logEvery": 1 }
            """,
        ["cdcgan-tensorflow-mse"] = """
            { "model": "cdcgan", "variant": "tensorflow", "loss": "mse", "resize": "fit", "onNan": "rollback",
              "nz": 8, "ngf": 4, "ndf": 4, "batchSize": 4, "epochs": 3, "seed": 7, "device": "cpu",
              "sampleEvery": 0, "checkpointEvery": 0, "logEvery": 1 }
            """,
    };

    /// <summary>The data every legacy run trains on: 10 labelled 16×16 images, so 2 batches of 4 per epoch.</summary>
    public static TinyDataset Data() => new(10, 1, 16, 3);

    public static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Gan", "data", "legacy", name);

    public static string CheckpointFile(string folder, int step) => Path.Combine(folder, $"step-{step}.safetensors");

    /// <summary>Rewrites Gan/data/legacy/ in the source tree with this build (see Gan/data/README.md).</summary>
    public static void WriteAll([CallerFilePath] string thisFile = "")
    {
        string root = Path.Combine(Path.GetDirectoryName(thisFile)!, "data", "legacy");
        foreach ((string name, string json) in Configs)
        {
            string folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            GanConfig config = GanConfig.FromJson(json, name);
            foreach (int step in new[] { CheckpointStep, FinalStep })
            {
                string run = Directory.CreateTempSubdirectory("rawgan-legacy-").FullName;
                try
                {
                    using (var training = TrainingRun.Create(config, Data(), CpuBackend.Default, run))
                        training.Run(stopAtStep: step);
                    File.Copy(Path.Combine(run, "checkpoints", "latest.safetensors"), CheckpointFile(folder, step), overwrite: true);
                    File.Copy(Path.Combine(run, "config.json"), Path.Combine(folder, "config.json"), overwrite: true);
                }
                finally
                {
                    Directory.Delete(run, recursive: true);
                }
            }
        }
    }
}
