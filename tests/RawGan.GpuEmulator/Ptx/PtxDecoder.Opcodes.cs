namespace RawGan.GpuEmulator.Ptx;

/// <summary>Per-opcode decoding, dispatched here and done in PtxDecoder.Arithmetic.cs, .Moves.cs and .Memory.cs:
/// which modifiers and types each instruction accepts, and how its operands map
/// onto a <see cref="PtxInstruction"/>. Unknown opcodes, modifiers and types are parse errors.</summary>
internal sealed partial class PtxDecoder
{
    /// <summary>An opcode's dot-separated modifiers; decoding takes the ones it understands and
    /// <see cref="Done"/> rejects whatever is left.</summary>
    private sealed class Modifiers(PtxDecoder decoder, string opcode)
    {
        private readonly List<string> _parts = [.. opcode.Split('.').Skip(1).Select(p => "." + p)];

        public bool Take(string modifier) => _parts.Remove(modifier);

        public string? TakeAny(params string[] options)
        {
            foreach (string option in options)
                if (_parts.Remove(option)) return option;
            return null;
        }

        /// <summary>The type, which PTX writes last.</summary>
        public PtxType TakeType()
        {
            if (_parts.Count == 0 || !PtxTypes.TryParse(_parts[^1], out PtxType type))
                throw decoder.Error($"'{opcode}' needs a type suffix");
            _parts.RemoveAt(_parts.Count - 1);
            if (!type.IsSupportedScalar()) throw decoder.Error($"type .{type.Name()} is not supported (only .pred and 32/64-bit types)");
            return type;
        }

        public void Done()
        {
            if (_parts.Count > 0) throw decoder.Error($"unsupported modifier{(_parts.Count > 1 ? "s" : "")} {string.Concat(_parts)} in '{opcode}'");
        }
    }

    private void DecodeStatement()
    {
        string opcode = _statement.Opcode;
        string name = opcode.Split('.')[0];
        var m = new Modifiers(this, opcode);
        List<PtxOperand> ops = _statement.Operands;
        switch (name)
        {
            case "add": case "sub": DecodeAddSub(m, ops, name == "sub"); break;
            case "mul": DecodeMul(m, ops); break;
            case "mad": DecodeMad(m, ops); break;
            case "fma": DecodeFma(m, ops); break;
            case "div": case "rem": DecodeDivRem(m, ops, name == "rem"); break;
            case "sqrt": case "rcp": case "ex2": case "lg2": case "sin": case "cos": case "rsqrt": DecodeFloatUnary(m, ops, name); break;
            case "neg": case "abs": DecodeNegAbs(m, ops, name == "abs"); break;
            case "copysign": DecodeCopysign(m, ops); break;
            case "min": case "max": DecodeMinMax(m, ops, name == "max"); break;
            case "and": case "or": case "xor": DecodeLogic(m, ops, name); break;
            case "not": DecodeNot(m, ops); break;
            case "shl": case "shr": DecodeShift(m, ops, name == "shr"); break;
            case "setp": DecodeSetp(m, ops); break;
            case "selp": DecodeSelp(m, ops); break;
            case "mov": DecodeMov(m, ops); break;
            case "cvt": DecodeCvt(m, ops); break;
            case "cvta": DecodeCvta(m, ops); break;
            case "ld": DecodeLoad(m, ops); break;
            case "st": DecodeStore(m, ops); break;
            case "red": case "atom": DecodeAtomic(m, ops, name == "atom"); break;
            case "bar": case "barrier": DecodeBarrier(m, ops, name); break;
            case "shfl": DecodeShuffle(m, ops); break;
            case "bra": DecodeBranch(m, ops); break;
            case "brx": DecodeBranchIndexed(m, ops); break;
            case "call": DecodeCall(m, ops); break;
            case "ret": case "exit":
                m.Take(".uni");
                m.Done();
                ExpectOperands(ops, 0);
                Emit(PtxInstruction.Create(name == "ret" ? PtxOp.Ret : PtxOp.Exit));
                break;
            default: throw Error($"unsupported instruction '{opcode}'");
        }
    }

    private PtxInstruction Binary(PtxOp op, List<PtxOperand> ops, PtxType type)
    {
        ExpectOperands(ops, 3);
        var ins = PtxInstruction.Create(op);
        ins.D = Destination(ops[0], type);
        ins.A = Source(ops[1], type);
        ins.B = Source(ops[2], type);
        return ins;
    }

    private PtxInstruction Unary(PtxOp op, List<PtxOperand> ops, PtxType type)
    {
        ExpectOperands(ops, 2);
        var ins = PtxInstruction.Create(op);
        ins.D = Destination(ops[0], type);
        ins.A = Source(ops[1], type);
        return ins;
    }

    private static PtxOp Pick(PtxType type, PtxOp u32, PtxOp s32, PtxOp u64, PtxOp s64) =>
        type.Size() == 4 ? (type.IsSigned() ? s32 : u32) : (type.IsSigned() ? s64 : u64);

    private bool Ftz(Modifiers m, PtxType type)
    {
        if (!m.Take(".ftz")) return false;
        if (type != PtxType.F32) throw Error(".ftz applies only to .f32");
        return true;
    }

    /// <summary>Float add/sub/mul must say .rn: without it ptxas may contract mul+add into fma, which changes
    /// rounding and which an interpreter cannot reproduce.</summary>
    private void RequireRn(Modifiers m)
    {
        if (m.Take(".rn")) return;
        if (m.TakeAny(".rz", ".rm", ".rp") is { } rounding) throw Error($"rounding {rounding} is not supported (only .rn)");
        throw Error("float arithmetic without .rn may be contracted into fma by ptxas, which the interpreter cannot model; write .rn");
    }

    private void RequireInteger(PtxType type, string what)
    {
        if (!type.IsInteger()) throw Error($"{what} needs a .u32/.s32/.u64/.s64 type, not .{type.Name()}");
    }
}
