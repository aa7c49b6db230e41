using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using StbImageWriteSharp;

namespace RawGan.Tests.Data;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rawgan-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>The full path of <paramref name="relative"/>, its folder created.</summary>
    public string File(string relative)
    {
        string path = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Writers for test inputs: IDX files and images encoded by StbImageWriteSharp.</summary>
public static class TestFiles
{
    /// <summary>An IDX file: magic, big-endian dimensions, then the bytes; gzip-compressed if asked.</summary>
    public static byte[] Idx(int magic, int[] dims, byte[] body, bool gzip = false)
    {
        var raw = new byte[4 + 4 * dims.Length + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(raw, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4 + 4 * i), dims[i]);
        body.CopyTo(raw, 4 + 4 * dims.Length);
        if (!gzip) return raw;
        var compressed = new MemoryStream();
        using (var stream = new GZipStream(compressed, CompressionLevel.Fastest)) stream.Write(raw);
        return compressed.ToArray();
    }

    /// <summary>Writes interleaved 8-bit pixels (1 = grey, 3 = RGB, 4 = RGBA) as a PNG.</summary>
    public static void Png(string path, int width, int height, int components, byte[] pixels)
    {
        using FileStream stream = System.IO.File.Create(path);
        new ImageWriter().WritePng(pixels, width, height, Components(components), stream);
    }

    /// <summary>A width×height RGB image of one colour.</summary>
    public static void SolidPng(string path, int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (int p = 0; p < width * height; p++) (pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2]) = (r, g, b);
        Png(path, width, height, 3, pixels);
    }

    public static ColorComponents Components(int count) => count switch
    {
        1 => ColorComponents.Grey,
        3 => ColorComponents.RedGreenBlue,
        4 => ColorComponents.RedGreenBlueAlpha,
        _ => throw new ArgumentOutOfRangeException(nameof(count)),
    };

    /// <summary>The repository root, found from this source file's location (tests run where they were built).</summary>
    public static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(thisFile)!, "../../.."));
}
