namespace RawGan.IO;

/// <summary>
/// Replaces a file in one step: the content goes to a temporary file beside it (<c>path.tmp-XXXXXXXXXXXXXXXX</c>),
/// which is flushed to disk and then renamed over the target. Readers see the old file or the new one, never a
/// half-written one, and a crash or an exception mid-write leaves the old file intact.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, creating its folder if missing.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string target = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temporary = $"{target}.tmp-{Random.Shared.NextInt64():x16}";
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
