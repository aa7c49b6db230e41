namespace RawGan.Backends.Cpu;

/// <summary>Splits [0, n) into contiguous chunks over the cores, and runs small ranges inline: a thread hand-off
/// costs microseconds, more than a few thousand elementwise operations.</summary>
internal static class CpuParallel
{
    public static int Threads { get; } = Environment.ProcessorCount;

    public static void For(long n, long minChunk, Action<long, long> body)
    {
        if (n <= 0) return;
        int chunks = (int)Math.Min(Threads, Math.Max(1, n / Math.Max(1, minChunk)));
        if (chunks == 1) { body(0, n); return; }
        Parallel.For(0, chunks, c => body(n * c / chunks, n * (c + 1) / chunks));
    }
}
