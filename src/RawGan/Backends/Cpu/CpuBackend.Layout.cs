using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>The CPU twin of kernels/layout.ptx. The CPU computes convolutions and batch norm in NCHW (its im2col
/// and GEMM are written for it), so channels-last reaches it only through these conversions.</summary>
public sealed partial class CpuBackend
{
    public void Transpose(Tensor x, Tensor y, long batch, long rows, long cols)
    {
        if (x.DType == DType.Float32) TransposeT(F<float>(x), F<float>(y), batch, rows, cols);
        else if (x.DType == DType.Float64) TransposeT(F<double>(x), F<double>(y), batch, rows, cols);
        else TransposeT(F<int>(x), F<int>(y), batch, rows, cols);
    }

    public bool ChannelsLastNative => false;

    /// <summary>In 32×32 tiles, so that both the rows read and the rows written stay in cache.</summary>
    private static void TransposeT<T>(T[] x, T[] y, long batch, long rows, long cols)
    {
        const int tile = 32;
        long tilesR = (rows + tile - 1) / tile, tilesC = (cols + tile - 1) / tile;
        // A band of 32 rows is 32·cols elements: at least one band a chunk, and chunks of some 64K elements.
        CpuParallel.For(batch * tilesR, Math.Max(1, 65536 / Math.Max(1, tile * cols)), (start, end) =>
        {
            for (long t = start; t < end; t++)
            {
                long b = t / tilesR, i0 = t % tilesR * tile, iEnd = Math.Min(i0 + tile, rows), plane = b * rows * cols;
                for (long j0 = 0; j0 < cols; j0 += tile)
                {
                    long jEnd = Math.Min(j0 + tile, cols);
                    for (long i = i0; i < iEnd; i++)
                        for (long j = j0; j < jEnd; j++)
                            y[plane + j * rows + i] = x[plane + i * cols + j];
                }
            }
        });
    }
}
