namespace RawGan.IO;

/// <summary>
/// Replaces a file in one step: the content goes to a temporary file beside it (<c>path.tmp-XXXXXXXXXXXXXXXX</c>),
/// which is flushed to disk and then renamed over the target. Readers see the old file or the new one, never a
/// half-written one, and a crash or an exception mid-write leaves the old file intact.
/// </summary>
public static class AtomicFile
{
    /// <summary>Deletes the temporaries a write killed mid-way (<c>kill -9</c>, power loss) left in
    /// <paramref name="folder"/>; call it only where no other process is writing (under a <see cref="RunLock"/>).</summary>
    public static void RemoveStale(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (string path in Directory.EnumerateFiles(folder, "*" + TemporaryMarker + "*"))
            if (IsTemporary(Path.GetFileName(path))) File.Delete(path);
    }

    private const string TemporaryMarker = ".tmp-";

    private static bool IsTemporary(string name)
    {
        int at = name.LastIndexOf(TemporaryMarker, StringComparison.Ordinal);
        return at > 0 && name.Length - at - TemporaryMarker.Length == 16 && name[(at + TemporaryMarker.Length)..].All(char.IsAsciiHexDigitLower);
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, creating its folder if missing.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string target = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temporary = $"{target}{TemporaryMarker}{Random.Shared.NextInt64():x16}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true); // fsync before the rename, or a crash could publish an empty file
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
