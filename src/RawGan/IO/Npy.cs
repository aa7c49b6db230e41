using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace RawGan.IO;

/// <summary>NumPy's .npy format (version 1.0) for float32 arrays, as <c>numpy.save</c> writes them: the magic string,
/// a header dict padded with spaces to a multiple of 64 bytes and ending in a newline, then the little-endian data in
/// C order. <c>numpy.load</c> reads it back with its shape.</summary>
public static class Npy
{
    /// <summary>The .npy bytes of a float32 array of <paramref name="shape"/>.</summary>
    public static byte[] Encode(ReadOnlySpan<float> values, params int[] shape)
    {
        long count = shape.Aggregate(1L, (n, d) => n * d);
        if (count != values.Length) throw new ArgumentException($"Shape ({string.Join(", ", shape)}) holds {count} values, not {values.Length}.", nameof(values));
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        const int preamble = 10; // magic (6), version (2), header length (2)
        int padded = (preamble + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(padded - preamble - 1) + "\n";

        var bytes = new byte[padded + values.Length * sizeof(float)];
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        magic.CopyTo(bytes);
        bytes[6] = 1;
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 2), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(preamble));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Npy.Encode writes little-endian floats from a little-endian host.");
        MemoryMarshal.AsBytes(values).CopyTo(bytes.AsSpan(padded));
        return bytes;
    }
}
