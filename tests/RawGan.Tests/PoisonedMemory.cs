using System.Runtime.CompilerServices;
using RawGan.Backends.Cpu;

namespace RawGan.Tests;

/// <summary>Every buffer the tests allocate starts as NaN (CPU arrays here, the emulated GPU's memory in
/// <see cref="GpuEmulator.EmulatedCudaApi"/>): an op that reads an element nobody wrote, or leaves part of its output
/// unwritten, then fails the comparison instead of passing on a lucky zero.</summary>
internal static class PoisonedMemory
{
    [ModuleInitializer]
    internal static void Enable() => CpuArrayPool.Poison = true;
}
