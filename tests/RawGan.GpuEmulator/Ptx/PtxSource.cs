namespace RawGan.GpuEmulator.Ptx;

// The parsed, not yet decoded, form of a module: what PtxParser produces and PtxDecoder consumes.

/// <summary>An instruction operand as written.</summary>
internal abstract record PtxOperand;

/// <summary>A register (<c>%r</c>, <c>%tid.x</c>) or a name (label, function, shared symbol, <c>_</c>).</summary>
internal sealed record PtxNameOperand(string Name) : PtxOperand;

/// <summary>A literal: <c>42</c>, <c>-25</c>, <c>0x1f</c>, <c>0f3F800000</c>, <c>0d3FF0000000000000</c>, <c>1.5</c>.</summary>
internal sealed record PtxLiteralOperand(string Text, bool Negative) : PtxOperand;

/// <summary><c>[base]</c>, <c>[base+offset]</c>, <c>[base-offset]</c>; base is a register or a name.</summary>
internal sealed record PtxAddressOperand(string Base, long Offset) : PtxOperand;

/// <summary><c>{a, b, …}</c>: a vector of registers.</summary>
internal sealed record PtxVectorOperand(List<PtxOperand> Items) : PtxOperand;

/// <summary><c>(a, b, …)</c>: a call's return or argument list.</summary>
internal sealed record PtxListOperand(List<PtxOperand> Items) : PtxOperand;

/// <summary><c>d|p</c>: a value and a predicate destination (setp, shfl).</summary>
internal sealed record PtxPairOperand(string First, string Second) : PtxOperand;

/// <summary><c>!%p</c>: a negated predicate source.</summary>
internal sealed record PtxNotOperand(string Name) : PtxOperand;

internal abstract record PtxBodyItem(int Line);

internal sealed record PtxLabel(string Name, int Line) : PtxBodyItem(Line);

/// <summary>One instruction: optional guard, opcode with its modifiers, operands, and its text for messages.</summary>
internal sealed record PtxStatement(int Line, string Text, string? Guard, bool GuardNegated, string Opcode,
    List<PtxOperand> Operands) : PtxBodyItem(Line);

internal sealed record PtxVariable(string Name, PtxType Type, int Line);

/// <summary>A module-level <c>.shared</c> array (or an <c>.extern .shared</c> one, sized at launch).</summary>
internal sealed record PtxSharedSymbol(string Name, PtxType ElementType, long Count, int Align, bool Extern, int Line);

/// <summary>A <c>.entry</c> or <c>.func</c> as parsed: signature, register declarations, body in order.</summary>
internal sealed class PtxFunctionSource(string name, bool isEntry, int line)
{
    public string Name { get; } = name;
    public bool IsEntry { get; } = isEntry;
    public int Line { get; } = line;
    public int EndLine { get; set; }
    /// <summary>Entry: the <c>.param</c> list; function: the <c>.reg</c> parameters.</summary>
    public List<PtxVariable> Parameters { get; } = [];
    public List<PtxVariable> Returns { get; } = [];
    public List<PtxVariable> Registers { get; } = [];
    public List<PtxBodyItem> Body { get; } = [];
    /// <summary><c>name: .branchtargets L1, L2, …;</c> tables, for brx.idx.</summary>
    public Dictionary<string, (List<string> Targets, int Line)> BranchTables { get; } = [];
    /// <summary><c>.maxntid</c> / <c>.reqntid</c> x-extent, checked at launch.</summary>
    public int? MaxThreads { get; set; }
    public int? RequiredThreads { get; set; }
}
