using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace RawGan.Eval;

/// <summary>
/// pytorch-fid's reference statistics: an <c>.npz</c> (a zip of NumPy <c>.npy</c> arrays, as np.savez writes it)
/// holding <c>mu</c> [D] and <c>sigma</c> [D, D]. Reads little-endian float32 or float64 in C or Fortran order;
/// writes float64, uncompressed, as np.savez does.
/// </summary>
public static partial class NpzStatistics
{
    public static FeatureStatistics Read(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Statistics from an .npz's bytes in <paramref name="stream"/>; errors call it <paramref name="path"/>.</summary>
    public static FeatureStatistics Read(Stream stream, string path)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        (double[] mu, int[] muShape) = ReadArray(zip, "mu", path);
        (double[] sigma, int[] sigmaShape) = ReadArray(zip, "sigma", path);
        int d = mu.Length;
        if (muShape.Length != 1 || sigmaShape.Length != 2 || sigmaShape[0] != d || sigmaShape[1] != d)
            throw new InvalidDataException($"{path}: mu has shape ({string.Join(", ", muShape)}) and sigma ({string.Join(", ", sigmaShape)}); expected ({d}) and ({d}, {d}).");
        var s = new double[d, d];
        Buffer.BlockCopy(sigma, 0, s, 0, sigma.Length * sizeof(double));
        return new FeatureStatistics(mu, s);
    }

    public static void Write(string path, FeatureStatistics statistics)
    {
        using var file = new FileStream(path, FileMode.Create);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        int d = statistics.Dimension;
        WriteArray(zip, "mu", statistics.Mu, [d]);
        var sigma = new double[d * d];
        Buffer.BlockCopy(statistics.Sigma, 0, sigma, 0, sigma.Length * sizeof(double));
        WriteArray(zip, "sigma", sigma, [d, d]);
    }

    private static (double[] Values, int[] Shape) ReadArray(ZipArchive zip, string name, string path)
    {
        ZipArchiveEntry entry = zip.GetEntry(name + ".npy") ?? throw new InvalidDataException($"{path}: no array '{name}' (pytorch-fid statistics hold 'mu' and 'sigma').");
        using var stream = new MemoryStream();
        using (Stream s = entry.Open()) s.CopyTo(stream);
        byte[] bytes = stream.ToArray();
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: '{name}.npy' is not a NumPy array file.");
        int major = bytes[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int start = major == 1 ? 10 : 12;
        string header = Encoding.ASCII.GetString(bytes, start, headerLength);
        string descr = HeaderField().Match(header) is { Success: true } m ? m.Groups[1].Value : "";
        bool fortran = header.Contains("'fortran_order': True", StringComparison.Ordinal);
        int[] shape = ShapeField().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        ReadOnlySpan<byte> data = bytes.AsSpan(start + headerLength);
        double[] values = descr switch
        {
            "<f8" => MemoryMarshal.Cast<byte, double>(data).ToArray(),
            "<f4" => Array.ConvertAll(MemoryMarshal.Cast<byte, float>(data).ToArray(), v => (double)v),
            _ => throw new InvalidDataException($"{path}: '{name}' has dtype '{descr}'; RawGan reads little-endian float32 ('<f4') or float64 ('<f8')."),
        };
        long count = shape.Aggregate(1L, (p, v) => p * v);
        if (values.Length != count) throw new InvalidDataException($"{path}: '{name}' holds {values.Length} values for shape ({string.Join(", ", shape)}).");
        if (fortran && shape.Length == 2) values = TransposeFlat(values, shape[1], shape[0]);
        return (values, shape);
    }

    private static void WriteArray(ZipArchive zip, string name, double[] values, int[] shape)
    {
        string dims = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {dims}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n"; // the data starts 64-byte aligned
        using Stream s = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
        s.Write([0x93, .. "NUMPY"u8, 1, 0]);
        s.Write(BitConverter.GetBytes((ushort)header.Length));
        s.Write(Encoding.ASCII.GetBytes(header));
        s.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static double[] TransposeFlat(double[] values, int rows, int columns)
    {
        var t = new double[values.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) t[j * rows + i] = values[i * columns + j];
        return t;
    }

    [GeneratedRegex(@"'descr':\s*'([^']*)'")]
    private static partial Regex HeaderField();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeField();
}
