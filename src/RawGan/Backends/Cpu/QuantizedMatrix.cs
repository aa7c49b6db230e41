using System.Runtime.CompilerServices;

namespace RawGan.Backends.Cpu;

/// <summary>
/// A float32 matrix [rows, cols] (a transposed convolution's weight [Cin, Cout·R·S]) held as int8 or bf16 for
/// <see cref="SgemmThinQuantized"/>. int8 is symmetric with one scale per output channel, a run of
/// <c>group</c> = R·S consecutive columns; the products use the integer values and scale C's rows afterwards, so
/// the scale costs one multiply per output, not per weight. Arrays are pinned: the kernels read them by pointer.
/// </summary>
public sealed unsafe class QuantizedMatrix
{
    private readonly sbyte[]? _int8;
    private readonly ushort[]? _bf16;
    private readonly float[] _columnScale; // int8: the scale of each column's channel; bf16: ones
    private readonly float[] _dequantised;

    private QuantizedMatrix(Quantization kind, int rows, int cols, sbyte[]? int8, ushort[]? bf16, float[] columnScale)
    {
        Kind = kind;
        Rows = rows;
        Cols = cols;
        _int8 = int8;
        _bf16 = bf16;
        _columnScale = columnScale;
        _dequantised = GC.AllocateUninitializedArray<float>(rows * cols, pinned: true);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                _dequantised[r * cols + c] = Dequantized(r, c);
    }

    public Quantization Kind { get; }
    public int Rows { get; }
    public int Cols { get; }

    internal sbyte* Int8 => (sbyte*)Unsafe.AsPointer(ref _int8![0]);
    internal ushort* Bf16 => (ushort*)Unsafe.AsPointer(ref _bf16![0]);
    internal float* ColumnScale => (float*)Unsafe.AsPointer(ref _columnScale[0]);
    /// <summary>The matrix dequantised, row-major, in float32.</summary>
    internal float* Float => (float*)Unsafe.AsPointer(ref _dequantised[0]);

    /// <summary>Quantises <paramref name="a"/> [rows, cols]; for int8 a channel is <paramref name="group"/> consecutive columns.</summary>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> a, int rows, int cols, int group, Quantization kind)
    {
        if (a.Length != (long)rows * cols || group < 1 || cols % group != 0)
            throw new ArgumentException($"Quantize: {a.Length} values are not a [{rows}, {cols}] matrix of channels of {group} columns.");
        float[] scale = GC.AllocateArray<float>(cols, pinned: true);
        switch (kind)
        {
            case Quantization.Int8:
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                        scale[c] = Math.Max(scale[c], Math.Abs(a[r * cols + c]));
                for (int c0 = 0; c0 < cols; c0 += group) // one scale per channel: the largest over its columns
                {
                    float max = 0;
                    for (int c = c0; c < c0 + group; c++) max = Math.Max(max, scale[c]);
                    scale.AsSpan(c0, group).Fill(max / 127);
                }
                sbyte[] q = GC.AllocateArray<sbyte>(a.Length, pinned: true);
                for (int e = 0; e < a.Length; e++)
                {
                    float s = scale[e % cols];
                    q[e] = s > 0 ? (sbyte)Math.Clamp(MathF.Round(a[e] / s), -127, 127) : (sbyte)0;
                }
                return new QuantizedMatrix(kind, rows, cols, q, null, scale);
            case Quantization.Bf16:
                ushort[] h = GC.AllocateArray<ushort>(a.Length, pinned: true);
                for (int e = 0; e < a.Length; e++) h[e] = ToBf16(a[e]);
                scale.AsSpan().Fill(1f);
                return new QuantizedMatrix(kind, rows, cols, null, h, scale);
            default:
                throw new ArgumentException($"Quantize: {kind} is not a quantised format.");
        }
    }

    /// <summary>bfloat16 of a float32: its top 16 bits, rounded to nearest even (NaN stays NaN).</summary>
    public static ushort ToBf16(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((u >> 16) | 0x40);
        return (ushort)((u + 0x7FFFu + ((u >> 16) & 1)) >> 16);
    }

    /// <summary>The float32 a bfloat16 stands for: the 16 bits shifted up.</summary>
    public static float FromBf16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>The value the kernels compute with at [row, col].</summary>
    public float Dequantized(int row, int col)
    {
        long e = (long)row * Cols + col;
        return Kind == Quantization.Int8 ? _int8![e] * _columnScale[col] : FromBf16(_bf16![e]);
    }
}
