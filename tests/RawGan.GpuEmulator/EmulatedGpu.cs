using RawGan.Backends;
using RawGan.Backends.Cuda;

namespace RawGan.GpuEmulator;

/// <summary>
/// The CUDA backend on <see cref="EmulatedCudaApi"/>: every line of <see cref="CudaBackend"/> above the native
/// calls, and every PTX kernel, runs as it would on a GPU, on any machine, on a stream that runs only when the
/// host waits for it. What it cannot show is what only hardware has: the real libraries' own bugs and numerics, races the interpreter's schedule does not produce,
/// and speed. Two streaming multiprocessors keep grids (and so interpretation) small. Test classes that use it
/// share the xunit collection of that name, so they take turns as they would on one device (the allocator test
/// counts device allocations).
/// </summary>
internal static class EmulatedGpu
{
    private static readonly Lazy<(CudaBackend Backend, EmulatedCudaApi Api)> Instance = new(() =>
    {
        var api = new EmulatedCudaApi();
        return (Create(api), api);
    });

    public static CudaBackend Backend => Instance.Value.Backend;
    public static EmulatedCudaApi Api => Instance.Value.Api;

    /// <summary>The FP32 backend of a device of its own on <paramref name="api"/> (for tests that break the emulation
    /// on purpose, or watch what the backend asks of the libraries); its other precisions are
    /// <c>Resources.Backend(precision)</c>. Where the emulator does the work, each allocator block is a device
    /// allocation of its own, so the interpreter's bounds checks see every tensor's end; where it skips the work (for
    /// memory figures), the allocator splits and merges segments as on a GPU. <paramref name="convSearch"/> defaults
    /// to the product's default (Find, deterministic algorithms only).</summary>
    public static CudaBackend Create(EmulatedCudaApi api, ConvAlgorithmSearch? convSearch = null) =>
        new CudaDeviceResources(api, index: 0, device: 0, context: 1, stream: 1, cublas: 1, cudnn: 1,
            new DeviceInfo("RawGan PTX emulator", 8, 0, EmulatedCudaApi.TotalMemory, Multiprocessors: 2, MaxThreadsPerMultiprocessor: 2048, PeakBandwidthGBs: 0),
            convSearch ?? new ConvAlgorithmSearch(), exactBlocks: !api.SkipWork)
            .Backend(Precision.Fp32);
}
