using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Gather(Tensor table, Tensor indices, Tensor output)
    {
        int[] idx = F<int>(indices);
        int d = table.Shape[1];
        for (int i = 0; i < idx.Length; i++)
            Array.Copy(Data(table), (long)idx[i] * d, Data(output), (long)i * d, d);
    }

    public void ScatterAdd(Tensor dOutput, Tensor indices, Tensor dTable)
    {
        if (dOutput.DType == DType.Float32) ScatterAddT(F<float>(dOutput), F<int>(indices), F<float>(dTable), dTable.Shape[1]);
        else ScatterAddT(F<double>(dOutput), F<int>(indices), F<double>(dTable), dTable.Shape[1]);
    }

    private static void ScatterAddT<T>(T[] dOut, int[] idx, T[] dTable, int d) where T : System.Numerics.INumber<T>
    {
        for (int i = 0; i < idx.Length; i++)
        for (int j = 0; j < d; j++)
            dTable[(long)idx[i] * d + j] += dOut[(long)i * d + j];
    }
}
