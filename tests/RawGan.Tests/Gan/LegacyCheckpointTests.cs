using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.IO;

namespace RawGan.Tests.Gan;

/// <summary>Checkpoints written by an earlier build (see <see cref="LegacyRuns"/>) still load, and resume exactly.</summary>
public class LegacyCheckpointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawgan-legacy-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string> Names => [.. LegacyRuns.Configs.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void An_old_checkpoint_resumes_to_the_old_builds_weights_bit_for_bit(string name)
    {
        string legacy = LegacyRuns.Folder(name), run = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        File.Copy(Path.Combine(legacy, "config.json"), Path.Combine(run, "config.json"));
        File.Copy(LegacyRuns.CheckpointFile(legacy, LegacyRuns.CheckpointStep), Path.Combine(run, "checkpoints", "latest.safetensors"));

        using (var training = TrainingRun.Resume(run, LegacyRuns.Data(), CpuBackend.Default))
        {
            Assert.Equal(LegacyRuns.CheckpointStep, training.Trainer.Step);
            Assert.Equal(new DataPosition(1, 1), training.Position);
            Assert.Equal(RunOutcome.Interrupted, training.Run(TestContext.Current.CancellationToken, stopAtStep: LegacyRuns.FinalStep));
        }

        // Weights, Adam moments and step counts, BatchNorm statistics; and in the metadata the step, data position,
        // RNG offsets and the config, which this build must write back as the same JSON text.
        SafeTensorsFile expected = SafeTensors.Read(LegacyRuns.CheckpointFile(legacy, LegacyRuns.FinalStep));
        SafeTensorsFile actual = SafeTensors.Read(Path.Combine(run, "checkpoints", "latest.safetensors"));
        Assert.Equal(expected.Tensors.Select(t => t.Name), actual.Tensors.Select(t => t.Name));
        foreach (SafeTensorEntry t in expected.Tensors)
            Assert.True(t.Data.SequenceEqual(actual.Get(t.Name).Data), $"{t.Name} differs from the old build's");
        Assert.Equal(expected.Metadata.OrderBy(m => m.Key), actual.Metadata.OrderBy(m => m.Key));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void An_old_config_file_reads_and_writes_back_unchanged(string name)
    {
        string json = File.ReadAllText(Path.Combine(LegacyRuns.Folder(name), "config.json"));
        Assert.Equal(json, GanConfig.FromJson(json, name).ToJson() + "\n");
    }

    /// <summary>Not a test: rewrites the legacy data with this build. Run it only from a build whose files are
    /// meant to be the reference: <c>dotnet run -c Release --project tests/RawGan.Tests -- -method "*Write_the_legacy_data" -explicit only</c>.</summary>
    [Fact(Explicit = true)]
    public void Write_the_legacy_data() => LegacyRuns.WriteAll();
}
