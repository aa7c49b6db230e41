using System.Runtime.InteropServices;

namespace RawGan.GpuEmulator.Ptx;

/// <summary>One device allocation: its bytes and, created on first use, its race tracker.</summary>
internal sealed class PtxAllocation(ulong address, long length)
{
    private PtxRaceTracker? _tracker;

    public ulong Address { get; } = address;
    public long Length { get; } = length;
    public byte[] Data { get; } = new byte[length];
    public bool Live { get; set; } = true;
    public PtxRaceTracker Tracker => _tracker ??= new PtxRaceTracker((int)((Length + 3) / 4));

    public bool Contains(ulong address, int size) =>
        address >= Address && address - Address <= (ulong)Length && (ulong)Length - (address - Address) >= (ulong)size;
}

/// <summary>The device heap of the interpreter. Allocations get 256-byte-aligned fake addresses from
/// 0x7f00_0000_0000 upwards, never reused, with an unmapped gap after each, so that an access past the end, before
/// the start or after <see cref="Free"/> faults instead of landing in a neighbour. Host access is through the
/// typed <see cref="Write{T}"/> / <see cref="Read{T}(ulong, Span{T})"/>. Not thread-safe: one per test.</summary>
internal sealed class PtxMemory
{
    public const ulong BaseAddress = 0x7f00_0000_0000;
    private const ulong Gap = 0x1000;

    private readonly List<PtxAllocation> _live = [];   // ascending addresses
    private readonly List<PtxAllocation> _freed = [];
    private ulong _next = BaseAddress;
    private PtxAllocation? _last;

    /// <summary>The race-detection clock, shared by every launch on this heap (see <see cref="PtxAccessor"/>).</summary>
    internal int Epoch { get; private set; } = 1;

    internal int AdvanceEpoch() => Epoch = checked(Epoch + 1);

    public ulong Allocate(long bytes)
    {
        if (bytes < 0 || bytes > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "allocation size");
        ulong address = _next;
        _next = (address + (ulong)bytes + Gap + 255) & ~255UL;
        var allocation = new PtxAllocation(address, bytes);
        _live.Add(allocation);
        return address;
    }

    /// <summary>Allocates room for <paramref name="values"/> and copies them in.</summary>
    public ulong Upload<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        ulong address = Allocate((long)values.Length * Marshal.SizeOf<T>());
        Write(address, values);
        return address;
    }

    public void Free(ulong address)
    {
        int index = _live.FindIndex(a => a.Address == address);
        if (index < 0) throw new ArgumentException($"0x{address:x} is not the start of a live allocation", nameof(address));
        PtxAllocation allocation = _live[index];
        allocation.Live = false;
        _live.RemoveAt(index);
        _freed.Add(allocation);
        if (_last == allocation) _last = null;
    }

    public void Write<T>(ulong address, ReadOnlySpan<T> values) where T : unmanaged
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        bytes.CopyTo(HostSpan(address, bytes.Length));
    }

    public void Read<T>(ulong address, Span<T> values) where T : unmanaged
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(values);
        HostSpan(address, bytes.Length).CopyTo(bytes);
    }

    public T[] Read<T>(ulong address, int count) where T : unmanaged
    {
        var values = new T[count];
        Read<T>(address, values);
        return values;
    }

    private Span<byte> HostSpan(ulong address, int length)
    {
        PtxAllocation allocation = Find(address, length)
            ?? throw new ArgumentException($"host access of {length} bytes at 0x{address:x}: {Describe(address, length)}");
        return allocation.Data.AsSpan((int)(address - allocation.Address), length);
    }

    /// <summary>The live allocation holding all of [address, address + size), or null.</summary>
    internal PtxAllocation? Find(ulong address, int size)
    {
        if (_last is { } last && last.Contains(address, size)) return last;
        int lo = 0, hi = _live.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_live[mid].Address <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found < 0 || !_live[found].Contains(address, size)) return null;
        return _last = _live[found];
    }

    /// <summary>Why [address, address + size) is not accessible, relative to the nearest allocations.</summary>
    internal string Describe(ulong address, int size)
    {
        if (_freed.FirstOrDefault(a => a.Contains(address, 1)) is { } freed)
            return $"it lies in the freed {freed.Length}-byte allocation at 0x{freed.Address:x} (use after free)";
        PtxAllocation? below = _live.LastOrDefault(a => a.Address <= address);
        PtxAllocation? above = _live.FirstOrDefault(a => a.Address > address);
        if (below is not null && address - below.Address < (ulong)below.Length)
            return $"it runs {address + (ulong)size - below.Address - (ulong)below.Length} byte(s) past the end of the "
                + $"{below.Length}-byte allocation at 0x{below.Address:x}";
        var parts = new List<string>();
        if (below is not null)
            parts.Add($"{address - below.Address - (ulong)below.Length} byte(s) past the end of the {below.Length}-byte allocation at 0x{below.Address:x}");
        if (above is not null) parts.Add($"{above.Address - address} byte(s) before the allocation at 0x{above.Address:x}");
        return parts.Count == 0 ? "there are no live allocations" : "it is outside every live allocation: " + string.Join(", ", parts);
    }
}
