using System.Buffers.Binary;
using System.IO.Compression;

namespace RawGan.Data;

/// <summary>
/// Reads the IDX files of MNIST and its relatives (Fashion-MNIST, KMNIST): unsigned-byte images (magic 2051,
/// dimensions count, rows, columns) and labels (magic 2049, dimension count), all big-endian. Files may be raw or
/// gzip-compressed; gzip is recognised by its 0x1f 0x8b header, whatever the file is called.
/// </summary>
public static class MnistIdx
{
    /// <summary>Magic number of an image file: unsigned bytes (0x08), three dimensions.</summary>
    public const int ImagesMagic = 0x0803;

    /// <summary>Magic number of a label file: unsigned bytes (0x08), one dimension.</summary>
    public const int LabelsMagic = 0x0801;

    public static IdxImages ReadImages(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return ReadImages(stream, path);
    }

    /// <summary>Reads from a stream; <paramref name="sourceName"/> (a path, or a resource name) names it in errors.</summary>
    public static IdxImages ReadImages(Stream stream, string sourceName)
    {
        byte[] body = ReadBody(stream, sourceName);
        int[] dims = ReadHeader(body, ImagesMagic, "image", sourceName);
        if (dims[1] == 0 || dims[2] == 0)
            throw new InvalidDataException($"'{sourceName}' declares {dims[1]}×{dims[2]} images; rows and columns must be positive.");
        return new IdxImages(dims[0], dims[1], dims[2], Payload(body, dims, "pixels", sourceName));
    }

    public static byte[] ReadLabels(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads from a stream; <paramref name="sourceName"/> (a path, or a resource name) names it in errors.</summary>
    public static byte[] ReadLabels(Stream stream, string sourceName)
    {
        byte[] body = ReadBody(stream, sourceName);
        return Payload(body, ReadHeader(body, LabelsMagic, "label", sourceName), "labels", sourceName);
    }

    private static byte[] ReadBody(Stream stream, string sourceName)
    {
        var raw = new MemoryStream();
        stream.CopyTo(raw);
        if (raw.Length < 2 || raw.GetBuffer()[0] != 0x1f || raw.GetBuffer()[1] != 0x8b) return raw.ToArray();

        raw.Position = 0;
        var inflated = new MemoryStream();
        try
        {
            using var gzip = new GZipStream(raw, CompressionMode.Decompress);
            gzip.CopyTo(inflated);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{sourceName}' is a corrupt gzip file: {e.Message}", e);
        }
        return inflated.ToArray();
    }

    /// <summary>Checks the magic number and returns the dimensions.</summary>
    private static int[] ReadHeader(byte[] body, int magic, string kind, string sourceName)
    {
        int rank = magic & 0xFF;
        int headerLength = 4 + 4 * rank;
        if (body.Length < 4)
            throw new InvalidDataException($"'{sourceName}' is not an IDX {kind} file: {body.Length} bytes, too short for a magic number.");
        int found = BinaryPrimitives.ReadInt32BigEndian(body);
        if (found != magic)
        {
            string hint = found switch { LabelsMagic => " (that of a label file)", ImagesMagic => " (that of an image file)", _ => "" };
            throw new InvalidDataException($"'{sourceName}' is not an IDX {kind} file: magic number {found} (0x{found:x8}), expected {magic}{hint}.");
        }
        if (body.Length < headerLength)
            throw new InvalidDataException($"'{sourceName}' is truncated: expected a {headerLength}-byte header, found {body.Length} bytes.");

        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(4 + 4 * i));
            if (dims[i] < 0) throw new InvalidDataException($"'{sourceName}' has a negative dimension {dims[i]} in its header.");
        }
        return dims;
    }

    /// <summary>The bytes after the header, which must be exactly as many as the dimensions announce.</summary>
    private static byte[] Payload(byte[] body, int[] dims, string what, string sourceName)
    {
        int headerLength = 4 + 4 * dims.Length;
        Int128 expected = dims.Aggregate(Int128.One, (product, d) => product * d);
        long found = body.Length - headerLength;
        if (found < expected)
            throw new InvalidDataException($"'{sourceName}' is truncated: expected {expected} bytes of {what}, found {found}.");
        if (found > expected)
            throw new InvalidDataException($"'{sourceName}' has {found - expected} bytes after the {expected} bytes of {what} its header announces.");
        return body[headerLength..];
    }
}

/// <summary>The contents of an IDX image file: <paramref name="Count"/> images of Rows×Columns bytes, row-major, one after another.</summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
