using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Gather(Tensor table, Tensor indices, Tensor output)
    {
        int[] idx = CheckedIndices("gather", indices, table.Shape[0]);
        int d = table.Shape[1];
        for (int i = 0; i < idx.Length; i++)
            Array.Copy(Data(table), (long)idx[i] * d, Data(output), (long)i * d, d);
    }

    public void ScatterAdd(Tensor dOutput, Tensor indices, Tensor dTable)
    {
        int[] idx = CheckedIndices("scatter_add", indices, dTable.Shape[0]);
        if (dOutput.DType == DType.Float32) ScatterAddT(F<float>(dOutput), idx, F<float>(dTable), dTable.Shape[1]);
        else ScatterAddT(F<double>(dOutput), idx, F<double>(dTable), dTable.Shape[1]);
    }

    // Each backend guards its own memory: here the indices are already on the host, so checking costs one pass.
    private static int[] CheckedIndices(string op, Tensor indices, int rows)
    {
        int[] idx = F<int>(indices);
        for (int i = 0; i < idx.Length; i++)
            if ((uint)idx[i] >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(indices), $"{op}: index {idx[i]} at position {i} is outside the table's {rows} rows.");
        return idx;
    }

    private static void ScatterAddT<T>(T[] dOut, int[] idx, T[] dTable, int d) where T : System.Numerics.INumber<T>
    {
        for (int i = 0; i < idx.Length; i++)
        for (int j = 0; j < d; j++)
            dTable[(long)idx[i] * d + j] += dOut[(long)i * d + j];
    }
}
