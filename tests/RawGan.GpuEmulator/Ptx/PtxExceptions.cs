namespace RawGan.GpuEmulator.Ptx;

/// <summary>The PTX text is malformed or uses something the interpreter does not implement. The message starts
/// with <c>file:line</c> and quotes the offending text.</summary>
internal sealed class PtxParseException(string file, int line, string message)
    : Exception($"{file}:{line}: {message}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
}

/// <summary>A kernel did something that is undefined or wrong on a GPU: an out-of-bounds or misaligned access, a
/// data race, a divergent barrier or shuffle, a division by zero, … The message names the kernel, the
/// <c>file:line</c>, the instruction, the block and the thread.</summary>
internal sealed class PtxFaultException(string kernel, string file, int line, string message) : Exception(message)
{
    public string Kernel { get; } = kernel;
    public string File { get; } = file;
    public int Line { get; } = line;
}
