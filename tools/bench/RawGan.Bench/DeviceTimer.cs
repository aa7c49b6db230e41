using RawGan.Backends.Cuda;
using RawGan.Tensors;

namespace RawGan.Bench;

/// <summary>
/// Times work queued on a CUDA backend's stream the way llm.c's dev/cuda does: warm-up calls first (module JIT,
/// cuDNN plans, the allocator's first blocks), then CUDA events around each of several calls, and their median.
/// Before each timed call the L2 cache is flushed by summing a buffer several times its size: at 1M float32 elements
/// (4 MB an operand) a kernel would otherwise run out of an H100's 50 MB L2 and report the cache's bandwidth, not
/// the memory's. The flush only reads (a write would leave dirty lines for the timed kernel to write back), and it
/// is queued before the start event, so it is not timed; as it runs for tens of microseconds, the timed call is
/// already queued behind it when the start event fires, which keeps the launch latency out of the figure too.
/// </summary>
internal sealed class DeviceTimer
{
    /// <summary>256 MB of float32: over four times the L2 of an H100 (50 MB) or an H200 (60 MB).</summary>
    private const int FlushElements = 64 << 20;
    private const int Warmups = 3;
    private const int Runs = 21;

    private readonly CudaBackend _backend;
    private readonly Tensor _flush, _flushSum;

    public DeviceTimer(CudaBackend backend)
    {
        _backend = backend;
        _flush = Tensor.Rand(new Shape(FlushElements), new Generator(99), DType.Float32, backend, -1, 1);
        _flushSum = Tensor.Empty(new Shape(1), DType.Float32, backend);
    }

    public static string Method =>
        $"CUDA events on the backend's stream, median of {Runs} calls after {Warmups} warm-up calls, " +
        $"L2 flushed before each by a {FlushElements / (1 << 18)} MiB read";

    /// <summary>The median device time of one call of <paramref name="work"/>, in milliseconds.</summary>
    public double MedianMilliseconds(Action work)
    {
        for (int i = 0; i < Warmups; i++) work();
        Span<double> times = stackalloc double[Runs];
        for (int i = 0; i < Runs; i++)
        {
            _backend.SumTo(_flush, _flushSum);
            times[i] = _backend.TimeMilliseconds(work);
        }
        return Timing.MedianOf(times);
    }
}
