using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/reduce.ptx.</summary>
internal static class ReduceKernels
{
    public const string File = "reduce.ptx";

    /// <summary>sum_blocks_f32(.u64 x, .u64 out, .u64 n): out[b] = the sum block b visits (two passes make a full sum).</summary>
    public static readonly KernelSpec SumBlocks = new(File, "sum_blocks_f32", "u64", "u64", "u64");

    /// <summary>sum_rows_f32(.u64 x, .u64 y, .u64 rows, .u64 len): [A, R, 1] → [A].</summary>
    public static readonly KernelSpec SumRows = new(File, "sum_rows_f32", "u64", "u64", "u64", "u64");

    /// <summary>sum_arb_f32(.u64 x, .u64 y, .u64 A, .u64 R, .u64 B): [A, R, B] → [A, B].</summary>
    public static readonly KernelSpec SumArb = new(File, "sum_arb_f32", "u64", "u64", "u64", "u64", "u64");
}

public sealed partial class CudaBackend
{
    /// <summary>
    /// y = x summed over the axes y broadcasts along, as reduce.ptx lays out: x's axes (size-1 ones dropped) form
    /// runs of kept and reduced axes; each reduced run is one [A, R, B] → [A, B] launch, innermost first, through
    /// temporaries. B = 1 uses sum_rows_f32 (a full sum, A = 1 too, the deterministic two-pass sum_blocks_f32);
    /// B &gt; 1 uses sum_arb_f32.
    /// </summary>
    public void SumTo(Tensor x, Tensor y)
    {
        RequireFloat32("sum_to", x);
        if (y.Numel == 0) return;
        MakeCurrent();
        if (x.Numel == 0)
        {
            Fill(y, 0);
            return;
        }
        List<(bool Reduced, long Size)> runs = SumRuns(x.Shape, y.Shape);
        if (!runs.Exists(r => r.Reduced))
        {
            Copy(x, y);
            return;
        }

        ulong src = Ptr(x);
        var scratch = new List<ScratchBuffer>();
        try
        {
            while (true)
            {
                int j = runs.FindLastIndex(r => r.Reduced);
                long a = 1, b = 1;
                for (int i = 0; i < j; i++) a *= runs[i].Size;
                for (int i = j + 1; i < runs.Count; i++) b *= runs[i].Size;
                long r = runs[j].Size;
                bool last = runs.FindIndex(q => q.Reduced) == j;
                ulong dst;
                if (last) dst = Ptr(y);
                else
                {
                    ScratchBuffer t = Scratch(a * b * sizeof(float));
                    scratch.Add(t);
                    dst = t.Pointer;
                }
                SumOnce(src, dst, a, r, b);
                src = dst;
                if (last) break;
                runs.RemoveAt(j);
            }
        }
        finally
        {
            foreach (ScratchBuffer t in scratch) t.Dispose();
        }
    }

    /// <summary>x's axes as runs of kept and reduced axes (y right-aligned; size-1 axes of x dropped; adjacent
    /// axes of one kind merged).</summary>
    internal static List<(bool Reduced, long Size)> SumRuns(Shape x, Shape y)
    {
        var runs = new List<(bool, long)>();
        int shift = x.Rank - y.Rank;
        for (int i = 0; i < x.Rank; i++)
        {
            if (x[i] == 1) continue;
            bool reduced = i < shift || y[i - shift] == 1;
            if (runs.Count > 0 && runs[^1].Item1 == reduced) runs[^1] = (reduced, runs[^1].Item2 * x[i]);
            else runs.Add((reduced, x[i]));
        }
        return runs;
    }

    private void SumOnce(ulong x, ulong y, long a, long r, long b)
    {
        if (b == 1 && a == 1)
        {
            // Deterministic two-pass full sum: G block partials, then one block over them.
            long g = Math.Clamp((r + 1023) / 1024, 1, 1024);
            using ScratchBuffer partial = Scratch(g * sizeof(float));
            Kernels.Launch(ReduceKernels.SumBlocks, (uint)g, Block, U64(x), U64(partial.Pointer), U64(r));
            Kernels.Launch(ReduceKernels.SumBlocks, 1, Block, U64(partial.Pointer), U64(y), U64(g));
        }
        else if (b == 1)
        {
            uint block = r >= 256 ? Block : (uint)Math.Max(32, (r + 31) / 32 * 32);
            Kernels.Launch(ReduceKernels.SumRows, (uint)Math.Min(a, 32L * Info.Multiprocessors), block, U64(x), U64(y), U64(a), U64(r));
        }
        else
        {
            long tiles = a * ((b + 31) / 32);
            Kernels.Launch(ReduceKernels.SumArb, (uint)Math.Min(tiles, 32L * Info.Multiprocessors), Block, U64(x), U64(y), U64(a), U64(r), U64(b));
        }
    }
}
