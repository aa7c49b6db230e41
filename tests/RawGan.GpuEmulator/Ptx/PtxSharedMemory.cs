using System.Runtime.InteropServices;

namespace RawGan.GpuEmulator.Ptx;

/// <summary>One block's <c>.shared</c> memory during a launch: the module's static arrays at their layout addresses
/// and the <c>.extern</c> ones sized by the launch's dynamic shared bytes. Accesses must fall inside one array.
/// At every block start it is filled with the NaN word 0x7fc00bad, so reading what the block never wrote
/// shows up as NaN.</summary>
internal sealed class PtxSharedMemory
{
    public const uint Fill = 0x7fc00bad;

    private readonly List<(string Name, ulong Start, long Length, int ElementSize)> _arrays = [];

    public byte[] Data { get; }
    public PtxRaceTracker Tracker { get; }

    public PtxSharedMemory(PtxModule module, uint dynamicBytes)
    {
        ulong end = 0;
        foreach ((PtxSharedSymbol symbol, ulong address) in module.SharedLayout)
        {
            long length = symbol.Extern ? dynamicBytes : symbol.Count * symbol.ElementType.Size();
            _arrays.Add((symbol.Name, address, length, symbol.ElementType.Size()));
            end = Math.Max(end, address + (ulong)length);
        }
        Data = new byte[(end + 3) & ~3UL];
        Tracker = new PtxRaceTracker(Data.Length / 4);
    }

    public void Reset() => MemoryMarshal.Cast<byte, uint>(Data.AsSpan()).Fill(Fill);

    /// <summary>Is [address, address + size) inside one .shared array?</summary>
    public bool Contains(ulong address, int size)
    {
        foreach (var array in _arrays)
            if (address >= array.Start && address - array.Start <= (ulong)array.Length
                && (ulong)array.Length - (address - array.Start) >= (ulong)size)
                return true;
        return false;
    }

    /// <summary><c>name[index]</c> of the array element at <paramref name="address"/>.</summary>
    public string Name(ulong address)
    {
        foreach (var array in _arrays)
            if (address >= array.Start && address - array.Start < (ulong)array.Length)
            {
                ulong offset = address - array.Start;
                return offset % (ulong)array.ElementSize == 0
                    ? $"{array.Name}[{offset / (ulong)array.ElementSize}]"
                    : $"byte {offset} of {array.Name}";
            }
        return $"0x{address:x}";
    }

    /// <summary>Why [address, address + size) is not a valid .shared access.</summary>
    public string Describe(ulong address, int size)
    {
        var nearest = _arrays.Where(a => a.Start <= address).OrderByDescending(a => a.Start).FirstOrDefault();
        if (nearest.Name is null) return "it lies below every .shared array";
        if (address - nearest.Start < (ulong)nearest.Length)
            return $"it runs past the end of {nearest.Name} ({nearest.Length} bytes)";
        return $"it is {address - nearest.Start - (ulong)nearest.Length} byte(s) past the end of {nearest.Name} ({nearest.Length} bytes)";
    }
}
