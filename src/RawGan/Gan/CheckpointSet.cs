using System.Runtime.InteropServices;
using RawGan.IO;

namespace RawGan.Gan;

/// <summary>The checkpoint a resume starts from, and a notice when it is not the latest (null otherwise).</summary>
public sealed record CheckpointChoice(string Path, string? Notice);

/// <summary>
/// A run's two newest checkpoints, checkpoints/latest.safetensors and checkpoints/previous.safetensors: a save
/// moves latest to previous before writing the new latest, so a latest damaged after it was written (a disk
/// error, a copy cut short, NaN written into it) still leaves a checkpoint to resume from.
/// </summary>
public static class CheckpointSet
{
    public const string LatestName = "latest.safetensors", PreviousName = "previous.safetensors", BestName = "best.safetensors";

    public static string Latest(string runDirectory) => Path.Combine(runDirectory, "checkpoints", LatestName);
    public static string Previous(string runDirectory) => Path.Combine(runDirectory, "checkpoints", PreviousName);

    /// <summary>checkpoints/best.safetensors: the state with the best evaluation so far (see <see cref="RunJudge"/>),
    /// beside latest and previous but never resumed from by <see cref="Find"/>.</summary>
    public static string Best(string runDirectory) => Path.Combine(runDirectory, "checkpoints", BestName);

    /// <summary>Saves the trainer's state as the new latest, keeping the one it replaces as previous.</summary>
    public static void Save(string runDirectory, GanTrainer trainer, DataPosition position)
    {
        string latest = Latest(runDirectory);
        if (File.Exists(latest)) File.Move(latest, Previous(runDirectory), overwrite: true);
        Checkpoint.Save(latest, trainer, position);
    }

    /// <summary>The newest checkpoint of the run in <paramref name="runDirectory"/> that <see cref="Verify"/> accepts.</summary>
    /// <exception cref="FileNotFoundException">The run has no checkpoint.</exception>
    /// <exception cref="InvalidDataException">Every checkpoint it has is damaged; the message says how.</exception>
    public static CheckpointChoice Find(string runDirectory)
    {
        string latest = Latest(runDirectory), previous = Previous(runDirectory);
        if (!File.Exists(latest) && !File.Exists(previous))
            throw new FileNotFoundException($"Cannot resume {runDirectory}: it has no checkpoints/{LatestName} (was it a run folder, and did it reach its first checkpoint?).", latest);
        string latestProblem = File.Exists(latest) ? Verify(latest) ?? "" : "it is missing";
        if (latestProblem.Length == 0) return new CheckpointChoice(latest, null);
        string previousProblem = File.Exists(previous) ? Verify(previous) ?? "" : "it is missing";
        if (previousProblem.Length == 0)
            return new CheckpointChoice(previous, $"checkpoints/{LatestName} is unusable ({latestProblem}); resuming from checkpoints/{PreviousName}.");
        throw new InvalidDataException($"Cannot resume {runDirectory}: checkpoints/{LatestName} is unusable ({latestProblem}), and so is checkpoints/{PreviousName} ({previousProblem}).");
    }

    /// <summary>Null when <paramref name="path"/> is a whole RawGan checkpoint whose floating-point tensors are all
    /// finite; what is wrong otherwise.</summary>
    public static string? Verify(string path)
    {
        try
        {
            Checkpoint.ReadInfo(path);
            foreach (SafeTensorEntry t in SafeTensors.Read(path).Tensors)
            {
                bool finite = t.DType switch
                {
                    "F32" => AllFinite(MemoryMarshal.Cast<byte, float>(t.Data)),
                    "F64" => AllFinite(MemoryMarshal.Cast<byte, double>(t.Data)),
                    _ => true,
                };
                if (!finite) return $"tensor '{t.Name}' holds NaN or infinite values";
            }
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    private static bool AllFinite<T>(ReadOnlySpan<T> values) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (T v in values)
            if (!T.IsFinite(v)) return false;
        return true;
    }
}
