namespace RawGan.GpuEmulator.Ptx;

/// <summary>Decoding of memory, synchronisation and control-flow instructions.</summary>
internal sealed partial class PtxDecoder
{
    private void DecodeLoad(Modifiers m, List<PtxOperand> ops)
    {
        ExpectOperands(ops, 2);
        if (m.Take(".param"))
        {
            DecodeLoadParam(m, ops);
            return;
        }
        var ins = DecodeAccess(m, out bool shared, load: true);
        ins.Op = shared ? PtxOp.LdShared : PtxOp.LdGlobal;
        if (ins.Count == 1) ins.D = Destination(ops[0], ins.Type);
        else ins.Slots = VectorRegisters(ops[0], ins.Count, o => Destination(o, ins.Type));
        (ins.A, ins.Offset) = Address(ops[1], shared);
        Emit(ins);
    }

    private void DecodeStore(Modifiers m, List<PtxOperand> ops)
    {
        ExpectOperands(ops, 2);
        var ins = DecodeAccess(m, out bool shared, load: false);
        ins.Op = shared ? PtxOp.StShared : PtxOp.StGlobal;
        (ins.A, ins.Offset) = Address(ops[0], shared);
        if (ins.Count == 1) ins.B = Source(ops[1], ins.Type);
        else ins.Slots = VectorRegisters(ops[1], ins.Count, o => Source(o, ins.Type));
        Emit(ins);
    }

    /// <summary>The modifiers of ld/st .global/.shared: state space, cache hints (no-ops), vector width, type.</summary>
    private PtxInstruction DecodeAccess(Modifiers m, out bool shared, bool load)
    {
        string? space = m.TakeAny(".global", ".shared");
        if (space is null) throw Error("ld/st need a .global, .shared or (ld) .param state space; generic addressing is not supported");
        shared = space == ".shared";
        if (!shared)
        {
            if (load) m.Take(".nc");
            m.TakeAny(".ca", ".cg", ".cs", ".lu", ".cv", ".wb", ".wt");
        }
        int count = m.TakeAny(".v2", ".v4") switch { ".v2" => 2, ".v4" => 4, _ => 1 };
        PtxType type = m.TakeType();
        m.Done();
        if (type == PtxType.Pred) throw Error("ld/st of .pred is not possible");
        if (count * type.Size() > 16) throw Error($"a .v{count}.{type.Name()} access is wider than 16 bytes");
        var ins = PtxInstruction.Create(PtxOp.LdGlobal);
        ins.Type = type;
        ins.Size = (byte)type.Size();
        ins.Count = (byte)count;
        return ins;
    }

    private int[] VectorRegisters(PtxOperand operand, int count, Func<PtxOperand, int> slot)
    {
        if (operand is not PtxVectorOperand vector || vector.Items.Count != count)
            throw Error($"expected a vector of {count} registers {{a, b, …}} but found '{Show(operand)}'");
        return [.. vector.Items.Select(slot)];
    }

    /// <summary><c>ld.param.type d, [name]</c> of an entry parameter: a register move from its slot.</summary>
    private void DecodeLoadParam(Modifiers m, List<PtxOperand> ops)
    {
        PtxType type = m.TakeType();
        m.Done();
        if (!_source.IsEntry) throw Error("ld.param is supported only for .entry parameters (.func parameters are .reg)");
        if (ops[1] is not PtxAddressOperand { Offset: 0 } address || !_entryParameters.TryGetValue(address.Base, out var parameter))
            throw Error($"ld.param needs [name] of a parameter of '{_source.Name}'");
        if (!type.Accepts(parameter.Type))
            throw Error($"parameter '{address.Base}' is .{parameter.Type.Name()}, which ld.param.{type.Name()} does not fit");
        var ins = PtxInstruction.Create(PtxOp.Mov);
        ins.D = Destination(ops[0], type);
        ins.A = parameter.Slot;
        Emit(ins);
    }

    /// <summary><c>red.global.add.type [a], b</c> and <c>atom.global.add.type d, [a], b</c>.</summary>
    private void DecodeAtomic(Modifiers m, List<PtxOperand> ops, bool atom)
    {
        PtxType type = m.TakeType();
        if (!m.Take(".global")) throw Error($"{(atom ? "atom" : "red")} is supported on .global only");
        if (!m.Take(".add")) throw Error($"only {(atom ? "atom" : "red")}.global.add is supported");
        m.Take(".relaxed");
        m.Take(".gpu");
        m.Done();
        if (type is not (PtxType.F32 or PtxType.F64 or PtxType.U32 or PtxType.S32 or PtxType.U64))
            throw Error($"{(atom ? "atom" : "red")}.add.{type.Name()} is not supported");
        ExpectOperands(ops, atom ? 3 : 2);
        var ins = PtxInstruction.Create(atom ? PtxOp.AtomAddGlobal : PtxOp.RedAddGlobal);
        ins.Type = type;
        ins.Size = (byte)type.Size();
        ins.Count = 1;
        int first = atom ? 1 : 0;
        if (atom) ins.D = Destination(ops[0], type);
        (ins.A, ins.Offset) = Address(ops[first], shared: false);
        ins.B = Source(ops[first + 1], type);
        Emit(ins);
    }

    /// <summary><c>bar.sync 0</c> (= <c>barrier.sync.aligned 0</c>): all live threads of the block.</summary>
    private void DecodeBarrier(Modifiers m, List<PtxOperand> ops, string name)
    {
        if (!m.Take(".sync")) throw Error($"only {name}.sync is supported");
        if (name == "barrier" && !m.Take(".aligned")) throw Error("only the .aligned barrier.sync (= bar.sync) is supported");
        m.Done();
        if (ops.Count != 1 || ops[0] is not PtxLiteralOperand { Negative: false } id
            || !PtxLiterals.TryParseInteger(id.Text, out ulong value) || value != 0)
            throw Error("only barrier 0 over the whole block is supported: bar.sync 0");
        if (_statement.Guard is not null) throw Error("a predicated bar.sync is not supported");
        Emit(PtxInstruction.Create(PtxOp.BarSync));
    }

    /// <summary><c>shfl.sync.mode.b32 d[|p], a, b, c, membermask</c>.</summary>
    private void DecodeShuffle(Modifiers m, List<PtxOperand> ops)
    {
        if (!m.Take(".sync")) throw Error("only shfl.sync is supported (shfl without .sync is invalid on sm_70+)");
        string? mode = m.TakeAny(".up", ".down", ".bfly", ".idx");
        if (mode is null) throw Error("shfl.sync needs a mode (.up, .down, .bfly, .idx)");
        if (m.TakeType() != PtxType.B32) throw Error("shfl.sync needs .b32");
        m.Done();
        if (_statement.Guard is not null) throw Error("a predicated shfl.sync is not supported");
        ExpectOperands(ops, 5);
        var ins = PtxInstruction.Create(PtxOp.Shfl);
        ins.Mode = (byte)(mode switch { ".up" => PtxShuffleMode.Up, ".down" => PtxShuffleMode.Down, ".bfly" => PtxShuffleMode.Bfly, _ => PtxShuffleMode.Idx });
        if (ops[0] is PtxPairOperand pair)
        {
            ins.D = Destination(new PtxNameOperand(pair.First), PtxType.B32);
            ins.D2 = Predicate(new PtxNameOperand(pair.Second));
        }
        else ins.D = Destination(ops[0], PtxType.B32);
        ins.A = Source(ops[1], PtxType.B32);
        ins.B = Source(ops[2], PtxType.B32);
        ins.C = Source(ops[3], PtxType.B32);
        ins.E = Source(ops[4], PtxType.B32);
        Emit(ins);
    }

    private void DecodeBranch(Modifiers m, List<PtxOperand> ops)
    {
        m.Take(".uni");
        m.Done();
        ExpectOperands(ops, 1);
        if (ops[0] is not PtxNameOperand { Name: var label } || label.StartsWith('%')) throw Error("bra needs a label");
        _branchFixups.Add((_code.Count, label, _statement));
        Emit(PtxInstruction.Create(PtxOp.Bra));
    }

    private void DecodeBranchIndexed(Modifiers m, List<PtxOperand> ops)
    {
        if (!m.Take(".idx")) throw Error("only brx.idx is supported");
        m.Take(".uni");
        m.Done();
        ExpectOperands(ops, 2);
        if (ops[1] is not PtxNameOperand { Name: var table } || table.StartsWith('%')) throw Error("brx.idx needs a .branchtargets label");
        var ins = PtxInstruction.Create(PtxOp.BrxIdx);
        ins.A = Source(ops[0], PtxType.U32);
        _tableFixups.Add((_code.Count, table, _statement));
        Emit(ins);
    }

    /// <summary><c>call (results), f, (arguments)</c>, with either list optional; f's parameters are .reg.</summary>
    private void DecodeCall(Modifiers m, List<PtxOperand> ops)
    {
        m.Take(".uni");
        m.Done();
        int i = 0;
        List<PtxOperand> results = [], arguments = [];
        if (i < ops.Count && ops[i] is PtxListOperand r) { results = r.Items; i++; }
        if (i >= ops.Count || ops[i] is not PtxNameOperand { Name: var name } || name.StartsWith('%'))
            throw Error("call needs a function name");
        i++;
        if (i < ops.Count && ops[i] is PtxListOperand a) { arguments = a.Items; i++; }
        if (i != ops.Count) throw Error("call takes (results), function, (arguments)");
        if (!_functions.TryGetValue(name, out PtxFunctionSource? callee)) throw Error($"call to undefined function '{name}'");
        if (callee.IsEntry) throw Error($"'{name}' is an .entry and cannot be called");
        if (results.Count != callee.Returns.Count)
            throw Error($"'{name}' returns {callee.Returns.Count} value(s) but the call takes {results.Count}");
        if (arguments.Count != callee.Parameters.Count)
            throw Error($"'{name}' has {callee.Parameters.Count} parameter(s) but the call passes {arguments.Count}");
        int[] resultSlots = [.. results.Select((o, k) => Destination(o, callee.Returns[k].Type))];
        int[] argumentSlots = [.. arguments.Select((o, k) => Source(o, callee.Parameters[k].Type))];
        var ins = PtxInstruction.Create(PtxOp.Call);
        ins.Call = new PtxCallSite(name, argumentSlots, resultSlots);
        Emit(ins);
    }
}
