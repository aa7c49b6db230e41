using System.Globalization;
using RawGan.IO;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>Where in the data a run stands: the next batch to train on.</summary>
public readonly record struct DataPosition(int Epoch, int Batch);

/// <summary>
/// A whole training state in one safetensors file: G and D (state_dict names under "G." and "D."), both Adam
/// states ("optG.", "optD."), and in the metadata the config, step, data position and RNG offsets. Written
/// atomically, so a crash mid-write leaves the previous checkpoint whole.
/// </summary>
public static class Checkpoint
{
    private const string Format = "rawgan-checkpoint";
    private const string Version = "1";

    public static void Save(string path, GanTrainer trainer, DataPosition position)
    {
        var entries = new List<SafeTensorEntry>();
        Add(entries, "G.", trainer.G.StateDict());
        Add(entries, "D.", trainer.D.StateDict());
        if (trainer.Average is not null) Add(entries, AverageSection, trainer.Average.Model.StateDict());
        Add(entries, "optG.", trainer.OptG.StateDict());
        Add(entries, "optD.", trainer.OptD.StateDict());
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["version"] = Version,
            ["config"] = trainer.Config.ToJson(),
            ["step"] = I(trainer.Step),
            ["epoch"] = I(position.Epoch),
            ["batch"] = I(position.Batch),
            ["noise_offset"] = I(trainer.NoiseRng.Offset),
            ["dropout_offset"] = I(trainer.DropoutRng.Offset),
            ["channels"] = I(trainer.Channels),
            ["image_size"] = I(trainer.Size),
            ["classes"] = I(trainer.Classes),
        };
        if (trainer.Augment is not null) meta["augment_offset"] = I(trainer.Augment.Rng.Offset);
        SafeTensors.Write(path, entries, meta);
    }

    /// <summary>The section holding the EMA generator (<see cref="GanConfig.Ema"/>), when on.</summary>
    public const string AverageSection = "G_ema.";

    /// <summary>The generator alone (the EMA generator when on), under PyTorch's names (main.0.weight …), for
    /// PyTorch or `rawgan sample`.</summary>
    public static void SaveGenerator(string path, GanTrainer trainer)
    {
        var entries = new List<SafeTensorEntry>();
        Add(entries, "", trainer.SamplingGenerator.StateDict());
        SafeTensors.Write(path, entries, new Dictionary<string, string>
        {
            ["format"] = "rawgan-generator",
            ["version"] = Version,
            ["config"] = trainer.Config.ToJson(),
            ["channels"] = I(trainer.Channels),
            ["image_size"] = I(trainer.Size),
            ["classes"] = I(trainer.Classes),
        });
    }

    /// <summary>What a checkpoint's metadata says about the run, enough to rebuild its trainer.</summary>
    public sealed record Info(GanConfig Config, long Step, DataPosition Position, ulong NoiseOffset, ulong DropoutOffset, int Channels, int ImageSize, int Classes)
    {
        /// <summary>The DiffAugment generator's offset (0 in checkpoints from before DiffAugment existed).</summary>
        public ulong AugmentOffset { get; init; }
    }

    /// <summary>Reads only the header of <paramref name="path"/>: what the run was, without loading its tensors.</summary>
    public static Info ReadInfo(string path, bool generatorOnly = false)
    {
        SafeTensorsHeader header = SafeTensors.ReadHeader(path);
        return ReadInfo(header.Metadata, header.Source, generatorOnly);
    }

    private static Info ReadInfo(IReadOnlyDictionary<string, string> m, string source, bool generatorOnly)
    {
        string format = m.GetValueOrDefault("format") ?? "";
        if (format != Format && !(generatorOnly && format == "rawgan-generator"))
            throw new InvalidDataException($"{source} is a safetensors file but not a RawGan {(generatorOnly ? "checkpoint or generator" : "checkpoint")} (format '{format}').");
        if (m.GetValueOrDefault("version") != Version)
            throw new InvalidDataException($"{source} is a RawGan checkpoint of version {m.GetValueOrDefault("version")}; this build reads version {Version}.");
        string Need(string key) => m.TryGetValue(key, out string? v) ? v : throw new InvalidDataException($"{source} lacks the '{key}' metadata.");
        // Every number in the metadata is a count or an offset: non-negative.
        ulong Number(string key, bool required = true)
        {
            if (!required && !m.ContainsKey(key)) return 0;
            string text = Need(key);
            return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)
                ? v
                : throw new InvalidDataException($"{source}: metadata '{key}' is '{text}', not a non-negative integer.");
        }
        return new Info(GanConfig.FromJson(Need("config"), source), (long)Number("step", false), new DataPosition((int)Number("epoch", false), (int)Number("batch", false)),
            Number("noise_offset", false), Number("dropout_offset", false), (int)Number("channels"), (int)Number("image_size"), (int)Number("classes"))
            { AugmentOffset = Number("augment_offset", false) };
    }

    /// <summary>Restores weights, optimiser states, step and RNG positions into <paramref name="trainer"/>, which must
    /// have been built from the same config; returns the data position to continue from.</summary>
    public static DataPosition Load(string path, GanTrainer trainer)
    {
        SafeTensorsFile file = SafeTensors.Read(path);
        Info info = ReadInfo(file.Metadata, file.Source, generatorOnly: false);
        trainer.G.LoadStateDict(Section(file, "G."));
        trainer.D.LoadStateDict(Section(file, "D."));
        trainer.Average?.Model.LoadStateDict(Section(file, AverageSection));
        trainer.OptG.LoadStateDict(Section(file, "optG."));
        trainer.OptD.LoadStateDict(Section(file, "optD."));
        trainer.Step = info.Step;
        trainer.DiscardStepGraph();
        trainer.NoiseRng.Restore(info.NoiseOffset);
        trainer.DropoutRng.Restore(info.DropoutOffset);
        trainer.Augment?.Rng.Restore(info.AugmentOffset);
        return info.Position;
    }

    /// <summary>The entries whose names start with <paramref name="prefix"/>, as CPU tensors without the prefix.</summary>
    public static Dictionary<string, Tensor> Section(SafeTensorsFile file, string prefix) =>
        file.Tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Name[prefix.Length..], ToTensor);

    public static Tensor ToTensor(SafeTensorEntry e) => e.DType switch
    {
        "F32" => Tensor.FromArray(e.ToArray<float>(), e.Shape),
        "F64" => Tensor.FromArray(e.ToArray<double>(), e.Shape),
        "I32" => Tensor.FromArray(e.ToArray<int>(), e.Shape),
        "I64" => Tensor.FromArray(Array.ConvertAll(e.ToArray<long>(), v => (int)v), e.Shape), // PyTorch's num_batches_tracked
        _ => throw new InvalidDataException($"Tensor '{e.Name}' has dtype {e.DType}, which RawGan does not load."),
    };

    private static void Add(List<SafeTensorEntry> entries, string prefix, IEnumerable<(string Name, Tensor Value)> state)
    {
        foreach ((string name, Tensor t) in state)
        {
            int[] shape = t.Shape.ToArray();
            entries.Add(t.DType switch
            {
                DType.Float32 => SafeTensorEntry.FromValues<float>(prefix + name, shape, t.ToArray<float>()),
                DType.Float64 => SafeTensorEntry.FromValues<double>(prefix + name, shape, t.ToArray<double>()),
                _ => SafeTensorEntry.FromValues<int>(prefix + name, shape, t.ToArray<int>()),
            });
        }
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string I(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}
