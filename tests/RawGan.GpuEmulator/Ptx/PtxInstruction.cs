namespace RawGan.GpuEmulator.Ptx;

/// <summary>Decoded operations, specialised by operand size and signedness so that execution is one switch
/// with no further type dispatch. "32"/"64" integer ops work on the low 32 bits / all 64 bits of a register.</summary>
internal enum PtxOp : byte
{
    // data movement
    Mov, MovSpecial, Pack64, Unpack64, Selp,
    // integer arithmetic (wrapping)
    Add32, Add64, Sub32, Sub64, MulLo32, MulLo64, MulHiU32, MulHiS32, MulHiU64, MulHiS64, MulWideU32, MulWideS32,
    MadLo32, MadLo64, MadWideU32, MadWideS32,
    DivU32, DivS32, DivU64, DivS64, RemU32, RemS32, RemU64, RemS64,
    NegS32, NegS64, AbsS32, AbsS64,
    MinU32, MinS32, MinU64, MinS64, MaxU32, MaxS32, MaxU64, MaxS64,
    // logic and shifts (And/Or/Xor serve .pred, .b32 and .b64 alike)
    And, Or, Xor, Not32, Not64, NotPred,
    Shl32, Shl64, ShrU32, ShrS32, ShrU64, ShrS64,
    // comparisons: Mode is the compare mask, BoolOp/NegateC/C the optional predicate combination, D2 the |q output
    SetpU32, SetpS32, SetpU64, SetpS64, SetpF32, SetpF64,
    // float32 (.rn; NaN results are the canonical NaN 0x7fffffff)
    AddF32, SubF32, MulF32, FmaF32, DivF32, SqrtF32, RcpF32, NegF32, AbsF32,
    MinF32, MaxF32, MinNaNF32, MaxNaNF32, CopysignF32,
    Ex2F32, Lg2F32, SinF32, CosF32, RsqrtF32,
    FlushF32, // .ftz: subnormal to sign-preserving zero (emitted around .ftz instructions)
    // float64
    AddF64, SubF64, MulF64, FmaF64, DivF64, SqrtF64, RcpF64, NegF64, AbsF64, MinF64, MaxF64, CopysignF64,
    // conversions: the common ones, and Cvt for everything else (Type ← SourceType, Mode = rounding)
    CvtU64U32, CvtS64S32, CvtF64F32, CvtF32F64, Cvt,
    CvtBf16x2F32, // cvt.rn.bf16x2.f32 d, a, b: a to bfloat16 in d's upper half, b in its lower half
    // memory: Size bytes per element, Count elements (registers in Slots when Count > 1), address = A + Offset
    LdGlobal, StGlobal, LdShared, StShared, RedAddGlobal, AtomAddGlobal,
    // control
    Bra, BrxIdx, Call, Ret, Exit, BarSync, Shfl,
}

/// <summary>Setp's optional Boolean combination with a third predicate.</summary>
internal enum PtxBoolOp : byte { None, And, Or, Xor }

/// <summary>Shfl modes.</summary>
internal enum PtxShuffleMode : byte { Up, Down, Bfly, Idx }

/// <summary>Cvt rounding modifiers.</summary>
internal enum PtxRounding : byte { None, Rn, Rni, Rzi, Rmi, Rpi }

/// <summary>The special registers, in <see cref="PtxThread.Special"/> order.</summary>
internal enum PtxSpecial : byte { TidX, TidY, TidZ, NtidX, NtidY, NtidZ, CtaidX, CtaidY, CtaidZ, NctaidX, NctaidY, NctaidZ, LaneId, WarpId }

/// <summary>A <c>call</c>: argument and result registers in the caller's frame; the callee is resolved once
/// every function of the module is decoded.</summary>
internal sealed class PtxCallSite(string calleeName, int[] arguments, int[] results)
{
    public string CalleeName { get; } = calleeName;
    public int[] Arguments { get; } = arguments;
    public int[] Results { get; } = results;
    public PtxFunction Callee { get; set; } = null!;
}

/// <summary>One decoded instruction. Operands are slots in the current function's register frame (registers,
/// then constants: an immediate or a symbol address is a slot holding its value, so every read is a register
/// read). Unused slots are -1.</summary>
internal struct PtxInstruction
{
    public PtxOp Op;
    public byte Mode;             // setp compare mask, shfl mode, cvt rounding
    public PtxBoolOp BoolOp;      // setp
    public bool NegateC;          // setp: c is !c
    public bool GuardNegated;     // @!p
    public bool Saturate;         // cvt.sat
    public PtxType Type;          // element / destination type (memory, cvt)
    public PtxType SourceType;    // cvt source type
    public byte Size;             // memory: bytes per element
    public byte Count;            // memory: vector length
    public int Guard;             // guard predicate slot, -1 if none
    public int D, D2, A, B, C, E; // destination(s) and sources (E: shfl member mask)
    public long Offset;           // memory: address offset
    public int Target;            // bra: instruction index
    public int[]? Slots;          // vector registers, or brx.idx targets
    public PtxCallSite? Call;

    public static PtxInstruction Create(PtxOp op) => new()
    {
        Op = op, Guard = -1, D = -1, D2 = -1, A = -1, B = -1, C = -1, E = -1, Target = -1,
    };
}
