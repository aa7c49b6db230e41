namespace RawGan.GpuEmulator.Ptx;

/// <summary>Who accesses a word and when: <see cref="Thread"/> is the thread's index in the launch (block-major),
/// <see cref="Epoch"/> the race clock (it advances at every completed bar.sync, block start and launch), and
/// accesses recorded before <see cref="Since"/> (an earlier launch, or for shared memory an earlier block) are
/// forgotten.</summary>
internal readonly record struct PtxAccessor(int Thread, int Block, int Epoch, int Since, int ThreadsPerBlock);

/// <summary>Data-race detection per 4-byte word. Two accesses to a word, at least one a write, by different
/// threads race unless they are ordered: same block and a bar.sync completed in between (their epochs differ).
/// Per word it keeps the last write and a summary of the reads since (one thread, several threads of one block
/// in one epoch, or several blocks), so checks are O(1) and nothing is cleared between launches.</summary>
internal sealed class PtxRaceTracker(int words)
{
    private const int SeveralBlocks = -1;           // readers from more than one block
    private static int SeveralInBlock(int block) => -2 - block;

    private struct Access
    {
        public int Epoch; // 0: never
        public int Who;   // a thread, SeveralInBlock(block) or SeveralBlocks
    }

    private readonly Access[] _writes = new Access[words];
    private readonly Access[] _reads = new Access[words];

    /// <summary>The earlier access a new one races with: the thread (≥ 0, or −1 for "several threads") and
    /// whether it was a write.</summary>
    public readonly record struct Conflict(int Thread, bool WasWrite);

    public Conflict? Read(int word, in PtxAccessor me)
    {
        Access write = _writes[word];
        if (!Ordered(write, me)) return new Conflict(write.Who, true);
        ref Access read = ref _reads[word];
        read = Merge(read, me);
        return null;
    }

    public Conflict? Write(int word, in PtxAccessor me)
    {
        ref Access write = ref _writes[word];
        if (!Ordered(write, me)) return new Conflict(write.Who, true);
        Access read = _reads[word];
        if (!Ordered(read, me)) return new Conflict(read.Who >= 0 ? read.Who : -1, false);
        write = new Access { Epoch = me.Epoch, Who = me.Thread };
        return null;
    }

    private static int BlockOf(int who, in PtxAccessor me) =>
        who >= 0 ? who / me.ThreadsPerBlock : who == SeveralBlocks ? -1 : -2 - who;

    /// <summary>Is an earlier access harmless for <paramref name="me"/>: forgotten, mine, or separated by a barrier?</summary>
    private static bool Ordered(Access earlier, in PtxAccessor me) =>
        earlier.Epoch < me.Since || earlier.Who == me.Thread
        || (BlockOf(earlier.Who, me) == me.Block && earlier.Epoch < me.Epoch);

    /// <summary>Adds a read to a word's read summary. Reads of my block from before the last barrier are ordered
    /// before anything that can still happen in my block, so they can be dropped.</summary>
    private static Access Merge(Access reads, in PtxAccessor me)
    {
        if (reads.Epoch < me.Since || reads.Who == me.Thread) return new Access { Epoch = me.Epoch, Who = me.Thread };
        if (BlockOf(reads.Who, me) != me.Block) return new Access { Epoch = me.Epoch, Who = SeveralBlocks };
        return reads.Epoch < me.Epoch
            ? new Access { Epoch = me.Epoch, Who = me.Thread }
            : new Access { Epoch = me.Epoch, Who = SeveralInBlock(me.Block) };
    }
}
