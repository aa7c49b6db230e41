using System.Buffers.Binary;
using System.Text;

namespace RawGan.IO.Onnx;

/// <summary>
/// The few protocol-buffer encodings an ONNX file needs, written by hand: varints, 32-bit floats, and
/// length-delimited fields (strings, bytes, packed repeated ints, nested messages). A nested message is written into
/// its own writer first, so its length is known before it is framed; the models RawGan exports are small enough for
/// that copy not to matter, and it spares the core library a protobuf dependency.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _bytes = new();

    public ProtoWriter Int(int field, long value)
    {
        Tag(field, 0);
        Varint(_bytes, (ulong)value); // negative int64s take ten bytes, as protobuf encodes them
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _bytes.Write(b);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint(_bytes, (ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message._bytes.GetBuffer().AsSpan(0, (int)message._bytes.Length));

    /// <summary>A repeated int64 field, packed (one length-delimited run of varints).</summary>
    public ProtoWriter PackedInts(int field, IEnumerable<long> values)
    {
        var packed = new MemoryStream();
        foreach (long v in values) Varint(packed, (ulong)v);
        return Bytes(field, packed.GetBuffer().AsSpan(0, (int)packed.Length));
    }

    public byte[] ToArray() => _bytes.ToArray();

    private void Tag(int field, int wireType) => Varint(_bytes, (ulong)((field << 3) | wireType));

    private static void Varint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
