using System.Buffers.Binary;

namespace RawGan.GpuEmulator.Ptx;

/// <summary>ld/st/red/atom on .global and .shared: alignment, bounds and race checks, then the access.</summary>
internal sealed partial class PtxExecutor
{
    /// <summary>The access's address and size in bytes, which must be naturally aligned (16 bytes for a v4).</summary>
    private (ulong Address, int Total, string Kind) Aligned(PtxThread t, PtxFunction f, int pc, ulong[] r, int fb, ref PtxInstruction ins,
        bool store, string space)
    {
        int total = ins.Size * ins.Count;
        ulong address = r[fb + ins.A] + (ulong)ins.Offset;
        string kind = store ? "store" : "load";
        if ((address & (ulong)(total - 1)) != 0)
            throw Fault(t, f, pc, $"misaligned {space} {kind} of {total} bytes at 0x{address:x} (needs {total}-byte alignment)");
        return (address, total, kind);
    }

    private void GlobalAccess(PtxThread t, PtxFunction f, int pc, ulong[] r, int fb, ref PtxInstruction ins, bool store)
    {
        (ulong address, int total, string kind) = Aligned(t, f, pc, r, fb, ref ins, store, "global");
        PtxAllocation allocation = _memory.Find(address, total)
            ?? throw Fault(t, f, pc, $"out-of-bounds global {kind} of {total} bytes at 0x{address:x}: {_memory.Describe(address, total)}");
        int offset = (int)(address - allocation.Address);
        var me = new PtxAccessor(_blockLinear * (int)_blockDim + t.Index, _blockLinear, _memory.Epoch, _launchEpoch, (int)_blockDim);
        PtxRaceTracker tracker = allocation.Tracker;
        for (int word = offset >> 2; word < (offset + total) >> 2; word++)
        {
            if ((store ? tracker.Write(word, me) : tracker.Read(word, me)) is not { } conflict) continue;
            ulong at = allocation.Address + (ulong)word * 4;
            string what = (store, conflict.WasWrite) switch
            {
                (true, true) => $"global write-write race: it stores to 0x{at:x}, which {DescribeThread(conflict.Thread)} also stored to in this launch",
                (true, false) => $"global write-after-read race: it stores to 0x{at:x}, which {DescribeThread(conflict.Thread)} read in this launch",
                _ => $"global read-after-write race: it loads 0x{at:x}, which {DescribeThread(conflict.Thread)} stored to in this launch",
            };
            throw Fault(t, f, pc, $"{what} (word {(at - allocation.Address) / 4} of the {allocation.Length}-byte allocation at "
                + $"0x{allocation.Address:x}; only a bar.sync orders the accesses of two threads, and only within a block)");
        }
        Transfer(allocation.Data.AsSpan(offset, total), r, fb, ref ins, store);
    }

    private void SharedAccess(PtxThread t, PtxFunction f, int pc, ulong[] r, int fb, ref PtxInstruction ins, bool store)
    {
        (ulong address, int total, string kind) = Aligned(t, f, pc, r, fb, ref ins, store, "shared");
        if (!_shared.Contains(address, total))
            throw Fault(t, f, pc, $"out-of-bounds shared {kind} of {total} bytes at 0x{address:x}: {_shared.Describe(address, total)}");
        var me = new PtxAccessor(t.Index, 0, _memory.Epoch, _blockEpoch, (int)_blockDim);
        for (int word = (int)(address >> 2); word < (int)((address + (ulong)total) >> 2); word++)
        {
            if ((store ? _shared.Tracker.Write(word, me) : _shared.Tracker.Read(word, me)) is not { } conflict) continue;
            string other = conflict.Thread >= 0 ? $"thread {conflict.Thread}" : "other threads";
            string element = _shared.Name((ulong)word * 4);
            throw Fault(t, f, pc, $"shared-memory race: it {(store ? "writes" : "reads")} {element}, which {other} "
                + $"{(conflict.WasWrite ? "wrote" : "read")} since the last completed bar.sync");
        }
        Transfer(_shared.Data.AsSpan((int)address, total), r, fb, ref ins, store);
    }

    /// <summary>Copies between memory and the instruction's register(s): D or Slots for a load, B or Slots for a store.</summary>
    private static void Transfer(Span<byte> bytes, ulong[] r, int fb, ref PtxInstruction ins, bool store)
    {
        int size = ins.Size;
        for (int i = 0; i < ins.Count; i++)
        {
            Span<byte> element = bytes.Slice(i * size, size);
            int slot = ins.Count == 1 ? (store ? ins.B : ins.D) : ins.Slots![i];
            if (store)
            {
                if (size == 4) BinaryPrimitives.WriteUInt32LittleEndian(element, (uint)r[fb + slot]);
                else BinaryPrimitives.WriteUInt64LittleEndian(element, r[fb + slot]);
            }
            else r[fb + slot] = size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(element) : BinaryPrimitives.ReadUInt64LittleEndian(element);
        }
    }

    /// <summary>red/atom .global.add: atomic, so exempt from race detection; f32 flushes subnormals as the GPU does.</summary>
    private void AtomicAdd(PtxThread t, PtxFunction f, int pc, ulong[] r, int fb, ref PtxInstruction ins)
    {
        int size = ins.Size;
        ulong address = r[fb + ins.A] + (ulong)ins.Offset;
        string kind = ins.Op == PtxOp.AtomAddGlobal ? "atom" : "red";
        if ((address & (ulong)(size - 1)) != 0)
            throw Fault(t, f, pc, $"misaligned {kind} of {size} bytes at 0x{address:x} (needs {size}-byte alignment)");
        PtxAllocation allocation = _memory.Find(address, size)
            ?? throw Fault(t, f, pc, $"out-of-bounds {kind} of {size} bytes at 0x{address:x}: {_memory.Describe(address, size)}");
        Span<byte> bytes = allocation.Data.AsSpan((int)(address - allocation.Address), size);
        ulong old = size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        ulong value = r[fb + ins.B];
        ulong sum = ins.Type switch
        {
            PtxType.F32 => PtxFloat.AtomicAdd((uint)old, (uint)value),
            PtxType.F64 => PtxFloat.Bits(PtxFloat.F64(old) + PtxFloat.F64(value)),
            PtxType.U64 => old + value,
            _ => (uint)(old + value),
        };
        if (size == 4) BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)sum);
        else BinaryPrimitives.WriteUInt64LittleEndian(bytes, sum);
        if (ins.Op == PtxOp.AtomAddGlobal) r[fb + ins.D] = old;
    }
}
