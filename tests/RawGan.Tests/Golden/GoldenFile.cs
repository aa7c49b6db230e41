using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace RawGan.Tests.Golden;

/// <summary>
/// Reads a golden file written by <c>tools/golden/make_golden.py</c> (or <c>make_training_golden.py</c>):
/// named tensors computed by PyTorch that our ops and trainer are compared with.
/// </summary>
/// <remarks>
/// Format, version 1, little-endian throughout:
/// <code>
///   8 bytes   ASCII magic "RGGOLDEN"
///   int32     version = 1
///   int32     tensor count
///   per tensor:
///     int32        name length in bytes, then the UTF-8 name
///     int32        dtype code: 0 = float32, 1 = float64, 2 = int32
///     int32        rank (0 = scalar), then int32[rank] dims
///     raw data     row-major, product(dims) elements (1 for a scalar)
/// </code>
/// Files live in <c>Golden/data/</c> next to the test assembly (copied there by the test project).
/// Regenerate them with <c>/usr/bin/python3 tools/golden/make_golden.py</c>.
/// </remarks>
public sealed class GoldenFile
{
    private const string Magic = "RGGOLDEN";
    private const int Version = 1;

    private enum DType { Float32 = 0, Float64 = 1, Int32 = 2 }

    private sealed record Entry(DType DType, int[] Dims, byte[] Data);

    private readonly Dictionary<string, Entry> _entries;
    private readonly List<string> _order;

    private GoldenFile(string path, Dictionary<string, Entry> entries, List<string> order)
    {
        Path = path;
        _entries = entries;
        _order = order;
    }

    /// <summary>The file this was read from.</summary>
    public string Path { get; }

    /// <summary>The tensor names, in the order the file holds them.</summary>
    public IReadOnlyCollection<string> Names => _order;

    /// <summary>The folder holding the golden data next to the test assembly.</summary>
    public static string DataFolder => System.IO.Path.Combine(AppContext.BaseDirectory, "Golden", "data");

    /// <summary>The full path of a file in <see cref="DataFolder"/> (e.g. <c>dcgan_state_dict.txt</c>); throws if it is missing.</summary>
    public static string DataPath(string fileName)
    {
        string path = System.IO.Path.Combine(DataFolder, fileName);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Golden data file '{path}' is missing; regenerate with '/usr/bin/python3 tools/golden/make_golden.py' " +
                "and check the test project copies Golden/data/** to its output.", path);
        return path;
    }

    /// <summary>Loads <c>Golden/data/{name}.bin</c> from next to the test assembly.</summary>
    public static GoldenFile Load(string name) => LoadPath(DataPath(name + ".bin"));

    /// <summary>Loads a golden file from any path, validating magic, version and layout.</summary>
    public static GoldenFile LoadPath(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var order = new List<string>();
        int offset = 0;

        if (bytes.Length < 16 || Encoding.ASCII.GetString(bytes, 0, 8) != Magic)
        {
            string found = Encoding.ASCII.GetString(bytes, 0, Math.Min(8, bytes.Length));
            throw new InvalidDataException(
                $"Golden file '{path}' does not start with the magic \"{Magic}\" (found \"{Escape(found)}\", {bytes.Length} bytes); " +
                "it is not a RawGan golden file.");
        }
        offset = 8;
        int version = ReadInt(bytes, ref offset, path);
        if (version != Version)
            throw new InvalidDataException($"Golden file '{path}' has version {version}; this reader understands version {Version} only.");
        int count = ReadInt(bytes, ref offset, path);
        if (count < 0)
            throw new InvalidDataException($"Golden file '{path}' has a negative tensor count ({count}).");

        for (int t = 0; t < count; t++)
        {
            int nameLength = ReadInt(bytes, ref offset, path);
            Need(bytes, offset, nameLength, path, $"the name of tensor #{t}");
            string name = Encoding.UTF8.GetString(bytes, offset, nameLength);
            offset += nameLength;
            int code = ReadInt(bytes, ref offset, path);
            if (code is < 0 or > 2)
                throw new InvalidDataException($"Golden file '{path}': tensor '{name}' has unknown dtype code {code} (0 = float32, 1 = float64, 2 = int32).");
            var dtype = (DType)code;
            int rank = ReadInt(bytes, ref offset, path);
            if (rank is < 0 or > 16)
                throw new InvalidDataException($"Golden file '{path}': tensor '{name}' has rank {rank}.");
            var dims = new int[rank];
            long elements = 1;
            for (int i = 0; i < rank; i++)
            {
                dims[i] = ReadInt(bytes, ref offset, path);
                if (dims[i] < 0)
                    throw new InvalidDataException($"Golden file '{path}': tensor '{name}' has a negative dimension [{string.Join(", ", dims)}].");
                elements *= dims[i];
            }
            long byteCount = elements * (dtype == DType.Float64 ? 8 : 4);
            if (byteCount > int.MaxValue) throw new InvalidDataException($"Golden file '{path}': tensor '{name}' is too large.");
            Need(bytes, offset, (int)byteCount, path, $"the data of tensor '{name}' [{string.Join(", ", dims)}]");
            byte[] data = bytes.AsSpan(offset, (int)byteCount).ToArray();
            offset += (int)byteCount;
            if (!entries.TryAdd(name, new Entry(dtype, dims, data)))
                throw new InvalidDataException($"Golden file '{path}' holds tensor '{name}' twice.");
            order.Add(name);
        }
        if (offset != bytes.Length)
            throw new InvalidDataException($"Golden file '{path}' has {bytes.Length - offset} unexpected bytes after its {count} tensors.");
        return new GoldenFile(path, entries, order);
    }

    /// <summary>Whether the file holds a tensor of this name.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The tensor's dimensions (empty for a scalar).</summary>
    public int[] Dims(string name) => (int[])Get(name).Dims.Clone();

    /// <summary>A float32 tensor's values, row-major.</summary>
    public float[] F32(string name) => Values<float>(name, DType.Float32);

    /// <summary>A float64 tensor's values, row-major.</summary>
    public double[] F64(string name) => Values<double>(name, DType.Float64);

    /// <summary>An int32 tensor's values, row-major.</summary>
    public int[] I32(string name) => Values<int>(name, DType.Int32);

    /// <summary>The single value of a one-element tensor of any dtype, as a double.</summary>
    public double Scalar(string name)
    {
        Entry e = Get(name);
        int elements = e.Data.Length / (e.DType == DType.Float64 ? 8 : 4);
        if (elements != 1)
            throw new InvalidOperationException(
                $"Golden file '{Path}': tensor '{name}' has shape [{string.Join(", ", e.Dims)}] ({elements} elements), not a scalar.");
        return e.DType switch
        {
            DType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(e.Data),
            DType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(e.Data),
            _ => BinaryPrimitives.ReadInt32LittleEndian(e.Data),
        };
    }

    private T[] Values<T>(string name, DType expected) where T : unmanaged
    {
        Entry e = Get(name);
        if (e.DType != expected)
            throw new InvalidOperationException(
                $"Golden file '{Path}': tensor '{name}' is {Describe(e.DType)}, not {Describe(expected)}.");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Golden files are little-endian; this reader assumes a little-endian machine.");
        return MemoryMarshal.Cast<byte, T>(e.Data).ToArray();
    }

    private Entry Get(string name) =>
        _entries.TryGetValue(name, out Entry? e)
            ? e
            : throw new KeyNotFoundException(
                $"Golden file '{Path}' has no tensor '{name}'. It holds: {string.Join(", ", _order)}.");

    private static string Describe(DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        _ => "int32",
    };

    private static int ReadInt(byte[] bytes, ref int offset, string path)
    {
        Need(bytes, offset, 4, path, "an int32 header field");
        int value = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
        offset += 4;
        return value;
    }

    private static void Need(byte[] bytes, int offset, int count, string path, string what)
    {
        if (count < 0 || (long)offset + count > bytes.Length)
            throw new InvalidDataException(
                $"Golden file '{path}' is truncated: {what} needs {count} bytes at offset {offset}, but the file has {bytes.Length}.");
    }

    private static string Escape(string s) =>
        new(s.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
