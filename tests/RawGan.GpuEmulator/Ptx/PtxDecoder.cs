namespace RawGan.GpuEmulator.Ptx;

/// <summary>Turns one parsed function into a <see cref="PtxFunction"/>: assigns every register, constant and
/// entry parameter a frame slot, decodes each statement into a <see cref="PtxInstruction"/> (checking operand
/// counts, modifiers and register types) and resolves labels. The per-opcode decoding lives in
/// PtxDecoder.Opcodes.cs (dispatch), .Arithmetic.cs, .Moves.cs and .Memory.cs. Calls are resolved to their
/// callee afterwards by <see cref="PtxModule"/>.</summary>
internal sealed partial class PtxDecoder
{
    /// <summary>Initial value of a 32-bit register (a NaN as float32) and of a 64-bit one (a NaN as float64).</summary>
    public const ulong Poison32 = 0x7FC00BAD, Poison64 = 0x7FF00BAD_7FC00BAD;

    private static readonly Dictionary<string, PtxSpecial> Specials = new()
    {
        ["%tid.x"] = PtxSpecial.TidX, ["%tid.y"] = PtxSpecial.TidY, ["%tid.z"] = PtxSpecial.TidZ,
        ["%ntid.x"] = PtxSpecial.NtidX, ["%ntid.y"] = PtxSpecial.NtidY, ["%ntid.z"] = PtxSpecial.NtidZ,
        ["%ctaid.x"] = PtxSpecial.CtaidX, ["%ctaid.y"] = PtxSpecial.CtaidY, ["%ctaid.z"] = PtxSpecial.CtaidZ,
        ["%nctaid.x"] = PtxSpecial.NctaidX, ["%nctaid.y"] = PtxSpecial.NctaidY, ["%nctaid.z"] = PtxSpecial.NctaidZ,
        ["%laneid"] = PtxSpecial.LaneId, ["%warpid"] = PtxSpecial.WarpId,
    };

    private readonly string _file;
    private readonly PtxFunctionSource _source;
    private readonly IReadOnlyDictionary<string, PtxFunctionSource> _functions;
    private readonly IReadOnlyDictionary<string, ulong> _sharedAddresses;
    private readonly Dictionary<string, (int Slot, PtxType Type)> _registers = [];
    private readonly Dictionary<string, (int Slot, PtxType Type)> _entryParameters = [];
    private readonly List<ulong> _frame = [];
    private readonly Dictionary<ulong, int> _constants = [];
    private readonly int[] _scratch = [-1, -1, -1];
    private readonly List<PtxInstruction> _code = [];
    private readonly List<int> _lines = [];
    private readonly List<string> _texts = [];
    private readonly Dictionary<string, int> _labels = [];
    private readonly List<(int Index, string Label, PtxStatement Statement)> _branchFixups = [];
    private readonly List<(int Index, string Table, PtxStatement Statement)> _tableFixups = [];
    private PtxStatement _statement = null!;

    private PtxDecoder(string file, PtxFunctionSource source, IReadOnlyDictionary<string, PtxFunctionSource> functions,
        IReadOnlyDictionary<string, ulong> sharedAddresses)
    {
        _file = file;
        _source = source;
        _functions = functions;
        _sharedAddresses = sharedAddresses;
    }

    public static PtxFunction Decode(string file, PtxFunctionSource source,
        IReadOnlyDictionary<string, PtxFunctionSource> functions, IReadOnlyDictionary<string, ulong> sharedAddresses) =>
        new PtxDecoder(file, source, functions, sharedAddresses).Decode();

    private PtxFunction Decode()
    {
        int[] returnSlots = [.. _source.Returns.Select(DeclareRegister)];
        int[] parameterSlots = _source.IsEntry
            ? [.. _source.Parameters.Select(DeclareEntryParameter)]
            : [.. _source.Parameters.Select(DeclareRegister)];
        foreach (PtxVariable register in _source.Registers) DeclareRegister(register);

        foreach (PtxBodyItem item in _source.Body)
        {
            if (item is PtxLabel label)
            {
                if (_source.BranchTables.ContainsKey(label.Name) || !_labels.TryAdd(label.Name, _code.Count))
                    throw new PtxParseException(_file, label.Line, $"label '{label.Name}' is defined twice in '{_source.Name}'");
                continue;
            }
            _statement = (PtxStatement)item;
            DecodeStatement();
        }
        // Falling off the end of a function returns (an entry then exits).
        _statement = new PtxStatement(_source.EndLine, "} (end of function)", null, false, "ret", []);
        Emit(PtxInstruction.Create(PtxOp.Ret));
        ResolveLabels();
        if (_frame.Count == 0) _frame.Add(Poison64); // slot 0 always exists

        return new PtxFunction(_source.Name, _source.IsEntry, _file)
        {
            Code = [.. _code],
            Lines = [.. _lines],
            Texts = [.. _texts],
            FrameTemplate = [.. _frame],
            ParameterSlots = parameterSlots,
            ReturnSlots = returnSlots,
            Parameters = _source.Parameters,
            Returns = _source.Returns,
            MaxThreads = _source.MaxThreads,
            RequiredThreads = _source.RequiredThreads,
        };
    }

    private int DeclareRegister(PtxVariable v)
    {
        if (!v.Name.StartsWith('%'))
            throw new PtxParseException(_file, v.Line, $"register name '{v.Name}' must start with %");
        if (Specials.ContainsKey(v.Name) || v.Name is "%tid" or "%ntid" or "%ctaid" or "%nctaid")
            throw new PtxParseException(_file, v.Line, $"'{v.Name}' is a special register and cannot be declared");
        int slot = _frame.Count;
        if (!_registers.TryAdd(v.Name, (slot, v.Type)))
            throw new PtxParseException(_file, v.Line, $"register {v.Name} is declared twice in '{_source.Name}'");
        _frame.Add(v.Type switch { PtxType.Pred => 0, _ when v.Type.Size() == 4 => Poison32, _ => Poison64 });
        return slot;
    }

    private int DeclareEntryParameter(PtxVariable v)
    {
        int slot = _frame.Count;
        _frame.Add(Poison64);
        _entryParameters.Add(v.Name, (slot, v.Type));
        return slot;
    }

    private void ResolveLabels()
    {
        foreach ((int index, string label, PtxStatement statement) in _branchFixups)
        {
            _statement = statement;
            if (!_labels.TryGetValue(label, out int target)) throw Error($"branch to undefined label '{label}' in '{_source.Name}'");
            _code[index] = _code[index] with { Target = target };
        }
        foreach ((int index, string table, PtxStatement statement) in _tableFixups)
        {
            _statement = statement;
            if (!_source.BranchTables.TryGetValue(table, out var entry))
                throw Error($"brx.idx names '{table}', which is not a .branchtargets table in '{_source.Name}'");
            int[] targets = new int[entry.Targets.Count];
            for (int i = 0; i < targets.Length; i++)
                if (!_labels.TryGetValue(entry.Targets[i], out targets[i]))
                    throw new PtxParseException(_file, entry.Line, $".branchtargets '{table}' names undefined label '{entry.Targets[i]}'");
            _code[index] = _code[index] with { Slots = targets };
        }
    }

    // ---------------------------------------------------------------------------------------------- emitting

    private PtxParseException Error(string message) =>
        new(_file, _statement.Line, $"{message} (in `{_statement.Text}`)");

    private void Emit(PtxInstruction instruction)
    {
        // The executor reads A and B and takes a reference to D before dispatching: point unused ones at slot 0.
        if (instruction.A < 0) instruction.A = 0;
        if (instruction.B < 0) instruction.B = 0;
        if (instruction.D < 0) instruction.D = 0;
        if (_statement.Guard is { } guard)
        {
            instruction.Guard = Predicate(new PtxNameOperand(guard));
            instruction.GuardNegated = _statement.GuardNegated;
        }
        _code.Add(instruction);
        _lines.Add(_statement.Line);
        _texts.Add(_statement.Text);
    }

    /// <summary>Emits a float instruction; with .ftz, its first <paramref name="inputs"/> sources (A, B, C) are
    /// first flushed into scratch slots and, if <paramref name="flushResult"/>, the result D afterwards.</summary>
    private void EmitFloat(PtxInstruction instruction, bool ftz, int inputs, bool flushResult)
    {
        if (ftz)
        {
            for (int i = 0; i < inputs; i++)
            {
                ref int source = ref i == 0 ? ref instruction.A : ref i == 1 ? ref instruction.B : ref instruction.C;
                var flush = PtxInstruction.Create(PtxOp.FlushF32);
                flush.D = Scratch(i);
                flush.A = source;
                Emit(flush);
                source = flush.D;
            }
        }
        Emit(instruction);
        if (ftz && flushResult)
        {
            var flush = PtxInstruction.Create(PtxOp.FlushF32);
            flush.D = instruction.D;
            flush.A = instruction.D;
            Emit(flush);
        }
    }

    private int Scratch(int i)
    {
        if (_scratch[i] < 0)
        {
            _scratch[i] = _frame.Count;
            _frame.Add(Poison64);
        }
        return _scratch[i];
    }

    private int Constant(ulong bits)
    {
        if (!_constants.TryGetValue(bits, out int slot))
        {
            slot = _frame.Count;
            _frame.Add(bits);
            _constants.Add(bits, slot);
        }
        return slot;
    }

    // ---------------------------------------------------------------------------------------------- operands

    private static string Show(PtxOperand operand) => operand switch
    {
        PtxNameOperand n => n.Name,
        PtxLiteralOperand l => (l.Negative ? "-" : "") + l.Text,
        PtxAddressOperand a => $"[{a.Base}{(a.Offset != 0 ? $"{a.Offset:+#;-#}" : "")}]",
        PtxVectorOperand v => "{" + string.Join(", ", v.Items.Select(Show)) + "}",
        PtxListOperand l => "(" + string.Join(", ", l.Items.Select(Show)) + ")",
        PtxPairOperand p => $"{p.First}|{p.Second}",
        PtxNotOperand n => "!" + n.Name,
        _ => operand.ToString() ?? "",
    };

    private void ExpectOperands(List<PtxOperand> operands, int count)
    {
        if (operands.Count != count) throw Error($"expected {count} operands but found {operands.Count}");
    }

    private (int Slot, PtxType Type) Register(string name)
    {
        if (_registers.TryGetValue(name, out var register)) return register;
        if (Specials.ContainsKey(name)) throw Error($"special register {name} is only supported as the source of mov");
        if (!name.StartsWith('%')) throw Error($"expected a register but found '{name}'");
        throw Error($"register {name} is not declared in '{_source.Name}'");
    }

    private int TypedRegister(string name, PtxType expected)
    {
        var (slot, type) = Register(name);
        if (!expected.Accepts(type))
            throw Error($"register {name} is .{type.Name()}, which does not fit a .{expected.Name()} operand");
        return slot;
    }

    private int Destination(PtxOperand operand, PtxType type) => operand is PtxNameOperand n
        ? TypedRegister(n.Name, type)
        : throw Error($"expected a destination register but found '{Show(operand)}'");

    private int Predicate(PtxOperand operand) => Destination(operand, PtxType.Pred);

    /// <summary>A source: a register, an immediate (stored as a constant slot) or a .shared symbol's address.</summary>
    private int Source(PtxOperand operand, PtxType type)
    {
        switch (operand)
        {
            case PtxNameOperand { Name: var name } when name.StartsWith('%'):
                return TypedRegister(name, type);
            case PtxNameOperand { Name: var name } when _sharedAddresses.TryGetValue(name, out ulong address):
                if (type is not (PtxType.U64 or PtxType.S64 or PtxType.B64))
                    throw Error($"the address of .shared '{name}' needs a 64-bit integer operand, not .{type.Name()}");
                return Constant(address);
            case PtxLiteralOperand literal:
                return Constant(LiteralBits(literal, type));
            default:
                throw Error($"expected a register or an immediate but found '{Show(operand)}'");
        }
    }

    private ulong LiteralBits(PtxLiteralOperand literal, PtxType type)
    {
        string text = literal.Text;
        if (type == PtxType.Pred) throw Error($"immediate {text} where a predicate is expected");
        if (PtxLiterals.TryParseF32Bits(text, out uint f32))
        {
            if (literal.Negative) throw Error($"-{text}: put the sign into the 0f bit pattern");
            return type switch
            {
                PtxType.F32 or PtxType.B32 => f32,
                PtxType.F64 => BitConverter.DoubleToUInt64Bits(BitConverter.UInt32BitsToSingle(f32)),
                _ => throw Error($"float literal {text} for a .{type.Name()} operand"),
            };
        }
        if (PtxLiterals.TryParseF64Bits(text, out ulong f64))
        {
            if (literal.Negative) throw Error($"-{text}: put the sign into the 0d bit pattern");
            return type switch
            {
                PtxType.F64 or PtxType.B64 => f64,
                PtxType.F32 => BitConverter.SingleToUInt32Bits((float)BitConverter.UInt64BitsToDouble(f64)),
                _ => throw Error($"double literal {text} for a .{type.Name()} operand"),
            };
        }
        if (PtxLiterals.TryParseInteger(text, out ulong integer))
        {
            if (type.IsFloat()) throw Error($"integer literal {text} for a .{type.Name()} operand: write it as 0f…/0d…");
            if (literal.Negative)
            {
                if (integer > 1UL << 63) throw Error($"-{text} does not fit in 64 bits");
                integer = (ulong)-(long)integer;
                if (type.Size() == 4 && (long)integer < int.MinValue) throw Error($"-{text} does not fit in 32 bits");
            }
            else if (type.Size() == 4 && integer > uint.MaxValue) throw Error($"{text} does not fit in 32 bits");
            return type.Size() == 4 ? integer & 0xFFFF_FFFF : integer;
        }
        if (PtxLiterals.TryParseDecimalFloat(text, out double value))
        {
            if (literal.Negative) value = -value;
            return type switch
            {
                PtxType.F32 => BitConverter.SingleToUInt32Bits((float)value),
                PtxType.F64 => BitConverter.DoubleToUInt64Bits(value),
                _ => throw Error($"float literal {text} for a .{type.Name()} operand"),
            };
        }
        throw Error($"malformed literal '{text}'");
    }

    /// <summary>A memory address <c>[reg+offset]</c> (64-bit integer register) or, for .shared, <c>[symbol+offset]</c>.</summary>
    private (int Slot, long Offset) Address(PtxOperand operand, bool shared)
    {
        if (operand is not PtxAddressOperand address) throw Error($"expected an address [..] but found '{Show(operand)}'");
        if (address.Base.StartsWith('%'))
        {
            var (slot, type) = Register(address.Base);
            if (type is not (PtxType.U64 or PtxType.S64 or PtxType.B64))
                throw Error($"address register {address.Base} is .{type.Name()}; only 64-bit addresses are supported");
            return (slot, address.Offset);
        }
        if (shared && _sharedAddresses.TryGetValue(address.Base, out ulong symbol)) return (Constant(symbol), address.Offset);
        throw Error(shared ? $"'{address.Base}' is neither a register nor a .shared symbol" : $"'{address.Base}' is not a register");
    }
}
