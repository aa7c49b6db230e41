using System.Numerics;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu.Reference;

public sealed partial class ReferenceBackend
{
    public void Gather(Tensor table, Tensor indices, Tensor output)
    {
        int[] idx = Indices("gather", indices, table.Shape[0]);
        if (table.DType == DType.Float32) GatherT(F<float>(table), idx, F<float>(output), table.Shape[1]);
        else GatherT(F<double>(table), idx, F<double>(output), table.Shape[1]);
    }

    public void ScatterAdd(Tensor dOutput, Tensor indices, Tensor dTable)
    {
        int[] idx = Indices("scatter_add", indices, dTable.Shape[0]);
        if (dOutput.DType == DType.Float32) ScatterAddT(F<float>(dOutput), idx, F<float>(dTable), dTable.Shape[1]);
        else ScatterAddT(F<double>(dOutput), idx, F<double>(dTable), dTable.Shape[1]);
    }

    private static int[] Indices(string op, Tensor indices, int rows)
    {
        int[] idx = F<int>(indices);
        for (int i = 0; i < idx.Length; i++)
            if (idx[i] < 0 || idx[i] >= rows)
                throw new ArgumentOutOfRangeException(nameof(indices), $"{op}: index {idx[i]} at position {i} is outside the table's {rows} rows.");
        return idx;
    }

    /// <summary>output[i, j] = table[idx[i], j].</summary>
    private static void GatherT<T>(T[] table, int[] idx, T[] output, int d) where T : INumber<T>
    {
        for (int i = 0; i < idx.Length; i++)
        for (int j = 0; j < d; j++)
            output[(long)i * d + j] = table[(long)idx[i] * d + j];
    }

    /// <summary>dTable[idx[i], j] += dOutput[i, j], in order of i.</summary>
    private static void ScatterAddT<T>(T[] dOut, int[] idx, T[] dTable, int d) where T : INumber<T>
    {
        for (int i = 0; i < idx.Length; i++)
        for (int j = 0; j < d; j++)
            dTable[(long)idx[i] * d + j] += dOut[(long)i * d + j];
    }
}
