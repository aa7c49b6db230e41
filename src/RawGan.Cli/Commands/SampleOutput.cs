namespace RawGan.Cli.Commands;

/// <summary>Where one `rawgan sample` call writes, so that no call overwrites another's images or the run's
/// training grids: a fresh folder beside the generator (sample-1, sample-2, …, next to the run's samples/) unless
/// --out names one, and then nothing already in it is overwritten.</summary>
internal sealed class SampleOutput
{
    private SampleOutput(string folder) => Folder = folder;

    public string Folder { get; }

    /// <summary>The output folder of a call: <paramref name="chosen"/> (--out), else the first sample-N beside
    /// <paramref name="generatorPath"/> that does not exist yet. Creates nothing: see <see cref="Claim"/>.</summary>
    public static SampleOutput For(string generatorPath, DirectoryInfo? chosen)
    {
        if (chosen is not null) return new SampleOutput(chosen.FullName);
        string beside = Path.GetDirectoryName(Path.GetFullPath(generatorPath))!;
        for (int n = 1; ; n++)
        {
            string folder = Path.Combine(beside, $"sample-{n}");
            if (!Path.Exists(folder)) return new SampleOutput(folder);
        }
    }

    /// <summary>Creates the folder after checking that none of <paramref name="names"/> exists in it yet.</summary>
    public void Claim(IReadOnlyList<string> names)
    {
        string? taken = !Directory.Exists(Folder) ? null : names.Select(n => Path.Combine(Folder, n)).FirstOrDefault(File.Exists);
        if (taken is not null)
            throw new IOException($"{taken} exists and would be overwritten: give another --out, or none for a new sample-N folder beside the generator.");
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The name of image <paramref name="i"/> of <paramref name="count"/>: zero-padded to the count's
    /// width (at least 4 digits), so the files sort in order.</summary>
    public static string ImageName(int i, int count) => $"sample-{i.ToString().PadLeft(Math.Max(4, (count - 1).ToString().Length), '0')}.png";
}
