using System.Runtime.CompilerServices;
using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

/// <summary>
/// What one CUDA device has once per process, whatever the math policy: its primary context, the one stream every
/// operation is queued on, the cuBLAS and cuDNN handles (and the lock that serialises them), the caching allocator,
/// the loaded PTX modules, the pinned upload staging and the cuDNN convolution plans. Each <see cref="Precision"/>
/// gets a thin <see cref="CudaBackend"/> over these, so an FP32 and a TF32 backend on one device share memory pool,
/// stream and handles, and their work is ordered on the one stream.
/// </summary>
internal sealed class CudaDeviceResources
{
    [ThreadStatic] private static nint _threadContext;

    // The context, stream and library handles live as long as the process (as PyTorch keeps its per-device handles),
    // so they are plain handles, not SafeHandles.
    private readonly nint _context;
    private readonly CudaBackend[] _backends;
    private int _cublasMathMode = -1;

    /// <summary>Resources on a context, stream and library handles made beforehand (by <see cref="CudaBackend"/>'s
    /// creation, or by a test): <paramref name="api"/> makes the calls (<see cref="NativeCudaApi"/>, or an emulation).
    /// <paramref name="convSearch"/> defaults to <see cref="ConvAlgorithmSearch.FromEnvironment"/>;
    /// <paramref name="exactBlocks"/> is the allocator's mode for a bounds-checking emulation (<see cref="CachingAllocator"/>).</summary>
    public CudaDeviceResources(ICudaApi api, int index, int device, nint context, nint stream, nint cublas, nint cudnn, DeviceInfo info,
        ConvAlgorithmSearch? convSearch = null, bool exactBlocks = false)
    {
        ConvSearch = convSearch ?? ConvAlgorithmSearch.FromEnvironment();
        Api = api;
        Index = index;
        DeviceOrdinal = device;
        _context = context;
        Stream = stream;
        Cublas = cublas;
        Cudnn = cudnn;
        Info = info;
        Allocator = new CachingAllocator(new DeviceMemory(this), exactBlocks);
        Kernels = new KernelModules(this);
        Staging = new PinnedStaging(this);
        _backends = Array.ConvertAll(Enum.GetValues<Precision>(), p => new CudaBackend(this, p));
    }

    public ICudaApi Api { get; }
    public int Index { get; }
    public int DeviceOrdinal { get; }
    public nint Stream { get; }
    public nint Cublas { get; }
    public nint Cudnn { get; }
    public DeviceInfo Info { get; }
    public CachingAllocator Allocator { get; }
    public KernelModules Kernels { get; }
    public PinnedStaging Staging { get; }

    /// <summary>Serialises use of the cuBLAS and cuDNN handles (neither is for concurrent use from several threads).</summary>
    public Lock LibraryGate { get; } = new();

    /// <summary>The cuDNN descriptors and algorithms per geometry and precision, shared by this device's backends.</summary>
    public Dictionary<(ConvGeometry, Precision, MemoryFormat), CudaBackend.ConvPlan> ConvPlans { get; } = [];
    public Lock ConvGate { get; } = new();

    /// <summary>How this device's convolutions choose their cuDNN algorithms (benchmarked or heuristic, workspace limit).</summary>
    public ConvAlgorithmSearch ConvSearch { get; }

    /// <summary>cuDNN's batch-norm descriptors (x as [N, C, S, 1], the channels as [1, C, 1, 1]) per (N, C, S), under
    /// <see cref="ConvGate"/>; kept as long as the device, as the convolution plans are.</summary>
    public Dictionary<(int N, int C, int S, MemoryFormat Format), (nint X, nint Channel)> BatchNormDescriptors { get; } = [];

    /// <summary>The inputs of the step graph being captured on the stream, or null when none is (CudaBackend.Capture).</summary>
    public GraphInputs? Capture { get; set; }

    /// <summary>This device's backend at <paramref name="precision"/>.</summary>
    public CudaBackend Backend(Precision precision) => _backends[(int)precision];

    /// <summary>Sets the cuBLAS handle's math mode when it differs from the last one set (call under
    /// <see cref="LibraryGate"/>: backends of different precisions take turns on the one handle).</summary>
    public void SetCublasMathMode(int mode)
    {
        if (mode == _cublasMathMode) return;
        CheckCublas(Api.cublasSetMathMode(Cublas, mode));
        _cublasMathMode = mode;
    }

    /// <summary>Makes this device's context current on the calling thread (a thread-local check; the driver call
    /// happens once per thread, or when the thread last used another device).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MakeCurrent()
    {
        if (_threadContext != _context) SetCurrent();
    }

    /// <summary>For creation, which made the context current itself.</summary>
    public static void Entered(nint context) => _threadContext = context;

    private void SetCurrent()
    {
        Check(Api.cuCtxSetCurrent(_context));
        _threadContext = _context;
    }

    /// <summary>Waits until everything queued on the stream has run (and reports its errors).</summary>
    public void Synchronize()
    {
        MakeCurrent();
        Check(Api.cuStreamSynchronize(Stream));
    }

    private sealed class DeviceMemory(CudaDeviceResources device) : IDeviceMemory
    {
        public ulong TryAllocate(long bytes)
        {
            device.MakeCurrent();
            CUresult r = device.Api.cuMemAlloc(out ulong p, (nuint)bytes);
            if (r == CUresult.ErrorOutOfMemory) return 0;
            Check(r, $"cuMemAlloc({bytes} bytes)");
            return p;
        }

        public void Free(ulong pointer)
        {
            device.MakeCurrent();
            Check(device.Api.cuMemFree(pointer));
        }

        public void Synchronize() => device.Synchronize();
    }
}
