namespace RawGan.GpuEmulator.Ptx;

internal enum PtxThreadState : byte { Ready, AtBarrier, AtShuffle, Exited }

/// <summary>A return address: the caller, the index of its call instruction, and its frame base.</summary>
internal readonly record struct PtxFrame(PtxFunction Function, int CallPc, int FrameBase);

/// <summary>One thread of a block: registers (a stack of function frames in one array), where it is, and what it
/// waits for. While not running, <see cref="Pc"/> is the instruction it will execute next (or waits at).</summary>
internal sealed class PtxThread(int index)
{
    public const int MaxCallDepth = 64;

    public int Index { get; } = index;
    public ulong[] Registers = new ulong[256];
    public PtxFunction Function = null!;
    public int Pc, FrameBase;
    public PtxFrame[] Stack = new PtxFrame[4];
    public int Depth;
    public PtxThreadState State;
    public readonly uint[] Special = new uint[14];

    public int Lane => Index & 31;
    public int Warp => Index >> 5;

    public void Push(PtxFrame frame)
    {
        if (Depth == Stack.Length) Array.Resize(ref Stack, Stack.Length * 2);
        Stack[Depth++] = frame;
    }

    public void EnsureRegisters(int size)
    {
        if (size > Registers.Length) Array.Resize(ref Registers, Math.Max(size, Registers.Length * 2));
    }

    public ulong Read(int slot) => Registers[FrameBase + slot];

    /// <summary>Is <paramref name="other"/> at the same instruction reached through the same call sites? ptxas
    /// inlines functions, so one PTX instruction called from two places is two instructions on the GPU.</summary>
    public bool AtSameSite(PtxThread other)
    {
        if (other.Function != Function || other.Pc != Pc || other.Depth != Depth) return false;
        for (int i = 0; i < Depth; i++)
            if (other.Stack[i].Function != Stack[i].Function || other.Stack[i].CallPc != Stack[i].CallPc) return false;
        return true;
    }

    /// <summary>"m_expf called from elementwise.ptx:370, m_unary_fwd called from …", innermost first, when
    /// <paramref name="current"/> is the function executing.</summary>
    public string CallChain(PtxFunction current)
    {
        var parts = new List<string>();
        string callee = current.Name;
        for (int i = Depth - 1; i >= 0; i--)
        {
            parts.Add($"{callee} called from {Stack[i].Function.Where(Stack[i].CallPc)}");
            callee = Stack[i].Function.Name;
        }
        return string.Join(", ", parts);
    }
}
