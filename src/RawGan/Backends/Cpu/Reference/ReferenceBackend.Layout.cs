using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
{
    public void Transpose(Tensor x, Tensor y, long batch, long rows, long cols)
    {
        Array src = Data(x), dst = Data(y);
        for (long b = 0; b < batch; b++)
            for (long i = 0; i < rows; i++)
                for (long j = 0; j < cols; j++)
                    dst.SetValue(src.GetValue((b * rows + i) * cols + j), (b * cols + j) * rows + i);
    }

    /// <summary>The reference computes in NCHW only: it is what channels-last results are checked against.</summary>
    public bool ChannelsLastNative => false;
}
