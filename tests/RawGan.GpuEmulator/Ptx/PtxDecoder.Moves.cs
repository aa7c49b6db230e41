namespace RawGan.GpuEmulator.Ptx;

/// <summary>Decoding of comparisons (setp), selection (selp), moves (mov, cvta) and conversions (cvt).</summary>
internal sealed partial class PtxDecoder
{
    /// <summary>Compare masks over the outcomes less (bit 0), equal (1), greater (2), unordered (3).</summary>
    private static readonly Dictionary<string, byte> CompareMasks = new()
    {
        [".eq"] = 0b0010, [".ne"] = 0b0101, [".lt"] = 0b0001, [".le"] = 0b0011, [".gt"] = 0b0100, [".ge"] = 0b0110,
        [".lo"] = 0b0001, [".ls"] = 0b0011, [".hi"] = 0b0100, [".hs"] = 0b0110,
        [".equ"] = 0b1010, [".neu"] = 0b1101, [".ltu"] = 0b1001, [".leu"] = 0b1011, [".gtu"] = 0b1100, [".geu"] = 0b1110,
        [".num"] = 0b0111, [".nan"] = 0b1000,
    };

    private void DecodeSetp(Modifiers m, List<PtxOperand> ops)
    {
        PtxType t = m.TakeType();
        string? compare = m.TakeAny([.. CompareMasks.Keys]);
        if (compare is null) throw Error("setp needs a comparison (.eq, .lt, …)");
        string? combine = m.TakeAny(".and", ".or", ".xor");
        bool ftz = Ftz(m, t);
        m.Done();
        bool valid = t switch
        {
            PtxType.Pred => false,
            _ when t.IsBits() => compare is ".eq" or ".ne",
            _ when t.IsSigned() => compare is ".eq" or ".ne" or ".lt" or ".le" or ".gt" or ".ge",
            _ when t.IsUnsigned() => compare is ".eq" or ".ne" or ".lt" or ".le" or ".gt" or ".ge" or ".lo" or ".ls" or ".hi" or ".hs",
            _ => compare is not (".lo" or ".ls" or ".hi" or ".hs"),
        };
        if (!valid) throw Error($"setp{compare} is not defined for .{t.Name()}");
        ExpectOperands(ops, combine is null ? 3 : 4);

        var ins = PtxInstruction.Create(t switch
        {
            PtxType.F32 => PtxOp.SetpF32,
            PtxType.F64 => PtxOp.SetpF64,
            _ => Pick(t, PtxOp.SetpU32, PtxOp.SetpS32, PtxOp.SetpU64, PtxOp.SetpS64),
        });
        ins.Mode = CompareMasks[compare];
        if (ops[0] is PtxPairOperand pair)
        {
            ins.D = PredicateOrSink(pair.First);
            ins.D2 = PredicateOrSink(pair.Second);
        }
        else ins.D = ops[0] is PtxNameOperand n ? PredicateOrSink(n.Name) : throw Error("setp's destination must be a predicate");
        ins.A = Source(ops[1], t);
        ins.B = Source(ops[2], t);
        if (combine is not null)
        {
            ins.BoolOp = combine switch { ".and" => PtxBoolOp.And, ".or" => PtxBoolOp.Or, _ => PtxBoolOp.Xor };
            (ins.C, ins.NegateC) = ops[3] switch
            {
                PtxNotOperand not => (Predicate(new PtxNameOperand(not.Name)), true),
                var c => (Predicate(c), false),
            };
        }
        EmitFloat(ins, ftz, 2, false);
    }

    private int PredicateOrSink(string name) => name == "_" ? Scratch(2) : Predicate(new PtxNameOperand(name));

    private void DecodeSelp(Modifiers m, List<PtxOperand> ops)
    {
        PtxType t = m.TakeType();
        m.Done();
        if (t == PtxType.Pred) throw Error("selp does not take .pred");
        ExpectOperands(ops, 4);
        var ins = Binary(PtxOp.Selp, ops.GetRange(0, 3), t);
        ins.C = Predicate(ops[3]);
        Emit(ins);
    }

    private void DecodeMov(Modifiers m, List<PtxOperand> ops)
    {
        PtxType t = m.TakeType();
        m.Done();
        ExpectOperands(ops, 2);
        PtxInstruction ins;
        if (ops[0] is PtxVectorOperand unpack)
        {
            if (t != PtxType.B64 || unpack.Items.Count != 2) throw Error("only mov.b64 {lo, hi}, x is supported among vector movs");
            ins = PtxInstruction.Create(PtxOp.Unpack64);
            ins.D = Destination(unpack.Items[0], PtxType.B32);
            ins.D2 = Destination(unpack.Items[1], PtxType.B32);
            ins.A = Source(ops[1], PtxType.B64);
        }
        else if (ops[1] is PtxVectorOperand pack)
        {
            if (t != PtxType.B64 || pack.Items.Count != 2) throw Error("only mov.b64 x, {lo, hi} is supported among vector movs");
            ins = PtxInstruction.Create(PtxOp.Pack64);
            ins.D = Destination(ops[0], PtxType.B64);
            ins.A = Source(pack.Items[0], PtxType.B32);
            ins.B = Source(pack.Items[1], PtxType.B32);
        }
        else if (ops[1] is PtxNameOperand { Name: var name } && Specials.TryGetValue(name, out PtxSpecial special))
        {
            if (!PtxType.U32.Accepts(t)) throw Error($"special register {name} is .u32; mov.{t.Name()} cannot read it");
            ins = PtxInstruction.Create(PtxOp.MovSpecial);
            ins.D = Destination(ops[0], t);
            ins.Mode = (byte)special;
        }
        else ins = Unary(PtxOp.Mov, ops, t);
        Emit(ins);
    }

    private void DecodeCvta(Modifiers m, List<PtxOperand> ops)
    {
        bool to = m.Take(".to");
        if (!m.Take(".global")) throw Error("only cvta.to.global and cvta.global are supported (global addresses are generic addresses here)");
        PtxType t = m.TakeType();
        m.Done();
        if (t != PtxType.U64) throw Error($"cvta{(to ? ".to" : "")}.global needs .u64");
        Emit(Unary(PtxOp.Mov, ops, t));
    }

    private void DecodeCvt(Modifiers m, List<PtxOperand> ops)
    {
        if (m.Take(".bf16x2"))
        {
            DecodeCvtBf16x2(m, ops);
            return;
        }
        PtxType source = m.TakeType();
        PtxType destination = m.TakeType();
        string? rounding = m.TakeAny(".rn", ".rni", ".rzi", ".rmi", ".rpi", ".rz", ".rm", ".rp");
        bool ftz = m.Take(".ftz");
        bool sat = m.Take(".sat");
        m.Done();
        if (source == PtxType.Pred || destination == PtxType.Pred || source.IsBits() || destination.IsBits())
            throw Error("cvt takes .u/.s/.f types");
        if (rounding is ".rz" or ".rm" or ".rp") throw Error($"cvt rounding {rounding} is not supported (only .rn)");
        if (ftz && source != PtxType.F32 && destination != PtxType.F32) throw Error(".ftz applies only to .f32");
        var round = rounding switch
        {
            ".rn" => PtxRounding.Rn, ".rni" => PtxRounding.Rni, ".rzi" => PtxRounding.Rzi,
            ".rmi" => PtxRounding.Rmi, ".rpi" => PtxRounding.Rpi, _ => PtxRounding.None,
        };
        bool integerRounding = round is PtxRounding.Rni or PtxRounding.Rzi or PtxRounding.Rmi or PtxRounding.Rpi;
        string form = $"cvt.{destination.Name()}.{source.Name()}";
        if (source.IsInteger() && destination.IsInteger())
        {
            if (round != PtxRounding.None || ftz) throw Error($"{form} takes no rounding or .ftz");
        }
        else if (source.IsFloat() && destination.IsFloat())
        {
            if (sat) throw Error("cvt.sat to a float type is not supported");
            if (source == destination && !(round == PtxRounding.None || integerRounding))
                throw Error($"{form} takes an integer rounding (.rni, .rzi, .rmi, .rpi) or none");
            if (source == PtxType.F64 && destination == PtxType.F32 && round != PtxRounding.Rn) throw Error($"{form} needs .rn");
            if (source == PtxType.F32 && destination == PtxType.F64 && round is not (PtxRounding.None or PtxRounding.Rn))
                throw Error($"{form} is exact and takes no integer rounding");
        }
        else if (source.IsFloat())
        {
            if (!integerRounding) throw Error($"{form} needs .rni, .rzi, .rmi or .rpi");
        }
        else if (round != PtxRounding.Rn) throw Error($"{form} needs .rn");
        else if (sat) throw Error("cvt.sat to a float type is not supported");

        PtxOp op = (destination, source, round, sat) switch
        {
            (PtxType.U64 or PtxType.S64, PtxType.U32, PtxRounding.None, false) => PtxOp.CvtU64U32,
            (PtxType.U64 or PtxType.S64, PtxType.S32, PtxRounding.None, false) => PtxOp.CvtS64S32,
            (PtxType.F64, PtxType.F32, _, _) => PtxOp.CvtF64F32,
            (PtxType.F32, PtxType.F64, _, _) => PtxOp.CvtF32F64,
            _ => PtxOp.Cvt,
        };
        ExpectOperands(ops, 2);
        var ins = PtxInstruction.Create(op);
        ins.D = Destination(ops[0], destination);
        ins.A = Source(ops[1], source);
        ins.Type = destination;
        ins.SourceType = source;
        ins.Mode = (byte)round;
        ins.Saturate = sat;
        EmitFloat(ins, ftz, source == PtxType.F32 ? 1 : 0, destination == PtxType.F32 && source.IsFloat());
    }

    /// <summary>cvt.rn.bf16x2.f32 d, a, b (sm_80): the one packed conversion the kernels use; .rz, .relu and
    /// .satfinite are not emulated.</summary>
    private void DecodeCvtBf16x2(Modifiers m, List<PtxOperand> ops)
    {
        if (!m.Take(".rn")) throw Error("cvt.bf16x2.f32 needs .rn (only round-to-nearest-even is emulated)");
        PtxType source = m.TakeType();
        m.Done();
        if (source != PtxType.F32) throw Error("cvt.rn.bf16x2 converts from .f32");
        ExpectOperands(ops, 3);
        var ins = PtxInstruction.Create(PtxOp.CvtBf16x2F32);
        ins.D = Destination(ops[0], PtxType.B32);
        ins.A = Source(ops[1], PtxType.F32);
        ins.B = Source(ops[2], PtxType.F32);
        Emit(ins);
    }
}
