using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RawGan.IO;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors), which PyTorch, JAX and
/// others load: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}, …}</c>, padded
/// with spaces to a multiple of 8), then the data buffer, which the tensors tile exactly, offsets relative to its start.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderLength = 100_000_000; // the reference implementation's limit

    /// <summary>
    /// Writes <paramref name="tensors"/> and optional string <paramref name="metadata"/> to <paramref name="path"/>
    /// atomically (<see cref="AtomicFile"/>). Tensors are laid out by decreasing element size, otherwise in the given
    /// order, so every tensor starts at a multiple of its element size, as the reference writer arranges.
    /// </summary>
    public static void Write(string path, IReadOnlyList<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        SafeTensorEntry[] ordered = tensors.OrderByDescending(t => SizeOf(t)).ToArray(); // OrderBy is stable
        byte[] header = Header(ordered, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (SafeTensorEntry tensor in ordered) stream.Write(tensor.Data);
        });
    }

    /// <summary>Reads and validates the whole file.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file; the message names it and the problem.</exception>
    public static SafeTensorsFile Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads and validates a whole file from a seekable <paramref name="stream"/> (such as a resource
    /// embedded in an assembly); <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The stream is not a well-formed safetensors file; the message names it and the problem.</exception>
    public static SafeTensorsFile Read(Stream stream, string path)
    {
        SafeTensorsHeader header = ReadHeader(stream, path);
        var tensors = new SafeTensorEntry[header.Tensors.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            SafeTensorInfo info = header.Tensors[i];
            if (info.ByteLength > Array.MaxLength) throw Invalid(path, $"tensor '{info.Name}' has {info.ByteLength} bytes, more than one array holds");
            var data = new byte[info.ByteLength];
            stream.ReadExactly(data); // tensors tile the buffer in file order, so they follow one another
            tensors[i] = new SafeTensorEntry(info.Name, info.DType, info.Shape, data);
        }
        return new SafeTensorsFile(path, header.Metadata, tensors);
    }

    /// <summary>Reads and validates only the header: names, dtypes, shapes, offsets and metadata.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file; the message names it and the problem.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return ReadHeader(stream, path);
    }

    private static SafeTensorsHeader ReadHeader(Stream stream, string path)
    {
        long fileSize = stream.Length;
        if (fileSize < 8) throw Invalid(path, $"{fileSize} bytes, too short for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileSize - 8)) throw Invalid(path, $"header length {headerLength} exceeds the file size {fileSize}");
        if (headerLength > MaxHeaderLength) throw Invalid(path, $"header length {headerLength} exceeds the limit of {MaxHeaderLength}");
        var json = new byte[headerLength];
        stream.ReadExactly(json);
        if (json.Length == 0 || json[0] != (byte)'{') throw Invalid(path, "the header does not start with '{'");
        // The format allows padding after the JSON with spaces (0x20) only; a JSON parser would accept any whitespace.
        int end = json.Length;
        while (end > 0 && json[end - 1] == (byte)' ') end--;
        if (json[end - 1] != (byte)'}') throw Invalid(path, $"the header's padding after its JSON holds byte 0x{json[end - 1]:X2}, and only spaces (0x20) may pad it");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafeTensorInfo>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Invalid(path, $"'{property.Name}' appears twice in the header");
                if (property.Name == MetadataKey)
                    ReadMetadata(property.Value, metadata, path);
                else
                    tensors.Add(ReadTensor(property, path));
            }
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"invalid JSON header: {e.Message}");
        }

        long dataStart = 8 + (long)headerLength;
        // By (begin, end): an empty tensor shares its begin with the next one and must come first.
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        CheckTiling(tensors, fileSize - dataStart, path);
        return new SafeTensorsHeader(path, metadata, tensors, dataStart);
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Invalid(path, $"{MetadataKey} is a {value.ValueKind}, not an object");
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Invalid(path, $"{MetadataKey} entry '{item.Name}' is a {item.Value.ValueKind}, not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafeTensorInfo ReadTensor(JsonProperty property, string path)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out JsonElement offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
            throw Invalid(path, $"tensor '{name}' needs \"dtype\" (a string), \"shape\" (an array) and \"data_offsets\" ([begin, end])");

        string dtype = dtypeElement.GetString()!;
        int elementSize = SafeTensorDTypes.SizeOf(dtype) ?? throw Invalid(path, $"tensor '{name}' has unknown dtype '{dtype}'");
        int[] shape = shapeElement.EnumerateArray().Select(d => (int)Natural(d, int.MaxValue, $"tensor '{name}' shape", path)).ToArray();
        long begin = Natural(offsetsElement[0], long.MaxValue, $"tensor '{name}' data_offsets", path);
        long end = Natural(offsetsElement[1], long.MaxValue, $"tensor '{name}' data_offsets", path);
        if (end < begin) throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}] that end before they begin");

        Int128 needed = shape.Aggregate((Int128)elementSize, (product, d) => product * d);
        if (needed != end - begin)
            throw Invalid(path, $"tensor '{name}' of shape [{string.Join(", ", shape)}] and dtype {dtype} needs {needed} bytes, but its data_offsets [{begin}, {end}] span {end - begin}");
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    /// <summary>The tensors, sorted by offset, must cover [0, bufferLength) without gaps or overlaps.</summary>
    private static void CheckTiling(List<SafeTensorInfo> sorted, long bufferLength, string path)
    {
        long expected = 0;
        foreach (SafeTensorInfo tensor in sorted)
        {
            if (tensor.Begin < expected) throw Invalid(path, $"tensor '{tensor.Name}' at [{tensor.Begin}, {tensor.End}) overlaps the tensor before it, which ends at {expected}");
            if (tensor.Begin > expected) throw Invalid(path, $"a gap of {tensor.Begin - expected} bytes precedes tensor '{tensor.Name}'");
            expected = tensor.End;
        }
        if (expected > bufferLength) throw Invalid(path, $"truncated: the tensors need {expected} bytes of data after the header, found {bufferLength}");
        if (expected < bufferLength) throw Invalid(path, $"{bufferLength - expected} bytes follow the last tensor's data");
    }

    private static long Natural(JsonElement element, long max, string what, string path) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long value) && value >= 0 && value <= max
            ? value
            : throw Invalid(path, $"{what} holds {element.GetRawText()}, not an integer in 0 … {max}");

    private static byte[] Header(IReadOnlyList<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new MemoryStream();
        // Relaxed escaping keeps metadata (often JSON itself) readable; the header is never embedded in HTML.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach ((string key, string value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            var names = new HashSet<string>(StringComparer.Ordinal) { MetadataKey };
            long offset = 0;
            foreach (SafeTensorEntry tensor in tensors)
            {
                if (!names.Add(tensor.Name)) throw new ArgumentException($"Tensor name '{tensor.Name}' is used twice or reserved.", nameof(tensors));
                long expected = tensor.ElementCount * SizeOf(tensor);
                if (tensor.Shape.Any(d => d < 0) || tensor.Data.Length != expected)
                    throw new ArgumentException($"Tensor '{tensor.Name}' of shape [{string.Join(", ", tensor.Shape)}] and dtype {tensor.DType} needs {expected} bytes but holds {tensor.Data.Length}.", nameof(tensors));
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", tensor.DType);
                writer.WriteStartArray("shape");
                foreach (int d in tensor.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset += tensor.Data.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        // Spaces up to a multiple of 8, so the data buffer starts 8-byte aligned.
        while (json.Length % 8 != 0) json.WriteByte((byte)' ');
        return json.ToArray();
    }

    private static int SizeOf(SafeTensorEntry tensor) =>
        SafeTensorDTypes.SizeOf(tensor.DType) ?? throw new ArgumentException($"Tensor '{tensor.Name}' has unknown dtype '{tensor.DType}'.");

    private static InvalidDataException Invalid(string path, string problem) =>
        new($"'{path}' is not a valid safetensors file ({problem}).");
}
