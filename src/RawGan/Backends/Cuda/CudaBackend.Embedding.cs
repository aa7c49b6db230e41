using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/embedding.ptx.</summary>
internal static class EmbeddingKernels
{
    public const string File = "embedding.ptx";

    /// <summary>gather_f32(.u64 table, .u64 indices, .u64 out, .u64 n, .u64 D).</summary>
    public static readonly KernelSpec Gather = new(File, "gather_f32", "u64", "u64", "u64", "u64", "u64");

    /// <summary>scatter_add_f32(.u64 dout, .u64 indices, .u64 dtable, .u64 n, .u64 D): atomic, accumulates.</summary>
    public static readonly KernelSpec ScatterAdd = new(File, "scatter_add_f32", "u64", "u64", "u64", "u64", "u64");
}

public sealed partial class CudaBackend
{
    // The smallest and largest value of int32 storages, known without reading them back: recorded where the values
    // pass through the host (an upload of the whole storage, or a first check), forgotten by any other write. So
    // labels uploaded with a batch are checked with no device round trip, and the backward scatter reuses the
    // forward gather's check.
    private readonly ConditionalWeakTable<Storage, StrongBox<(int Min, int Max)>> _indexRanges = new();

    public void Gather(Tensor table, Tensor indices, Tensor output)
    {
        RequireFloat32("gather", table);
        long n = indices.Numel, d = table.Shape[1];
        if (n == 0 || d == 0) return;
        CheckIndices("gather", indices, table.Shape[0]);
        Kernels.Launch(EmbeddingKernels.Gather, Grid(n * d), Block, U64(Ptr(table)), U64(Ptr(indices)), U64(Ptr(output)), U64(n), U64(d));
    }

    public void ScatterAdd(Tensor dOutput, Tensor indices, Tensor dTable)
    {
        RequireFloat32("scatter_add", dOutput);
        long n = indices.Numel, d = dTable.Shape[1];
        if (n == 0 || d == 0) return;
        CheckIndices("scatter_add", indices, dTable.Shape[0]);
        Kernels.Launch(EmbeddingKernels.ScatterAdd, Grid(n * d), Block, U64(Ptr(dOutput)), U64(Ptr(indices)), U64(Ptr(dTable)), U64(n), U64(d));
    }

    /// <summary>The kernels do not bounds-check (embedding.ptx): an index outside [0, rows) would read or write
    /// outside the table, so it is checked here on the host, as the CPU's array accesses would.</summary>
    private void CheckIndices(string op, Tensor indices, long rows)
    {
        if (indices.DType != DType.Int32) throw new ArgumentException($"{op}: indices must be int32, not {indices.DType.Name()}.");
        if (!_indexRanges.TryGetValue(indices.Storage, out StrongBox<(int Min, int Max)>? range))
        {
            range = new StrongBox<(int, int)>(MinMax(indices.ToArray<int>())); // waits for the device, once per tensor
            _indexRanges.AddOrUpdate(indices.Storage, range);
        }
        if (range.Value.Min >= 0 && range.Value.Max < rows) return;
        int[] idx = indices.ToArray<int>();
        for (int i = 0; i < idx.Length; i++)
            if ((uint)idx[i] >= (ulong)rows)
                throw new ArgumentOutOfRangeException(nameof(indices), $"{op}: index {idx[i]} at position {i} is outside the table's {rows} rows.");
    }

    private static (int Min, int Max) MinMax(ReadOnlySpan<int> values)
    {
        int min = int.MaxValue, max = int.MinValue;
        foreach (int v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max); // empty: (MaxValue, MinValue), which passes any check, as it should
    }

    /// <summary>Called by every write into a storage: what was known of an int32 storage's values is stale.</summary>
    private void Written(Storage s)
    {
        if (s.DType == DType.Int32) _indexRanges.Remove(s);
    }

    /// <summary>Called by an upload of all of <paramref name="s"/>: the values are on the host now, so their range is free.</summary>
    private void Uploaded<T>(Storage s, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (s.DType == DType.Int32 && typeof(T) == typeof(int) && values.Length == s.Length)
            _indexRanges.AddOrUpdate(s, new StrongBox<(int, int)>(MinMax(MemoryMarshal.Cast<T, int>(values))));
    }
}
