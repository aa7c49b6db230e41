namespace RawGan.GpuEmulator.Ptx;

/// <summary>A decoded <c>.entry</c> or <c>.func</c>. Each activation owns a register frame of
/// <see cref="FrameSize"/> 64-bit slots, initialised from <see cref="FrameTemplate"/>: declared registers
/// (returns, then parameters, then the body's) hold a poison pattern (NaN as f32 and f64) so that reading an
/// unwritten register shows; constants hold their values.</summary>
internal sealed class PtxFunction(string name, bool isEntry, string file)
{
    public string Name { get; } = name;
    public bool IsEntry { get; } = isEntry;
    public string File { get; } = file;
    public PtxInstruction[] Code { get; set; } = [];
    public int[] Lines { get; set; } = [];
    public string[] Texts { get; set; } = [];
    public ulong[] FrameTemplate { get; set; } = [];
    public int FrameSize => FrameTemplate.Length;
    /// <summary>Slots of the parameters (for an entry: where launch arguments are written; ld.param reads them).</summary>
    public int[] ParameterSlots { get; set; } = [];
    public int[] ReturnSlots { get; set; } = [];
    public IReadOnlyList<PtxVariable> Parameters { get; set; } = [];
    public IReadOnlyList<PtxVariable> Returns { get; set; } = [];
    public int? MaxThreads { get; set; }
    public int? RequiredThreads { get; set; }

    public string Where(int pc) => $"{File}:{Lines[pc]}";

    /// <summary>Proves that every slot an instruction names lies inside this function's frame (and a call's
    /// inside its callee's), which the executor relies on for unchecked register access.</summary>
    public void ValidateSlots()
    {
        for (int pc = 0; pc < Code.Length; pc++)
        {
            ref PtxInstruction i = ref Code[pc];
            bool ok = In(i.D) && In(i.A) && In(i.B) && Optional(i.D2) && Optional(i.C) && Optional(i.E) && Optional(i.Guard);
            if (i.Op == PtxOp.BrxIdx) ok &= i.Slots!.All(target => target >= 0 && target < Code.Length);
            else if (i.Slots is not null) ok &= i.Slots.All(In);
            if (i.Op == PtxOp.Bra) ok &= i.Target >= 0 && i.Target < Code.Length;
            if (i.Call is { } call)
                ok &= call.Arguments.All(In) && call.Results.All(In)
                    && call.Callee.ParameterSlots.All(s => s >= 0 && s < call.Callee.FrameSize)
                    && call.Callee.ReturnSlots.All(s => s >= 0 && s < call.Callee.FrameSize);
            if (!ok) throw new InvalidOperationException($"internal error: {Where(pc)} `{Texts[pc]}` names a slot outside its frame");
        }

        bool In(int slot) => slot >= 0 && slot < FrameSize;
        bool Optional(int slot) => slot == -1 || In(slot);
    }
}
