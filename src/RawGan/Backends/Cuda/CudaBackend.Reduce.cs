using RawGan.Tensors;
using static RawGan.Backends.Cuda.KernelArg;

namespace RawGan.Backends.Cuda;

/// <summary>The bindings of kernels/reduce.ptx.</summary>
internal static class ReduceKernels
{
    public const string File = "reduce.ptx";

    /// <summary>sum_blocks_f32(.u64 x, .u64 out, .u64 n): out[b] = the sum block b visits (two passes make a full sum).</summary>
    public static readonly KernelSpec SumBlocks = new(File, "sum_blocks_f32", "u64", "u64", "u64");

    /// <summary>sum_rows_f32(.u64 x, .u64 y, .u64 rows, .u64 len, .u64 seg): [A, R, 1] → [A, ceil(R/seg)] segment sums.</summary>
    public static readonly KernelSpec SumRows = new(File, "sum_rows_f32", "u64", "u64", "u64", "u64", "u64");

    /// <summary>sum_arb_f32(.u64 x, .u64 y, .u64 A, .u64 R, .u64 B, .u64 rseg): [A, R, B] → [A, ceil(R/rseg), B] slab sums.</summary>
    public static readonly KernelSpec SumArb = new(File, "sum_arb_f32", "u64", "u64", "u64", "u64", "u64", "u64");
}

public sealed partial class CudaBackend
{
    /// <summary>
    /// y = x summed over the axes y broadcasts along, as reduce.ptx lays out: x's axes (size-1 ones dropped) form
    /// runs of kept and reduced axes; each reduced run is one [A, R, B] → [A, B] launch, innermost first, through
    /// temporaries. B = 1 uses sum_rows_f32 (a full sum, A = 1 too, the deterministic two-pass sum_blocks_f32);
    /// B &gt; 1 uses sum_arb_f32. Either takes two launches through a scratch when the [A, B] outputs are too few to
    /// occupy the GPU: segment (slab) sums first, then their sums; the split is a function of the shape and the
    /// multiprocessor count, so a result is the same bits on every run on one GPU model.
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
            // One warp a row while there are rows for every warp; else segments of the rows first.
            long warps = SumWarpsWanted;
            long seg = a >= warps ? r : Math.Max(MinSumSegment, CeilDiv(CeilDiv(r, CeilDiv(warps, a)), 4) * 4);
            long s = CeilDiv(r, seg);
            if (s == 1)
            {
                SumRowsOnce(x, y, a, r, r);
                return;
            }
            using ScratchBuffer segments = Scratch(a * s * sizeof(float));
            SumRowsOnce(x, segments.Pointer, a, r, seg);
            SumRowsOnce(segments.Pointer, y, a, s, s);
        }
        else
        {
            // Tiles of 128 columns (32 where B is not a multiple of 4); slabs of rows first when there are too few.
            long tiles = a * CeilDiv(b, 128), wanted = 4L * Info.Multiprocessors;
            long rseg = tiles >= wanted ? r : Math.Max(MinSumSlab, CeilDiv(r, CeilDiv(wanted, tiles)));
            long k = CeilDiv(r, rseg);
            if (k == 1)
            {
                SumArbOnce(x, y, a, r, b, r);
                return;
            }
            using ScratchBuffer slabs = Scratch(a * k * b * sizeof(float));
            SumArbOnce(x, slabs.Pointer, a, r, b, rseg);
            SumArbOnce(slabs.Pointer, y, a, k, b, k);
        }
    }

    /// <summary>Warps the row sums want in flight: 32 a multiprocessor (half its 64), each reading 512 bytes a load.</summary>
    private long SumWarpsWanted => 32L * Info.Multiprocessors;

    /// <summary>The shortest row segment worth a warp of its own (8 loads of 16 bytes a lane), and the fewest rows
    /// in a column-sum slab (8 a row lane of a 256-thread block).</summary>
    private const long MinSumSegment = 1024, MinSumSlab = 64;

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    private void SumRowsOnce(ulong x, ulong y, long rows, long len, long seg)
    {
        long units = rows * CeilDiv(len, seg);
        Kernels.Launch(ReduceKernels.SumRows, (uint)Math.Clamp(CeilDiv(units, Block / 32), 1, 32L * Info.Multiprocessors), Block,
            U64(x), U64(y), U64(rows), U64(len), U64(seg));
    }

    private void SumArbOnce(ulong x, ulong y, long a, long r, long b, long rseg)
    {
        long tiles = a * CeilDiv(r, rseg) * CeilDiv(b, 32);
        Kernels.Launch(ReduceKernels.SumArb, (uint)Math.Clamp(tiles, 1, 32L * Info.Multiprocessors), Block,
            U64(x), U64(y), U64(a), U64(r), U64(b), U64(rseg));
    }
}
