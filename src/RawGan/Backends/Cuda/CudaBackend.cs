using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

/// <summary>
/// The CUDA backend for one device at one <see cref="Backends.Precision"/>: a thin object over the device's
/// <see cref="CudaDeviceResources"/> (context, stream, caching allocator, cuBLAS, cuDNN, the hand-written PTX kernels
/// in <c>kernels/</c>), which backends of other precisions on the same device share. Float32 only (int32 for
/// indices); float64 stays on the CPU, where gradient checks run. Operations are asynchronous, uploads too (through
/// <see cref="PinnedStaging"/>): only reading data back to the host (<see cref="Download{T}"/>) waits for the stream.
/// </summary>
public sealed partial class CudaBackend : IBackend
{
    private static readonly Lock CreateGate = new();
    private static readonly Dictionary<int, (CudaDeviceResources? Device, string? WhyNot)> Instances = [];

    internal CudaBackend(CudaDeviceResources resources, Precision precision)
    {
        Resources = resources;
        Precision = precision;
    }

    public Device Device => Device.Cuda(Index);
    public int Index => Resources.Index;

    /// <summary>Whether float32 GEMMs and convolutions may use TF32 tensor cores (<see cref="Precision.Tf32"/>), as
    /// torch.backends.cuda.matmul.allow_tf32 / cudnn.allow_tf32 do, or compute in full FP32 (to float32 rounding of
    /// the CPU's results). Fixed for this object: ask <see cref="Get"/> for the other.</summary>
    public Precision Precision { get; }

    public string Name => $"cuda:{Index} {Info.Name}";

    /// <summary>What the device is: name, compute capability, memory, multiprocessors.</summary>
    public DeviceInfo Info => Resources.Info;

    /// <summary>The device memory pool, shared by the device's backends (its <see cref="CachingAllocator.Stats"/>
    /// are the allocator counters).</summary>
    public CachingAllocator Allocator => Resources.Allocator;

    internal CudaDeviceResources Resources { get; }
    internal int DeviceOrdinal => Resources.DeviceOrdinal;
    internal nint Stream => Resources.Stream;
    internal ICudaApi Api => Resources.Api;
    internal KernelModules Kernels => Resources.Kernels;

    // ---- creation ----------------------------------------------------------------------------------------------
    /// <summary>The backend for cuda:<paramref name="index"/> at <paramref name="precision"/>; the device is opened
    /// once per process. Null with the reason (no driver, no device, a library missing, ...) when it cannot be.
    /// (Every tensor created on a CUDA device comes through here: the opened devices are read without a lock.)</summary>
    public static CudaBackend? TryCreate(int index, out string whyNot, Precision precision = Precision.Fp32)
    {
        CudaDeviceResources?[] opened = _ready;
        if ((uint)index < (uint)opened.Length && opened[index] is { } device)
        {
            whyNot = "";
            return device.Backend(precision);
        }
        lock (CreateGate)
        {
            if (!Instances.TryGetValue(index, out var entry))
            {
                try
                {
                    entry = (Create(index), null);
                }
                catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
                {
                    entry = (null, e.Message);
                }
                Instances[index] = entry;
                if (entry.Device is not null)
                {
                    var ready = new CudaDeviceResources?[Math.Max(_ready.Length, index + 1)];
                    _ready.CopyTo(ready, 0);
                    ready[index] = entry.Device;
                    _ready = ready;
                }
            }
            whyNot = entry.WhyNot ?? "";
            return entry.Device?.Backend(precision);
        }
    }

    /// <summary>The backend for cuda:<paramref name="index"/> at <paramref name="precision"/>, or an exception that
    /// says why there is none.</summary>
    public static CudaBackend Get(int index, Precision precision = Precision.Fp32) =>
        TryCreate(index, out string whyNot, precision) ?? throw new InvalidOperationException($"Device cuda:{index} is not available: {whyNot}");

    private static volatile CudaDeviceResources?[] _ready = [];

    private static CudaDeviceResources Create(int index)
    {
        NativeLibraries.InstallResolver();
        if (NativeLibraries.DriverHandle == 0)
            throw new InvalidOperationException("libcuda.so.1 (the NVIDIA driver) was not found by the system loader, in RAWGAN_CUDA_LIBS or in the driver's usual folders");
        Check(Interop.Driver.cuInit(0));
        Check(Interop.Driver.cuDeviceGetCount(out int count));
        if (count == 0) throw new InvalidOperationException("the NVIDIA driver reports no CUDA device");
        if (index < 0 || index >= count)
            throw new InvalidOperationException($"cuda:{index} was asked for but the driver reports {count} device{(count == 1 ? "" : "s")} (cuda:0{(count > 1 ? $"..cuda:{count - 1}" : "")})");
        if (NativeLibraries.CublasHandle == 0) throw new InvalidOperationException($"cuBLAS was not found ({NativeLibraries.Cublas}); set RAWGAN_CUDA_LIBS to the folder of libcublas.so.13");
        if (NativeLibraries.CudnnHandle == 0) throw new InvalidOperationException($"cuDNN 9 was not found ({NativeLibraries.Cudnn}); set RAWGAN_CUDA_LIBS to the folder of libcudnn.so.9");

        Check(Interop.Driver.cuDeviceGet(out int device, index));
        DeviceInfo info = DeviceInfo.Query(device);
        Check(Interop.Driver.cuDevicePrimaryCtxRetain(out nint context, device));
        Check(Interop.Driver.cuCtxSetCurrent(context));
        CudaDeviceResources.Entered(context);
        // A blocking stream (flags 0): it also orders against anything a library queues on the legacy stream.
        Check(Interop.Driver.cuStreamCreate(out nint stream, 0));

        CheckCublas(Interop.Cublas.cublasCreate(out nint cublas));
        CheckCublas(Interop.Cublas.cublasSetStream(cublas, stream));
        CheckCudnn(Interop.Cudnn.cudnnCreate(out nint cudnn));
        CheckCudnn(Interop.Cudnn.cudnnSetStream(cudnn, stream));

        var resources = new CudaDeviceResources(NativeCudaApi.Instance, index, device, context, stream, cublas, cudnn, info);
        foreach (Precision precision in Enum.GetValues<Precision>()) CudaSelfTest.Run(resources.Backend(precision));
        return resources;
    }

    /// <summary>Makes this device's context current on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void MakeCurrent() => Resources.MakeCurrent();

    /// <summary>Waits until everything queued on this device's stream has run (and reports its errors).</summary>
    public void Synchronize()
    {
        RefuseWhileCapturing("waits for the device");
        Resources.Synchronize();
    }

    /// <summary>Free and total device memory as the driver sees it.</summary>
    public (long Free, long Total) MemoryInfo()
    {
        MakeCurrent();
        Check(Api.cuMemGetInfo(out nuint free, out nuint total));
        return ((long)free, (long)total);
    }

    /// <summary>
    /// Device time of <paramref name="work"/> in milliseconds, by CUDA events recorded on the stream before and
    /// after it (for benchmarks: the host-side launch overhead is excluded unless the stream ran dry). Waits for
    /// the work to finish.
    /// </summary>
    public double TimeMilliseconds(Action work)
    {
        MakeCurrent();
        Check(Api.cuEventCreate(out nint start, Interop.Driver.EventDefault));
        nint end = 0;
        try
        {
            Check(Api.cuEventCreate(out end, Interop.Driver.EventDefault));
            Check(Api.cuEventRecord(start, Stream));
            work();
            MakeCurrent();
            Check(Api.cuEventRecord(end, Stream));
            Check(Api.cuEventSynchronize(end));
            Check(Api.cuEventElapsedTime(out float ms, start, end));
            return ms;
        }
        finally
        {
            Api.cuEventDestroy(start);
            if (end != 0) Api.cuEventDestroy(end);
        }
    }

    // ---- memory ------------------------------------------------------------------------------------------------
    public Storage Allocate(long length, DType dtype)
    {
        MakeCurrent();
        long bytes = length * dtype.SizeInBytes();
        ulong p = Allocator.Allocate(bytes, out long block);
        return new CudaStorage(this, length, dtype, p, block);
    }

    public unsafe void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged
    {
        var d = Own(destination);
        long bytes = (long)source.Length * sizeof(T);
        if (bytes > d.Bytes) throw new ArgumentException($"Upload of {bytes} bytes into a storage of {d.Bytes} bytes.");
        if (bytes == 0) return;
        RefuseWhileCapturing($"uploads {bytes} bytes from the host");
        MakeCurrent();
        Written(d);
        Uploaded(d, source);
        if (bytes <= PinnedStaging.MaxBytes)
        {
            Resources.Staging.Upload(MemoryMarshal.AsBytes(source), d.Pointer);
            return;
        }
        fixed (T* p = source)
        {
            Check(Api.cuMemcpyHtoDAsync(d.Pointer, p, (nuint)bytes, Stream));
            // The source is pageable and only pinned for this call: wait until the copy has read it.
            Check(Api.cuStreamSynchronize(Stream));
        }
    }

    public unsafe void Download<T>(Storage source, Span<T> destination) where T : unmanaged
    {
        var s = Own(source);
        long bytes = (long)destination.Length * sizeof(T);
        if (bytes > s.Bytes) throw new ArgumentException($"Download of {bytes} bytes from a storage of {s.Bytes} bytes.");
        if (bytes == 0) return;
        RefuseWhileCapturing($"reads {bytes} bytes back to the host");
        MakeCurrent();
        fixed (T* p = destination)
        {
            Check(Api.cuMemcpyDtoHAsync(p, s.Pointer, (nuint)bytes, Stream));
            Check(Api.cuStreamSynchronize(Stream));
        }
    }

    public void Copy(Tensor source, Tensor destination)
    {
        long bytes = source.Numel * source.DType.SizeInBytes();
        if (bytes == 0) return;
        MakeCurrent();
        Written(destination.Storage);
        Check(Api.cuMemcpyDtoDAsync(Ptr(destination), Ptr(source), (nuint)bytes, Stream));
    }

    // ---- helpers shared by the partial files --------------------------------------------------------------------
    internal static ulong Ptr(Tensor t) => ((CudaStorage)t.Storage).Pointer;
    internal static ulong Ptr(Tensor? t, ulong ifNull) => t is null ? ifNull : Ptr(t);

    private CudaStorage Own(Storage s) => s as CudaStorage is { } c && ReferenceEquals(c.Backend, this)
        ? c
        : throw new ArgumentException($"Storage of {s.Backend.Name} passed to {Name}.");

    internal static NotSupportedException Float64NotSupported(string op, DType dtype) =>
        new($"{op}: {dtype.Name()} is not supported on CUDA (float32 and int32 only; float64 runs on the CPU for gradient checks).");

    internal static void RequireFloat32(string op, Tensor t)
    {
        if (t.DType != DType.Float32) throw Float64NotSupported(op, t.DType);
    }

    /// <summary>A temporary device buffer, returned to the pool when disposed (safe right after queuing its last use:
    /// the stream orders whatever reuses it after that work).</summary>
    internal ScratchBuffer Scratch(long bytes, bool zeroed = false)
    {
        ulong p = Allocator.Allocate(bytes, out long block);
        if (zeroed && bytes > 0) Check(Api.cuMemsetD32Async(p, 0, (nuint)((bytes + 3) / 4), Stream));
        return new ScratchBuffer(Allocator, p, block);
    }

    internal readonly struct ScratchBuffer(CachingAllocator allocator, ulong pointer, long blockBytes) : IDisposable
    {
        public ulong Pointer { get; } = pointer;
        public long Bytes { get; } = blockBytes;
        public void Dispose() => allocator.Release(Pointer, Bytes);
    }
}

/// <summary>A CUDA device's identity and limits, as the driver reports them.</summary>
public sealed record DeviceInfo(string Name, int ComputeMajor, int ComputeMinor, long TotalMemory, int Multiprocessors,
    int MaxThreadsPerMultiprocessor, double PeakBandwidthGBs)
{
    public string ComputeCapability => $"{ComputeMajor}.{ComputeMinor}";

    internal static unsafe DeviceInfo Query(int device)
    {
        byte* name = stackalloc byte[256];
        Check(Interop.Driver.cuDeviceGetName(name, 256, device));
        Check(Interop.Driver.cuDeviceGetAttribute(out int major, Interop.Driver.AttributeComputeCapabilityMajor, device));
        Check(Interop.Driver.cuDeviceGetAttribute(out int minor, Interop.Driver.AttributeComputeCapabilityMinor, device));
        Check(Interop.Driver.cuDeviceGetAttribute(out int sms, Interop.Driver.AttributeMultiprocessorCount, device));
        Check(Interop.Driver.cuDeviceGetAttribute(out int threads, Interop.Driver.AttributeMaxThreadsPerMultiprocessor, device));
        Check(Interop.Driver.cuDeviceTotalMem(out nuint total, device));
        // Memory clock (kHz) and bus width (bits) give the theoretical DRAM bandwidth: 2 transfers per clock.
        // Newer drivers may report 0 for the clock; the figure is then 0 (unknown).
        double bandwidth = 0;
        if (Interop.Driver.cuDeviceGetAttribute(out int clockKhz, Interop.Driver.AttributeMemoryClockRate, device) == CUresult.Success &&
            Interop.Driver.cuDeviceGetAttribute(out int busBits, Interop.Driver.AttributeGlobalMemoryBusWidth, device) == CUresult.Success)
            bandwidth = 2.0 * clockKhz * 1e3 * (busBits / 8.0) / 1e9;
        return new DeviceInfo(Marshal.PtrToStringUTF8((nint)name) ?? "?", major, minor, (long)total, sms, threads, bandwidth);
    }

    public override string ToString() =>
        $"{Name} (compute {ComputeCapability}, {TotalMemory / (1024.0 * 1024 * 1024):F1} GiB, {Multiprocessors} SMs)";
}
