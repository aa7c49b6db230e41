using System.Numerics;

namespace RawGan.GpuEmulator.Ptx;

/// <summary>Runs one launch: blocks one after another; inside a block every thread has its own state and runs
/// until it exits or must wait (bar.sync, shfl.sync), so divergence needs no reconvergence logic. A barrier
/// releases when every live thread waits at it; a shuffle when every lane of its member mask has arrived.
/// Undefined behaviour on a GPU (barrier or shuffle divergence, exited lanes in a mask, deadlock) faults.
/// Instruction execution is in PtxExecutor.Run.cs, memory access in PtxExecutor.Memory.cs.</summary>
internal sealed partial class PtxExecutor
{
    private readonly PtxFunction _entry;
    private readonly PtxMemory _memory;
    private readonly PtxSharedMemory _shared;
    private readonly uint _gridX, _gridY, _blockDim;
    private readonly ulong[] _arguments;
    private readonly PtxThread[] _threads;
    private readonly long _limit;
    // Per warp, the lanes that have exited, wait at the barrier, wait at a shuffle (bit i = lane i).
    private readonly uint[] _exitedLanes, _barrierLanes, _shuffleLanes;
    private uint _blockX, _blockY;
    private int _blockLinear, _live, _atBarrier, _launchEpoch, _blockEpoch;
    private long _executed;

    public PtxExecutor(PtxKernel kernel, PtxMemory memory, uint gridX, uint gridY, uint blockX, uint sharedBytes,
        ulong[] arguments)
    {
        _entry = kernel.Entry;
        _memory = memory;
        _gridX = gridX;
        _gridY = gridY;
        _blockDim = blockX;
        _arguments = arguments;
        _shared = new PtxSharedMemory(kernel.Module, sharedBytes);
        _threads = new PtxThread[blockX];
        for (int i = 0; i < _threads.Length; i++) _threads[i] = new PtxThread(i);
        _limit = kernel.Module.MaxInstructionsPerLaunch;
        int warps = (int)(blockX + 31) / 32;
        (_exitedLanes, _barrierLanes, _shuffleLanes) = (new uint[warps], new uint[warps], new uint[warps]);
    }

    /// <summary>Runs every block; returns the number of instructions executed.</summary>
    public long Run()
    {
        _launchEpoch = _memory.AdvanceEpoch();
        for (uint y = 0; y < _gridY; y++)
            for (uint x = 0; x < _gridX; x++)
                RunBlock(x, y);
        return _executed;
    }

    private void RunBlock(uint x, uint y)
    {
        _blockX = x;
        _blockY = y;
        _blockLinear = (int)(y * _gridX + x);
        _blockEpoch = _memory.AdvanceEpoch();
        _shared.Reset();
        foreach (PtxThread t in _threads) StartThread(t);
        _live = _threads.Length;
        _atBarrier = 0;
        Array.Clear(_exitedLanes);
        Array.Clear(_barrierLanes);
        Array.Clear(_shuffleLanes);

        // Warp by warp, run every ready thread until it waits or exits; repeat while anything moves.
        int warps = (_threads.Length + 31) / 32;
        while (_live > 0)
        {
            bool progress = false;
            for (int w = 0; w < warps; w++)
            {
                bool moved;
                do
                {
                    moved = false;
                    for (int i = w * 32; i < Math.Min(_threads.Length, w * 32 + 32); i++)
                        while (_threads[i].State == PtxThreadState.Ready)
                        {
                            RunThread(_threads[i]);
                            moved = true;
                        }
                    progress |= moved;
                } while (moved);
            }
            if (!progress && _live > 0) throw Deadlock();
        }
    }

    private void StartThread(PtxThread t)
    {
        t.Function = _entry;
        t.Pc = 0;
        t.FrameBase = 0;
        t.Depth = 0;
        t.State = PtxThreadState.Ready;
        t.EnsureRegisters(_entry.FrameSize);
        Array.Copy(_entry.FrameTemplate, t.Registers, _entry.FrameSize);
        for (int i = 0; i < _arguments.Length; i++) t.Registers[_entry.ParameterSlots[i]] = _arguments[i];
        uint[] s = t.Special;
        s[(int)PtxSpecial.TidX] = (uint)t.Index;
        s[(int)PtxSpecial.TidY] = s[(int)PtxSpecial.TidZ] = 0;
        s[(int)PtxSpecial.NtidX] = _blockDim;
        s[(int)PtxSpecial.NtidY] = s[(int)PtxSpecial.NtidZ] = 1;
        s[(int)PtxSpecial.CtaidX] = _blockX;
        s[(int)PtxSpecial.CtaidY] = _blockY;
        s[(int)PtxSpecial.CtaidZ] = 0;
        s[(int)PtxSpecial.NctaidX] = _gridX;
        s[(int)PtxSpecial.NctaidY] = _gridY;
        s[(int)PtxSpecial.NctaidZ] = 1;
        s[(int)PtxSpecial.LaneId] = (uint)t.Lane;
        s[(int)PtxSpecial.WarpId] = (uint)t.Warp;
    }

    // ------------------------------------------------------------------------------------------ faults

    private PtxFaultException Fault(PtxThread t, PtxFunction f, int pc, string what)
    {
        string chain = t.Depth > 0 ? $" [{t.CallChain(f)}]" : "";
        return new PtxFaultException(_entry.Name, f.File, f.Lines[pc],
            $"PTX fault in kernel {_entry.Name} at {f.Where(pc)}{chain}: `{f.Texts[pc]}` "
            + $"(block ({_blockX},{_blockY}), thread {t.Index}): {what}");
    }

    private PtxFaultException Fault(PtxThread t, string what) => Fault(t, t.Function, t.Pc, what);

    /// <summary>"thread 5 of block (1,0)" for a launch-wide thread index.</summary>
    private string DescribeThread(int launchThread)
    {
        if (launchThread < 0) return "several threads";
        long block = launchThread / _blockDim;
        return $"thread {launchThread % _blockDim} of block ({block % _gridX},{block / _gridX})";
    }

    private string WhereWaiting(PtxThread t) =>
        $"{(t.State == PtxThreadState.AtBarrier ? "bar.sync" : "shfl.sync")} at {t.Function.Where(t.Pc)}"
        + (t.Depth > 0 ? $" [{t.CallChain(t.Function)}]" : "");

    /// <summary>"threads 0-15 wait at bar.sync at f.ptx:12; threads 16-31 have exited".</summary>
    private string DescribeStates(IEnumerable<PtxThread> threads)
    {
        var groups = threads.GroupBy(t => t.State == PtxThreadState.Exited ? "have exited"
            : t.State == PtxThreadState.Ready ? "are running" : "wait at " + WhereWaiting(t));
        return string.Join("; ", groups.Select(g => $"{Ranges(g.Select(t => t.Index))} {g.Key}"));
    }

    private static string Ranges(IEnumerable<int> indices)
    {
        var list = indices.OrderBy(i => i).ToList();
        var parts = new List<string>();
        for (int i = 0; i < list.Count;)
        {
            int j = i;
            while (j + 1 < list.Count && list[j + 1] == list[j] + 1) j++;
            parts.Add(i == j ? $"{list[i]}" : $"{list[i]}-{list[j]}");
            i = j + 1;
        }
        return (list.Count == 1 ? "thread " : "threads ") + string.Join(",", parts);
    }

    private PtxFaultException Deadlock()
    {
        PtxThread first = _threads.First(t => t.State is PtxThreadState.AtBarrier or PtxThreadState.AtShuffle);
        return Fault(first, $"deadlock: no thread can proceed ({DescribeStates(_threads)})");
    }

    // ------------------------------------------------------------------------------------------ bar.sync

    private void ArriveBarrier(PtxThread t)
    {
        t.State = PtxThreadState.AtBarrier;
        _barrierLanes[t.Warp] |= 1u << t.Lane;
        CheckNoShuffleWaitsFor(t, "waits at bar.sync");
        if (++_atBarrier == _live) ReleaseBarrier();
    }

    private void ReleaseBarrier()
    {
        PtxThread[] waiting = [.. _threads.Where(t => t.State == PtxThreadState.AtBarrier)];
        PtxThread first = waiting[0];
        if (waiting.Any(t => !t.AtSameSite(first)))
            throw Fault(first, "deadlock: bar.sync is .aligned, so every live thread of the block must wait at the "
                + $"same one, but {DescribeStates(waiting)}");
        _memory.AdvanceEpoch();
        foreach (PtxThread t in waiting)
        {
            t.State = PtxThreadState.Ready;
            t.Pc++;
        }
        _atBarrier = 0;
        Array.Clear(_barrierLanes);
    }

    private void ExitThread(PtxThread t)
    {
        t.State = PtxThreadState.Exited;
        _exitedLanes[t.Warp] |= 1u << t.Lane;
        _live--;
        CheckNoShuffleWaitsFor(t, "exited");
        if (_atBarrier > 0 && _atBarrier == _live) ReleaseBarrier();
    }

    /// <summary>A lane that stops at a barrier or exits must not be awaited by a shuffle of its warp.</summary>
    private void CheckNoShuffleWaitsFor(PtxThread t, string what)
    {
        uint waiting = _shuffleLanes[t.Warp];
        for (int lane = 0; waiting != 0 && lane < 32; lane++)
        {
            if ((waiting >> lane & 1) == 0) continue;
            PtxThread other = _threads[t.Warp * 32 + lane];
            if ((MemberMask(other) >> t.Lane & 1) != 0)
                throw Fault(other, $"lane {t.Lane} is in the member mask 0x{MemberMask(other):x8} but {what} "
                    + $"({(t.State == PtxThreadState.Exited ? "" : "at " + t.Function.Where(t.Pc) + ", ")}"
                    + "a shfl.sync must be reached by every lane of its mask)");
        }
    }

    // ------------------------------------------------------------------------------------------ shfl.sync

    private static uint MemberMask(PtxThread t) => (uint)t.Read(t.Function.Code[t.Pc].E);

    /// <summary>A lane arrives at a shfl.sync. Lanes of the mask that have exited or wait at the barrier fault at
    /// once; when the last lane of the mask arrives, all must wait at this same shfl with the same mask.</summary>
    private void ArriveShuffle(PtxThread t)
    {
        t.State = PtxThreadState.AtShuffle;
        uint mask = MemberMask(t);
        int warp = t.Warp;
        if ((mask >> t.Lane & 1) == 0) throw Fault(t, $"the executing lane {t.Lane} is not in the member mask 0x{mask:x8}");
        int lanesInWarp = Math.Min(32, _threads.Length - warp * 32);
        if (lanesInWarp < 32 && mask >> lanesInWarp != 0)
            throw Fault(t, $"member mask 0x{mask:x8} names lane {lanesInWarp + BitOperations.TrailingZeroCount(mask >> lanesInWarp)}, "
                + $"which does not exist (blockDim {_blockDim})");
        if ((mask & _exitedLanes[warp]) != 0)
            throw Fault(t, $"member mask 0x{mask:x8} names lane {BitOperations.TrailingZeroCount(mask & _exitedLanes[warp])}, which has exited");
        if ((mask & _barrierLanes[warp]) != 0)
        {
            PtxThread other = _threads[warp * 32 + BitOperations.TrailingZeroCount(mask & _barrierLanes[warp])];
            throw Fault(t, $"member mask 0x{mask:x8} names lane {other.Lane}, which waits at {WhereWaiting(other)}");
        }
        _shuffleLanes[warp] |= 1u << t.Lane;
        if ((_shuffleLanes[warp] & mask) != mask) return;

        for (int lane = 0; lane < 32; lane++)
        {
            if ((mask >> lane & 1) == 0) continue;
            PtxThread other = _threads[warp * 32 + lane];
            if (!other.AtSameSite(t))
                throw Fault(t, $"member mask 0x{mask:x8} names lane {lane}, which waits at a different {WhereWaiting(other)}");
            if (MemberMask(other) != mask)
                throw Fault(t, $"lane {lane} waits here with member mask 0x{MemberMask(other):x8}, this lane with 0x{mask:x8}");
        }
        _shuffleLanes[warp] &= ~mask;
        Shuffle(t, mask);
    }

    /// <summary>Performs the shuffle for every lane of the mask, exactly as the PTX ISA's pseudo-code: each lane
    /// computes its source lane j from its own b and c; out of range, it keeps its own value and p is false.</summary>
    private void Shuffle(PtxThread any, uint mask)
    {
        ref PtxInstruction ins = ref any.Function.Code[any.Pc];
        int warp = any.Warp * 32;
        Span<uint> source = stackalloc uint[32];
        for (int lane = 0; lane < 32; lane++)
            if ((mask >> lane & 1) != 0) source[lane] = (uint)_threads[warp + lane].Read(ins.A);
        Span<uint> result = stackalloc uint[32];
        Span<bool> inRange = stackalloc bool[32];
        for (int lane = 0; lane < 32; lane++)
        {
            if ((mask >> lane & 1) == 0) continue;
            PtxThread t = _threads[warp + lane];
            int b = (int)(t.Read(ins.B) & 31), c = (int)t.Read(ins.C);
            int clamp = c & 31, segment = (c >> 8) & 31;
            int maxLane = (lane & segment) | (clamp & ~segment), minLane = lane & segment;
            (int j, bool valid) = (PtxShuffleMode)ins.Mode switch
            {
                PtxShuffleMode.Up => (lane - b, lane - b >= maxLane),
                PtxShuffleMode.Down => (lane + b, lane + b <= maxLane),
                PtxShuffleMode.Bfly => (lane ^ b, (lane ^ b) <= maxLane),
                _ => (minLane | (b & ~segment), (minLane | (b & ~segment)) <= maxLane),
            };
            if (!valid) j = lane;
            if ((mask >> j & 1) == 0)
                throw Fault(t, $"lane {lane} reads lane {j}, which is not in the member mask 0x{mask:x8} (its value is undefined)");
            result[lane] = source[j];
            inRange[lane] = valid;
        }
        for (int lane = 0; lane < 32; lane++)
        {
            if ((mask >> lane & 1) == 0) continue;
            PtxThread t = _threads[warp + lane];
            t.Registers[t.FrameBase + ins.D] = result[lane];
            if (ins.D2 >= 0) t.Registers[t.FrameBase + ins.D2] = inRange[lane] ? 1UL : 0UL;
            t.State = PtxThreadState.Ready;
            t.Pc++;
        }
    }
}
