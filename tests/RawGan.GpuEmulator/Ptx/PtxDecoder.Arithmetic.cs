namespace RawGan.GpuEmulator.Ptx;

/// <summary>Decoding of integer and float arithmetic, logic and shifts.</summary>
internal sealed partial class PtxDecoder
{
    private void DecodeAddSub(Modifiers m, List<PtxOperand> ops, bool sub)
    {
        PtxType t = m.TakeType();
        if (t.IsFloat())
        {
            RequireRn(m);
            bool ftz = Ftz(m, t);
            m.Done();
            PtxOp op = t == PtxType.F32 ? (sub ? PtxOp.SubF32 : PtxOp.AddF32) : (sub ? PtxOp.SubF64 : PtxOp.AddF64);
            EmitFloat(Binary(op, ops, t), ftz, 2, true);
            return;
        }
        RequireInteger(t, sub ? "sub" : "add");
        m.Done();
        Emit(Binary(t.Size() == 4 ? (sub ? PtxOp.Sub32 : PtxOp.Add32) : (sub ? PtxOp.Sub64 : PtxOp.Add64), ops, t));
    }

    private void DecodeMul(Modifiers m, List<PtxOperand> ops)
    {
        PtxType t = m.TakeType();
        if (t.IsFloat())
        {
            RequireRn(m);
            bool ftz = Ftz(m, t);
            m.Done();
            EmitFloat(Binary(t == PtxType.F32 ? PtxOp.MulF32 : PtxOp.MulF64, ops, t), ftz, 2, true);
            return;
        }
        RequireInteger(t, "mul");
        string? part = m.TakeAny(".lo", ".hi", ".wide");
        m.Done();
        switch (part)
        {
            case ".lo": Emit(Binary(t.Size() == 4 ? PtxOp.MulLo32 : PtxOp.MulLo64, ops, t)); break;
            case ".hi": Emit(Binary(Pick(t, PtxOp.MulHiU32, PtxOp.MulHiS32, PtxOp.MulHiU64, PtxOp.MulHiS64), ops, t)); break;
            case ".wide":
                if (t.Size() != 4) throw Error("mul.wide is supported for 32-bit types only");
                ExpectOperands(ops, 3);
                var ins = PtxInstruction.Create(t.IsSigned() ? PtxOp.MulWideS32 : PtxOp.MulWideU32);
                ins.D = Destination(ops[0], t.IsSigned() ? PtxType.S64 : PtxType.U64);
                ins.A = Source(ops[1], t);
                ins.B = Source(ops[2], t);
                Emit(ins);
                break;
            default: throw Error("integer mul needs .lo, .hi or .wide");
        }
    }

    private void DecodeMad(Modifiers m, List<PtxOperand> ops)
    {
        PtxType t = m.TakeType();
        ExpectOperands(ops, 4);
        if (t.IsFloat())
        {
            if (!m.Take(".rn")) throw Error("mad on floats is supported only as mad.rn (= fma.rn)");
            bool ftz = Ftz(m, t);
            m.Done();
            DecodeFmaOperands(ops, t, ftz);
            return;
        }
        RequireInteger(t, "mad");
        string? part = m.TakeAny(".lo", ".wide");
        m.Done();
        PtxType wide = t.IsSigned() ? PtxType.S64 : PtxType.U64;
        PtxInstruction ins;
        if (part == ".lo") ins = PtxInstruction.Create(t.Size() == 4 ? PtxOp.MadLo32 : PtxOp.MadLo64);
        else if (part == ".wide" && t.Size() == 4) ins = PtxInstruction.Create(t.IsSigned() ? PtxOp.MadWideS32 : PtxOp.MadWideU32);
        else throw Error("integer mad is supported as mad.lo and (32-bit) mad.wide");
        bool isWide = part == ".wide";
        ins.D = Destination(ops[0], isWide ? wide : t);
        ins.A = Source(ops[1], t);
        ins.B = Source(ops[2], t);
        ins.C = Source(ops[3], isWide ? wide : t);
        Emit(ins);
    }

    private void DecodeFma(Modifiers m, List<PtxOperand> ops)
    {
        PtxType t = m.TakeType();
        if (!t.IsFloat()) throw Error("fma needs .f32 or .f64");
        if (!m.Take(".rn")) throw Error("fma needs .rn (other roundings are not supported)");
        bool ftz = Ftz(m, t);
        m.Done();
        ExpectOperands(ops, 4);
        DecodeFmaOperands(ops, t, ftz);
    }

    private void DecodeFmaOperands(List<PtxOperand> ops, PtxType t, bool ftz)
    {
        var ins = PtxInstruction.Create(t == PtxType.F32 ? PtxOp.FmaF32 : PtxOp.FmaF64);
        ins.D = Destination(ops[0], t);
        ins.A = Source(ops[1], t);
        ins.B = Source(ops[2], t);
        ins.C = Source(ops[3], t);
        EmitFloat(ins, ftz, 3, true);
    }

    private void DecodeDivRem(Modifiers m, List<PtxOperand> ops, bool rem)
    {
        PtxType t = m.TakeType();
        if (t.IsFloat() && !rem)
        {
            // .approx and .full are computed exactly (IEEE division): the interpreter is then more accurate than a GPU.
            string? mode = t == PtxType.F32 ? m.TakeAny(".rn", ".approx", ".full") : m.TakeAny(".rn");
            if (mode is null) throw Error(t == PtxType.F32 ? "div.f32 needs .rn, .approx or .full" : "div.f64 needs .rn");
            bool ftz = Ftz(m, t);
            m.Done();
            EmitFloat(Binary(t == PtxType.F32 ? PtxOp.DivF32 : PtxOp.DivF64, ops, t), ftz, 2, true);
            return;
        }
        RequireInteger(t, rem ? "rem" : "div");
        m.Done();
        Emit(Binary(rem ? Pick(t, PtxOp.RemU32, PtxOp.RemS32, PtxOp.RemU64, PtxOp.RemS64)
                        : Pick(t, PtxOp.DivU32, PtxOp.DivS32, PtxOp.DivU64, PtxOp.DivS64), ops, t));
    }

    /// <summary>sqrt and rcp: .rn, or for .f32 .approx (computed exactly); ex2, lg2, sin, cos, rsqrt: .approx.f32
    /// only, computed in float64 and rounded once (more accurate than a GPU).</summary>
    private void DecodeFloatUnary(Modifiers m, List<PtxOperand> ops, string name)
    {
        PtxType t = m.TakeType();
        bool rounded = name is "sqrt" or "rcp";
        string? mode = m.TakeAny(".rn", ".approx");
        if (t == PtxType.F64 ? !(rounded && mode == ".rn") : !(t == PtxType.F32 && (mode == ".approx" || (rounded && mode == ".rn"))))
            throw Error(rounded ? $"{name} needs .rn (or .approx for .f32)" : $"{name} is supported only as {name}.approx.f32");
        bool ftz = Ftz(m, t);
        m.Done();
        PtxOp op = (name, t) switch
        {
            ("sqrt", PtxType.F32) => PtxOp.SqrtF32,
            ("sqrt", _) => PtxOp.SqrtF64,
            ("rcp", PtxType.F32) => PtxOp.RcpF32,
            ("rcp", _) => PtxOp.RcpF64,
            ("rsqrt", _) => PtxOp.RsqrtF32,
            ("ex2", _) => PtxOp.Ex2F32,
            ("lg2", _) => PtxOp.Lg2F32,
            ("sin", _) => PtxOp.SinF32,
            _ => PtxOp.CosF32,
        };
        EmitFloat(Unary(op, ops, t), ftz, 1, true);
    }

    private void DecodeNegAbs(Modifiers m, List<PtxOperand> ops, bool abs)
    {
        PtxType t = m.TakeType();
        bool ftz = Ftz(m, t);
        m.Done();
        PtxOp op = t switch
        {
            PtxType.S32 => abs ? PtxOp.AbsS32 : PtxOp.NegS32,
            PtxType.S64 => abs ? PtxOp.AbsS64 : PtxOp.NegS64,
            PtxType.F32 => abs ? PtxOp.AbsF32 : PtxOp.NegF32,
            PtxType.F64 => abs ? PtxOp.AbsF64 : PtxOp.NegF64,
            _ => throw Error($"{(abs ? "abs" : "neg")} needs .s32, .s64, .f32 or .f64"),
        };
        EmitFloat(Unary(op, ops, t), ftz, 1, true);
    }

    private void DecodeCopysign(Modifiers m, List<PtxOperand> ops)
    {
        PtxType t = m.TakeType();
        m.Done();
        if (!t.IsFloat()) throw Error("copysign needs .f32 or .f64");
        Emit(Binary(t == PtxType.F32 ? PtxOp.CopysignF32 : PtxOp.CopysignF64, ops, t));
    }

    private void DecodeMinMax(Modifiers m, List<PtxOperand> ops, bool max)
    {
        PtxType t = m.TakeType();
        bool ftz = Ftz(m, t);
        bool nan = m.Take(".NaN");
        m.Done();
        if (nan && t != PtxType.F32) throw Error(".NaN is supported for .f32 only");
        PtxOp op = t switch
        {
            PtxType.F32 when nan => max ? PtxOp.MaxNaNF32 : PtxOp.MinNaNF32,
            PtxType.F32 => max ? PtxOp.MaxF32 : PtxOp.MinF32,
            PtxType.F64 => max ? PtxOp.MaxF64 : PtxOp.MinF64,
            _ when t.IsInteger() => max ? Pick(t, PtxOp.MaxU32, PtxOp.MaxS32, PtxOp.MaxU64, PtxOp.MaxS64)
                                        : Pick(t, PtxOp.MinU32, PtxOp.MinS32, PtxOp.MinU64, PtxOp.MinS64),
            _ => throw Error($"{(max ? "max" : "min")} does not take .{t.Name()}"),
        };
        EmitFloat(Binary(op, ops, t), ftz, 2, true);
    }

    private void DecodeLogic(Modifiers m, List<PtxOperand> ops, string name)
    {
        PtxType t = m.TakeType();
        m.Done();
        if (t is not (PtxType.Pred or PtxType.B32 or PtxType.B64)) throw Error($"{name} needs .pred, .b32 or .b64");
        Emit(Binary(name switch { "and" => PtxOp.And, "or" => PtxOp.Or, _ => PtxOp.Xor }, ops, t));
    }

    private void DecodeNot(Modifiers m, List<PtxOperand> ops)
    {
        PtxType t = m.TakeType();
        m.Done();
        PtxOp op = t switch
        {
            PtxType.Pred => PtxOp.NotPred,
            PtxType.B32 => PtxOp.Not32,
            PtxType.B64 => PtxOp.Not64,
            _ => throw Error("not needs .pred, .b32 or .b64"),
        };
        Emit(Unary(op, ops, t));
    }

    /// <summary>shl.b*, shr.{b,u,s}*: the shift amount is a .u32 operand; amounts ≥ the width clamp to it.</summary>
    private void DecodeShift(Modifiers m, List<PtxOperand> ops, bool right)
    {
        PtxType t = m.TakeType();
        m.Done();
        if (t == PtxType.Pred || t.IsFloat() || (!right && !t.IsBits())) throw Error($"{(right ? "shr" : "shl")} does not take .{t.Name()}");
        ExpectOperands(ops, 3);
        PtxOp op = !right ? (t.Size() == 4 ? PtxOp.Shl32 : PtxOp.Shl64)
            : t.IsSigned() ? (t.Size() == 4 ? PtxOp.ShrS32 : PtxOp.ShrS64)
            : (t.Size() == 4 ? PtxOp.ShrU32 : PtxOp.ShrU64);
        var ins = PtxInstruction.Create(op);
        ins.D = Destination(ops[0], t);
        ins.A = Source(ops[1], t);
        ins.B = Source(ops[2], PtxType.U32);
        Emit(ins);
    }
}
