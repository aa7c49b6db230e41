using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using RawGan.IO;
using RawGan.Tests.Data;

namespace RawGan.Tests.IO;

public class SafeTensorsTests
{
    private static readonly SafeTensorEntry[] Entries =
    [
        SafeTensorEntry.FromValues<float>("main.0.weight", [2, 3], [1, -2, 3.5f, 0, 1e-8f, float.MaxValue]),
        SafeTensorEntry.FromValues<int>("main.1.num_batches_tracked", [], [42]),
        SafeTensorEntry.FromValues<long>("step", [1], [1L << 40]),
        SafeTensorEntry.FromValues<double>("noise", [2, 0], []),
        SafeTensorEntry.FromValues<double>("rng", [2], [Math.PI, -0.0]),
    ];

    private static readonly Dictionary<string, string> Metadata = new()
    {
        ["format"] = "pt",
        ["config"] = """{"model": "dcgan", "nz": 100, "note": "ünïcode & <tags>"}""",
    };

    [Fact]
    public void Round_trip_keeps_names_dtypes_shapes_values_and_metadata()
    {
        using var folder = new TempFolder();
        string path = folder.File("checkpoint.safetensors");
        SafeTensors.Write(path, Entries, Metadata);

        SafeTensorsFile file = SafeTensors.Read(path);
        Assert.Equal(Metadata, file.Metadata);
        Assert.Equal(Entries.Select(e => e.Name).Order(), file.Tensors.Select(t => t.Name).Order());
        foreach (SafeTensorEntry entry in Entries)
        {
            SafeTensorEntry read = file.Get(entry.Name);
            Assert.Equal(entry.DType, read.DType);
            Assert.Equal(entry.Shape, read.Shape);
            Assert.Equal(entry.Data, read.Data);
        }
        Assert.Equal([1, -2, 3.5f, 0, 1e-8f, float.MaxValue], file.Get("main.0.weight").ToArray<float>());
        Assert.Equal([1L << 40], file.Get("step").ToArray<long>());
        Assert.Contains("main.0.weight", Assert.Throws<KeyNotFoundException>(() => file.Get("main.9.bias")).Message);
        Assert.Throws<InvalidOperationException>(() => file.Get("step").ToArray<int>());
    }

    [Fact]
    public void Layout_follows_the_spec_and_aligns_every_tensor()
    {
        using var folder = new TempFolder();
        string path = folder.File("layout.safetensors");
        SafeTensors.Write(path, Entries, Metadata);

        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        string json = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.StartsWith("{\"__metadata__\":", json);
        using JsonDocument header = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Array, header.RootElement.GetProperty("noise").GetProperty("shape").ValueKind);

        SafeTensorsHeader read = SafeTensors.ReadHeader(path);
        Assert.Equal(8 + headerLength, read.DataStart);
        Assert.Equal(bytes.Length - read.DataStart, read.Tensors.Sum(t => t.ByteLength));
        // Larger elements first, otherwise as given: every tensor starts on a multiple of its element size.
        Assert.Equal(["step", "noise", "rng", "main.0.weight", "main.1.num_batches_tracked"], read.Tensors.Select(t => t.Name));
        Assert.Equal([0L, 8, 8, 24, 48], read.Tensors.Select(t => t.Begin));
    }

    [Fact]
    public void Header_only_read_gives_shapes_without_data()
    {
        using var folder = new TempFolder();
        string path = folder.File("h.safetensors");
        SafeTensors.Write(path, Entries);

        SafeTensorsHeader header = SafeTensors.ReadHeader(path);
        Assert.Empty(header.Metadata);
        Assert.Equal([2, 3], header.Tensors.Single(t => t.Name == "main.0.weight").Shape);
        Assert.Equal(24, header.Tensors.Single(t => t.Name == "main.0.weight").ByteLength);
    }

    [Fact]
    public void Truncated_file_is_named_and_explained()
    {
        using var folder = new TempFolder();
        string path = folder.File("cut.safetensors");
        SafeTensors.Write(path, Entries);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Foreign_or_tiny_file_is_not_a_safetensors_file()
    {
        using var folder = new TempFolder();
        string png = folder.File("image.safetensors");
        File.WriteAllBytes(png, ImageGrid.EncodePng(new float[3 * 4 * 4], 1, 3, 4, 4));
        string tiny = folder.File("tiny.safetensors");
        File.WriteAllBytes(tiny, [1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(png));
        Assert.Contains($"'{png}' is not a valid safetensors file (header length", error.Message);
        Assert.Contains($"exceeds the file size {new FileInfo(png).Length}", error.Message);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => SafeTensors.ReadHeader(tiny)).Message);
    }

    [Theory]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}""", 8, "invalid JSON")]
    [InlineData("""{"a": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}}""", 8, "unknown dtype 'Q7'")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", 8, "needs 12 bytes")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""", 12, "overlaps")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""", 12, "gap of 4 bytes")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", 10, "2 bytes follow")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}""", 8, "not an integer")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2]}}""", 8, "data_offsets")]
    [InlineData("""{"__metadata__": {"n": 3}}""", 0, "not a string")]
    [InlineData("""[1, 2]""", 0, "does not start with '{'")]
    public void Malformed_headers_are_rejected_with_the_reason(string json, int dataLength, string reason)
    {
        using var folder = new TempFolder();
        string path = folder.File("bad.safetensors");
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadHeader(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Write_rejects_inconsistent_entries()
    {
        using var folder = new TempFolder();
        string path = folder.File("never.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new SafeTensorEntry("x", "F32", [3], new byte[8])]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [Entries[0], Entries[0]]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new SafeTensorEntry("x", "F31", [1], new byte[4])]));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Atomic_write_replaces_the_file_and_leaves_no_temporary_files()
    {
        using var folder = new TempFolder();
        string path = folder.File("sub/model.safetensors");
        SafeTensors.Write(path, Entries[..1]);
        SafeTensors.Write(path, Entries);

        Assert.Equal(Entries.Length, SafeTensors.ReadHeader(path).Tensors.Count);
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Failed_write_keeps_the_old_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("keep.bin");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new"u8);
            throw new IOException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }
}
