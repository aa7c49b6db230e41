namespace RawGan.IO;

/// <summary>Where one tensor lives in a safetensors file: its byte range [Begin, End) within the data buffer.</summary>
public sealed record SafeTensorInfo(string Name, string DType, int[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>
/// The JSON header of a safetensors file, validated: the free-form string metadata and the tensors in file order.
/// Enough for inspection (<c>rawgan info</c>) without reading the data. <paramref name="DataStart"/> is the file
/// offset of the data buffer: 8 + the header length.
/// </summary>
public sealed record SafeTensorsHeader(string Source, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<SafeTensorInfo> Tensors, long DataStart);
