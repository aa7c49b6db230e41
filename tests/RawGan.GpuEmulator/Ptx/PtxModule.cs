namespace RawGan.GpuEmulator.Ptx;

/// <summary>A parsed and decoded PTX module (one kernels/*.ptx file): its entries as launchable
/// <see cref="PtxKernel"/>s, its <c>.func</c>s, and the layout of its module-level <c>.shared</c> arrays.
/// Immutable after <see cref="Parse"/> apart from the statistics, so one instance may serve parallel tests.</summary>
internal sealed class PtxModule
{
    /// <summary>Static .shared arrays start here, each followed by a gap, so that overruns fault.</summary>
    private const ulong SharedStart = 0x100, SharedGap = 0x100;

    private readonly Dictionary<string, PtxKernel> _kernels = [];

    public string FileName { get; }
    /// <summary>The <c>.entry</c> names, in file order.</summary>
    public IReadOnlyList<string> Entries { get; }
    internal IReadOnlyDictionary<string, PtxFunction> Functions { get; }
    /// <summary>The .shared arrays with their addresses (every .extern array starts at <see cref="ExternSharedBase"/>).</summary>
    internal IReadOnlyList<(PtxSharedSymbol Symbol, ulong Address)> SharedLayout { get; }
    internal ulong ExternSharedBase { get; }
    internal bool HasExternShared { get; }

    /// <summary>A launch executing more instructions than this faults (an endless loop).</summary>
    public long MaxInstructionsPerLaunch { get; set; } = 2_000_000_000;

    private PtxModule(string fileName, PtxParser parsed)
    {
        FileName = fileName;

        var layout = new List<(PtxSharedSymbol, ulong)>();
        var addresses = new Dictionary<string, ulong>();
        ulong next = SharedStart, externAlign = 16;
        foreach (PtxSharedSymbol symbol in parsed.Shared.Where(s => !s.Extern))
        {
            next = AlignUp(next, (ulong)Math.Max(symbol.Align, 16));
            layout.Add((symbol, next));
            addresses.Add(symbol.Name, next);
            next += (ulong)(symbol.Count * symbol.ElementType.Size()) + SharedGap;
        }
        foreach (PtxSharedSymbol symbol in parsed.Shared.Where(s => s.Extern)) externAlign = Math.Max(externAlign, (ulong)symbol.Align);
        ExternSharedBase = AlignUp(next, externAlign);
        foreach (PtxSharedSymbol symbol in parsed.Shared.Where(s => s.Extern))
        {
            layout.Add((symbol, ExternSharedBase));
            addresses.Add(symbol.Name, ExternSharedBase);
            HasExternShared = true;
        }
        SharedLayout = layout;

        var sources = parsed.Functions.ToDictionary(f => f.Name);
        var functions = new Dictionary<string, PtxFunction>();
        foreach (PtxFunctionSource source in parsed.Functions)
        {
            if (addresses.ContainsKey(source.Name))
                throw new PtxParseException(fileName, source.Line, $"'{source.Name}' is both a function and a .shared array");
            functions.Add(source.Name, PtxDecoder.Decode(fileName, source, sources, addresses));
        }
        foreach (PtxFunction function in functions.Values)
            foreach (PtxInstruction instruction in function.Code)
                if (instruction.Call is { } call) call.Callee = functions[call.CalleeName];
        foreach (PtxFunction function in functions.Values) function.ValidateSlots();
        Functions = functions;

        Entries = [.. parsed.Functions.Where(f => f.IsEntry).Select(f => f.Name)];
        foreach (string entry in Entries) _kernels.Add(entry, new PtxKernel(this, functions[entry]));
    }

    private static ulong AlignUp(ulong value, ulong align) => (value + align - 1) & ~(align - 1);

    /// <summary>Parses and decodes <paramref name="ptxText"/>; <paramref name="fileName"/> is used in messages.</summary>
    public static PtxModule Parse(string ptxText, string fileName) => new(fileName, PtxParser.Parse(ptxText, fileName));

    /// <summary>The entry <paramref name="name"/>; throws naming the file and its entries if there is none.</summary>
    public PtxKernel Kernel(string name) => _kernels.TryGetValue(name, out PtxKernel? kernel)
        ? kernel
        : throw new KeyNotFoundException($"{FileName} has no .entry '{name}' (entries: {string.Join(", ", Entries)})");

}
