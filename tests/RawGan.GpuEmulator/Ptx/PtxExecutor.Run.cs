using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static RawGan.GpuEmulator.Ptx.PtxFloat;

namespace RawGan.GpuEmulator.Ptx;

/// <summary>The instruction loop: runs one thread until it exits or waits at a bar.sync or shfl.sync. Operands are
/// slots of the current frame (<c>frame</c> = register file <c>r</c> from frame base <c>fb</c>): sources a and b are
/// read before dispatch and the destination d is a reference. 32-bit results are stored zero-extended, 32-bit
/// operands read from the low half. Slot access is unchecked: <see cref="PtxFunction.ValidateSlots"/> has proven
/// every slot of every instruction to lie inside its frame, and the register file always holds the frame.</summary>
internal sealed partial class PtxExecutor
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunThread(PtxThread t)
    {
        PtxFunction f = t.Function;
        PtxInstruction[] code = f.Code;
        ulong[] r = t.Registers;
        int fb = t.FrameBase, pc = t.Pc;
        ref ulong frame = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(r), fb);
        long executed = 0;
        while (true)
        {
            ref PtxInstruction ins = ref code[pc];
            executed++;
            if (ins.Guard >= 0 && (Unsafe.Add(ref frame, ins.Guard) != 0) == ins.GuardNegated)
            {
                pc++;
                continue;
            }
            ulong a = Unsafe.Add(ref frame, ins.A), b = Unsafe.Add(ref frame, ins.B);
            ref ulong d = ref Unsafe.Add(ref frame, ins.D);
            switch (ins.Op)
            {
                // ---------------------------------------------------------------------- data movement
                case PtxOp.Mov: d = a; break;
                case PtxOp.MovSpecial: d = t.Special[ins.Mode]; break;
                case PtxOp.Pack64: d = (uint)a | (ulong)(uint)b << 32; break;
                case PtxOp.Unpack64: d = (uint)a; Unsafe.Add(ref frame, ins.D2) = a >> 32; break;
                case PtxOp.Selp: d = Unsafe.Add(ref frame, ins.C) != 0 ? a : b; break;

                // ---------------------------------------------------------------------- integers
                case PtxOp.Add32: d = (uint)(a + b); break;
                case PtxOp.Add64: d = a + b; break;
                case PtxOp.Sub32: d = (uint)(a - b); break;
                case PtxOp.Sub64: d = a - b; break;
                case PtxOp.MulLo32: d = (uint)a * (uint)b; break;
                case PtxOp.MulLo64: d = a * b; break;
                case PtxOp.MulHiU32: d = ((ulong)(uint)a * (uint)b) >> 32; break;
                case PtxOp.MulHiS32: d = (uint)(((long)(int)a * (int)b) >> 32); break;
                case PtxOp.MulHiU64: d = Math.BigMul(a, b, out _); break;
                case PtxOp.MulHiS64: d = (ulong)Math.BigMul((long)a, (long)b, out _); break;
                case PtxOp.MulWideU32: d = (ulong)(uint)a * (uint)b; break;
                case PtxOp.MulWideS32: d = (ulong)((long)(int)a * (int)b); break;
                case PtxOp.MadLo32: d = (uint)((uint)a * (uint)b + (uint)Unsafe.Add(ref frame, ins.C)); break;
                case PtxOp.MadLo64: d = a * b + Unsafe.Add(ref frame, ins.C); break;
                case PtxOp.MadWideU32: d = (ulong)(uint)a * (uint)b + Unsafe.Add(ref frame, ins.C); break;
                case PtxOp.MadWideS32: d = (ulong)((long)(int)a * (int)b) + Unsafe.Add(ref frame, ins.C); break;
                case PtxOp.DivU32: d = (uint)a / NonZero32(t, f, pc, b); break;
                case PtxOp.DivU64: d = a / NonZero64(t, f, pc, b); break;
                case PtxOp.RemU32: d = (uint)a % NonZero32(t, f, pc, b); break;
                case PtxOp.RemU64: d = a % NonZero64(t, f, pc, b); break;
                case PtxOp.DivS32: CheckSigned32(t, f, pc, a, b); d = (uint)((int)a / (int)b); break;
                case PtxOp.RemS32: CheckSigned32(t, f, pc, a, b); d = (uint)((int)a % (int)b); break;
                case PtxOp.DivS64: CheckSigned64(t, f, pc, a, b); d = (ulong)((long)a / (long)b); break;
                case PtxOp.RemS64: CheckSigned64(t, f, pc, a, b); d = (ulong)((long)a % (long)b); break;
                case PtxOp.NegS32: d = (uint)-(int)a; break;
                case PtxOp.NegS64: d = (ulong)-(long)a; break;
                case PtxOp.AbsS32: d = (uint)((int)a < 0 ? -(int)a : (int)a); break;
                case PtxOp.AbsS64: d = (ulong)((long)a < 0 ? -(long)a : (long)a); break;
                case PtxOp.MinU32: d = Math.Min((uint)a, (uint)b); break;
                case PtxOp.MinS32: d = (uint)Math.Min((int)a, (int)b); break;
                case PtxOp.MinU64: d = Math.Min(a, b); break;
                case PtxOp.MinS64: d = (ulong)Math.Min((long)a, (long)b); break;
                case PtxOp.MaxU32: d = Math.Max((uint)a, (uint)b); break;
                case PtxOp.MaxS32: d = (uint)Math.Max((int)a, (int)b); break;
                case PtxOp.MaxU64: d = Math.Max(a, b); break;
                case PtxOp.MaxS64: d = (ulong)Math.Max((long)a, (long)b); break;

                // ---------------------------------------------------------------------- logic, shifts
                case PtxOp.And: d = a & b; break;
                case PtxOp.Or: d = a | b; break;
                case PtxOp.Xor: d = a ^ b; break;
                case PtxOp.Not32: d = ~(uint)a; break;
                case PtxOp.Not64: d = ~a; break;
                case PtxOp.NotPred: d = a == 0 ? 1UL : 0UL; break;
                case PtxOp.Shl32: d = (uint)b >= 32 ? 0 : (uint)a << (int)b; break;
                case PtxOp.Shl64: d = (uint)b >= 64 ? 0 : a << (int)b; break;
                case PtxOp.ShrU32: d = (uint)b >= 32 ? 0 : (uint)a >> (int)b; break;
                case PtxOp.ShrU64: d = (uint)b >= 64 ? 0 : a >> (int)b; break;
                case PtxOp.ShrS32: d = (uint)((int)a >> (int)Math.Min((uint)b, 31)); break;
                case PtxOp.ShrS64: d = (ulong)((long)a >> (int)Math.Min((uint)b, 63)); break;

                // ---------------------------------------------------------------------- comparisons
                case PtxOp.SetpU32: Setp(ref frame, ref ins, (uint)a < (uint)b ? 0 : (uint)a == (uint)b ? 1 : 2); break;
                case PtxOp.SetpS32: Setp(ref frame, ref ins, (int)a < (int)b ? 0 : (int)a == (int)b ? 1 : 2); break;
                case PtxOp.SetpU64: Setp(ref frame, ref ins, a < b ? 0 : a == b ? 1 : 2); break;
                case PtxOp.SetpS64: Setp(ref frame, ref ins, (long)a < (long)b ? 0 : (long)a == (long)b ? 1 : 2); break;
                case PtxOp.SetpF32: Setp(ref frame, ref ins, Compare(F32(a), F32(b))); break;
                case PtxOp.SetpF64: Setp(ref frame, ref ins, Compare(F64(a), F64(b))); break;

                // ---------------------------------------------------------------------- float32
                case PtxOp.AddF32: d = Bits(F32(a) + F32(b)); break;
                case PtxOp.SubF32: d = Bits(F32(a) - F32(b)); break;
                case PtxOp.MulF32: d = Bits(F32(a) * F32(b)); break;
                case PtxOp.FmaF32: d = Bits(MathF.FusedMultiplyAdd(F32(a), F32(b), F32(Unsafe.Add(ref frame, ins.C)))); break;
                case PtxOp.DivF32: d = Bits(F32(a) / F32(b)); break;
                case PtxOp.SqrtF32: d = Bits(MathF.Sqrt(F32(a))); break;
                case PtxOp.RcpF32: d = Bits(1f / F32(a)); break;
                case PtxOp.NegF32: d = (uint)a ^ 0x8000_0000u; break;
                case PtxOp.AbsF32: d = (uint)a & 0x7FFF_FFFFu; break;
                case PtxOp.MinF32: d = Min((uint)a, (uint)b); break;
                case PtxOp.MaxF32: d = Max((uint)a, (uint)b); break;
                case PtxOp.MinNaNF32: d = MinNaN((uint)a, (uint)b); break;
                case PtxOp.MaxNaNF32: d = MaxNaN((uint)a, (uint)b); break;
                case PtxOp.CopysignF32: d = ((uint)b & 0x7FFF_FFFFu) | ((uint)a & 0x8000_0000u); break;
                case PtxOp.Ex2F32: d = Bits((float)Math.Pow(2, F32(a))); break;
                case PtxOp.Lg2F32: d = Bits((float)Math.Log2(F32(a))); break;
                case PtxOp.SinF32: d = Bits((float)Math.Sin(F32(a))); break;
                case PtxOp.CosF32: d = Bits((float)Math.Cos(F32(a))); break;
                case PtxOp.RsqrtF32: d = Bits((float)(1 / Math.Sqrt(F32(a)))); break;
                case PtxOp.FlushF32: d = Flush((uint)a); break;

                // ---------------------------------------------------------------------- float64
                case PtxOp.AddF64: d = Bits(F64(a) + F64(b)); break;
                case PtxOp.SubF64: d = Bits(F64(a) - F64(b)); break;
                case PtxOp.MulF64: d = Bits(F64(a) * F64(b)); break;
                case PtxOp.FmaF64: d = Bits(Math.FusedMultiplyAdd(F64(a), F64(b), F64(Unsafe.Add(ref frame, ins.C)))); break;
                case PtxOp.DivF64: d = Bits(F64(a) / F64(b)); break;
                case PtxOp.SqrtF64: d = Bits(Math.Sqrt(F64(a))); break;
                case PtxOp.RcpF64: d = Bits(1 / F64(a)); break;
                case PtxOp.NegF64: d = a ^ 0x8000_0000_0000_0000; break;
                case PtxOp.AbsF64: d = a & 0x7FFF_FFFF_FFFF_FFFF; break;
                case PtxOp.MinF64: d = Min(a, b); break;
                case PtxOp.MaxF64: d = Max(a, b); break;
                case PtxOp.CopysignF64: d = (b & 0x7FFF_FFFF_FFFF_FFFF) | (a & 0x8000_0000_0000_0000); break;

                // ---------------------------------------------------------------------- conversions
                case PtxOp.CvtU64U32: d = (uint)a; break;
                case PtxOp.CvtS64S32: d = (ulong)(long)(int)a; break;
                case PtxOp.CvtF64F32: d = Bits((double)F32(a)); break;
                case PtxOp.CvtF32F64: d = Bits((float)F64(a)); break;
                case PtxOp.Cvt: d = PtxConvert.Convert(a, ins.Type, ins.SourceType, (PtxRounding)ins.Mode, ins.Saturate); break;
                case PtxOp.CvtBf16x2F32: d = (uint)PtxConvert.ToBFloat16((uint)a) << 16 | PtxConvert.ToBFloat16((uint)b); break;

                // ---------------------------------------------------------------------- memory
                case PtxOp.LdGlobal: GlobalAccess(t, f, pc, r, fb, ref ins, store: false); break;
                case PtxOp.StGlobal: GlobalAccess(t, f, pc, r, fb, ref ins, store: true); break;
                case PtxOp.LdShared: SharedAccess(t, f, pc, r, fb, ref ins, store: false); break;
                case PtxOp.StShared: SharedAccess(t, f, pc, r, fb, ref ins, store: true); break;
                case PtxOp.RedAddGlobal:
                case PtxOp.AtomAddGlobal: AtomicAdd(t, f, pc, r, fb, ref ins); break;

                // ---------------------------------------------------------------------- control
                case PtxOp.Bra:
                    if (_executed + executed > _limit) throw InstructionLimit(t, f, pc);
                    pc = ins.Target;
                    continue;
                case PtxOp.BrxIdx:
                    if ((uint)a >= (uint)ins.Slots!.Length)
                        throw Fault(t, f, pc, $"brx.idx index {(uint)a} is outside its .branchtargets list of {ins.Slots.Length} labels");
                    if (_executed + executed > _limit) throw InstructionLimit(t, f, pc);
                    pc = ins.Slots[(uint)a];
                    continue;
                case PtxOp.Call:
                {
                    PtxCallSite call = ins.Call!;
                    PtxFunction callee = call.Callee;
                    if (t.Depth == PtxThread.MaxCallDepth) throw Fault(t, f, pc, $"call depth exceeds {PtxThread.MaxCallDepth}");
                    int calleeBase = fb + f.FrameSize;
                    t.EnsureRegisters(calleeBase + callee.FrameSize);
                    r = t.Registers;
                    Array.Copy(callee.FrameTemplate, 0, r, calleeBase, callee.FrameSize);
                    for (int i = 0; i < call.Arguments.Length; i++) r[calleeBase + callee.ParameterSlots[i]] = r[fb + call.Arguments[i]];
                    t.Push(new PtxFrame(f, pc, fb));
                    f = callee;
                    code = f.Code;
                    fb = calleeBase;
                    frame = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(r), fb);
                    pc = 0;
                    continue;
                }
                case PtxOp.Ret:
                {
                    if (t.Depth == 0) goto case PtxOp.Exit;
                    PtxFrame caller = t.Stack[--t.Depth];
                    int[] results = caller.Function.Code[caller.CallPc].Call!.Results;
                    for (int i = 0; i < results.Length; i++) r[caller.FrameBase + results[i]] = r[fb + f.ReturnSlots[i]];
                    f = caller.Function;
                    code = f.Code;
                    fb = caller.FrameBase;
                    frame = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(r), fb);
                    pc = caller.CallPc + 1;
                    continue;
                }
                case PtxOp.Exit:
                    Suspend(t, f, pc, fb, executed);
                    ExitThread(t);
                    return;
                case PtxOp.BarSync:
                    Suspend(t, f, pc, fb, executed);
                    ArriveBarrier(t);
                    return;
                case PtxOp.Shfl:
                    Suspend(t, f, pc, fb, executed);
                    ArriveShuffle(t);
                    return;
                default:
                    throw Fault(t, f, pc, $"internal error: no semantics for {ins.Op}");
            }
            pc++;
        }
    }

    private void Suspend(PtxThread t, PtxFunction f, int pc, int fb, long executed)
    {
        t.Function = f;
        t.Pc = pc;
        t.FrameBase = fb;
        _executed += executed;
    }

    /// <summary>setp: outcome 0 less, 1 equal, 2 greater, 3 unordered, looked up in the compare mask; then the
    /// optional combination with c and the complement output q.</summary>
    private static void Setp(ref ulong frame, ref PtxInstruction ins, int outcome)
    {
        bool p = (ins.Mode >> outcome & 1) != 0;
        if (ins.BoolOp == PtxBoolOp.None && ins.D2 < 0)
        {
            Unsafe.Add(ref frame, ins.D) = p ? 1UL : 0UL;
            return;
        }
        bool c = ins.BoolOp == PtxBoolOp.None || (Unsafe.Add(ref frame, ins.C) != 0) != ins.NegateC;
        Unsafe.Add(ref frame, ins.D) = Combine(ins.BoolOp, p, c) ? 1UL : 0UL;
        if (ins.D2 >= 0) Unsafe.Add(ref frame, ins.D2) = Combine(ins.BoolOp, !p, c) ? 1UL : 0UL;
    }

    private static bool Combine(PtxBoolOp op, bool t, bool c) => op switch
    {
        PtxBoolOp.And => t && c,
        PtxBoolOp.Or => t || c,
        PtxBoolOp.Xor => t ^ c,
        _ => t,
    };

    private uint NonZero32(PtxThread t, PtxFunction f, int pc, ulong divisor) =>
        (uint)divisor != 0 ? (uint)divisor : throw Fault(t, f, pc, "integer division by zero (the result is unspecified on a GPU)");

    private ulong NonZero64(PtxThread t, PtxFunction f, int pc, ulong divisor) =>
        divisor != 0 ? divisor : throw Fault(t, f, pc, "integer division by zero (the result is unspecified on a GPU)");

    private void CheckSigned32(PtxThread t, PtxFunction f, int pc, ulong a, ulong b)
    {
        NonZero32(t, f, pc, b);
        if ((int)a == int.MinValue && (int)b == -1) throw Fault(t, f, pc, "signed division overflow (INT_MIN / -1)");
    }

    private void CheckSigned64(PtxThread t, PtxFunction f, int pc, ulong a, ulong b)
    {
        NonZero64(t, f, pc, b);
        if ((long)a == long.MinValue && (long)b == -1) throw Fault(t, f, pc, "signed division overflow (INT64_MIN / -1)");
    }

    private PtxFaultException InstructionLimit(PtxThread t, PtxFunction f, int pc) =>
        Fault(t, f, pc, $"the launch executed more than {_limit} instructions (an endless loop?)");
}
