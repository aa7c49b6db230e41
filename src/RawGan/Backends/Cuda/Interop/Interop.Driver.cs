using System.Runtime.InteropServices;

namespace RawGan.Backends.Cuda;

/// <summary>CUresult (cuda.h): the status of every driver call. Only the values the backend tests for are named;
/// <see cref="Interop.Driver.ErrorName"/> names the rest.</summary>
internal enum CUresult
{
    Success = 0,
    ErrorInvalidValue = 1,
    ErrorOutOfMemory = 2,
    ErrorNotInitialized = 3,
    ErrorDeinitialized = 4,
    ErrorNoDevice = 100,
    ErrorInvalidPtx = 218,
    ErrorUnsupportedPtxVersion = 222,
    ErrorNotFound = 500,
    ErrorNotSupported = 801,
    ErrorStreamCaptureUnsupported = 900,  // an operation a capturing stream cannot record (a sync, a host wait)
    ErrorStreamCaptureInvalidated = 901,  // an earlier error ended the capture: cuStreamEndCapture gives no graph
}

/// <summary>CUDA_MEMCPY3D (cuda.h, the _v2 layout with size_t fields): 200 bytes on 64-bit hosts.
/// Field order and types are the header's; a test checks the size and two offsets.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CudaMemcpy3D
{
    public nuint SrcXInBytes, SrcY, SrcZ, SrcLod;
    public int SrcMemoryType;          // CUmemorytype; 4 bytes of padding follow
    public nint SrcHost;
    public ulong SrcDevice;            // CUdeviceptr
    public nint SrcArray;
    public nint Reserved0;
    public nuint SrcPitch, SrcHeight;

    public nuint DstXInBytes, DstY, DstZ, DstLod;
    public int DstMemoryType;
    public nint DstHost;
    public ulong DstDevice;
    public nint DstArray;
    public nint Reserved1;
    public nuint DstPitch, DstHeight;

    public nuint WidthInBytes, Height, Depth;

    public const int MemoryTypeDevice = 2; // CU_MEMORYTYPE_DEVICE
}

internal static partial class Interop
{
    internal static unsafe partial class Driver
    {
        private const string Lib = DriverLibrary;

        // CUdevice_attribute values (cuda.h).
        public const int AttributeMultiprocessorCount = 16;        // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
        public const int AttributeMemoryClockRate = 36;            // kHz
        public const int AttributeGlobalMemoryBusWidth = 37;       // bits
        public const int AttributeMaxThreadsPerMultiprocessor = 39;
        public const int AttributeComputeCapabilityMajor = 75;
        public const int AttributeComputeCapabilityMinor = 76;

        // CUjit_option values (cuda.h) for cuModuleLoadDataEx.
        public const int JitInfoLogBuffer = 3;
        public const int JitInfoLogBufferSizeBytes = 4;
        public const int JitErrorLogBuffer = 5;
        public const int JitErrorLogBufferSizeBytes = 6;

        public const uint StreamNonBlocking = 0x1; // CU_STREAM_NON_BLOCKING
        public const uint EventDefault = 0x0;      // CU_EVENT_DEFAULT
        public const uint EventDisableTiming = 0x2; // CU_EVENT_DISABLE_TIMING: cheaper, for ordering only

        [LibraryImport(Lib, EntryPoint = "cuInit")]
        public static partial CUresult cuInit(uint flags);

        [LibraryImport(Lib, EntryPoint = "cuDriverGetVersion")]
        public static partial CUresult cuDriverGetVersion(out int driverVersion);

        [LibraryImport(Lib, EntryPoint = "cuGetErrorName")]
        public static partial CUresult cuGetErrorName(CUresult error, out nint str);

        [LibraryImport(Lib, EntryPoint = "cuGetErrorString")]
        public static partial CUresult cuGetErrorString(CUresult error, out nint str);

        [LibraryImport(Lib, EntryPoint = "cuDeviceGetCount")]
        public static partial CUresult cuDeviceGetCount(out int count);

        [LibraryImport(Lib, EntryPoint = "cuDeviceGet")]
        public static partial CUresult cuDeviceGet(out int device, int ordinal);

        [LibraryImport(Lib, EntryPoint = "cuDeviceGetName")]
        public static partial CUresult cuDeviceGetName(byte* name, int len, int device);

        [LibraryImport(Lib, EntryPoint = "cuDeviceGetAttribute")]
        public static partial CUresult cuDeviceGetAttribute(out int value, int attribute, int device);

        [LibraryImport(Lib, EntryPoint = "cuDeviceTotalMem_v2")]
        public static partial CUresult cuDeviceTotalMem(out nuint bytes, int device);

        [LibraryImport(Lib, EntryPoint = "cuDevicePrimaryCtxRetain")]
        public static partial CUresult cuDevicePrimaryCtxRetain(out nint context, int device);

        [LibraryImport(Lib, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
        public static partial CUresult cuDevicePrimaryCtxRelease(int device);

        [LibraryImport(Lib, EntryPoint = "cuCtxSetCurrent")]
        public static partial CUresult cuCtxSetCurrent(nint context);

        [LibraryImport(Lib, EntryPoint = "cuMemGetInfo_v2")]
        public static partial CUresult cuMemGetInfo(out nuint free, out nuint total);

        // ---- modules and launches ----------------------------------------------------------------------------
        /// <summary>image: NUL-terminated PTX text.</summary>
        [LibraryImport(Lib, EntryPoint = "cuModuleLoadDataEx")]
        public static partial CUresult cuModuleLoadDataEx(out nint module, byte* image, uint numOptions, int* options, nint* optionValues);

        [LibraryImport(Lib, EntryPoint = "cuModuleUnload")]
        public static partial CUresult cuModuleUnload(nint module);

        [LibraryImport(Lib, EntryPoint = "cuModuleGetFunction", StringMarshalling = StringMarshalling.Utf8)]
        public static partial CUresult cuModuleGetFunction(out nint function, nint module, string name);

        public const int FuncAttributeMaxThreadsPerBlock = 0; // CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK
        public const int FuncAttributeNumRegs = 4;            // CU_FUNC_ATTRIBUTE_NUM_REGS

        [LibraryImport(Lib, EntryPoint = "cuFuncGetAttribute")]
        public static partial CUresult cuFuncGetAttribute(out int value, int attribute, nint function);

        /// <summary>CUDA 12.4+: offset and size of a kernel parameter; CUDA_ERROR_INVALID_VALUE past the last one.</summary>
        [LibraryImport(Lib, EntryPoint = "cuFuncGetParamInfo")]
        public static partial CUresult cuFuncGetParamInfo(nint function, nuint paramIndex, out nuint paramOffset, out nuint paramSize);

        [LibraryImport(Lib, EntryPoint = "cuLaunchKernel")]
        public static partial CUresult cuLaunchKernel(nint function, uint gridDimX, uint gridDimY, uint gridDimZ,
            uint blockDimX, uint blockDimY, uint blockDimZ, uint sharedMemBytes, nint stream, void** kernelParams, void** extra);

        // ---- memory ------------------------------------------------------------------------------------------
        /// <summary>Page-locked host memory (flags 0): the driver copies from it without staging, asynchronously.</summary>
        [LibraryImport(Lib, EntryPoint = "cuMemHostAlloc")]
        public static partial CUresult cuMemHostAlloc(out nint hostPointer, nuint bytes, uint flags);

        [LibraryImport(Lib, EntryPoint = "cuMemFreeHost")]
        public static partial CUresult cuMemFreeHost(nint hostPointer);

        [LibraryImport(Lib, EntryPoint = "cuMemAlloc_v2")]
        public static partial CUresult cuMemAlloc(out ulong devicePointer, nuint bytes);

        [LibraryImport(Lib, EntryPoint = "cuMemFree_v2")]
        public static partial CUresult cuMemFree(ulong devicePointer);

        [LibraryImport(Lib, EntryPoint = "cuMemcpyHtoDAsync_v2")]
        public static partial CUresult cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, nint stream);

        [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoHAsync_v2")]
        public static partial CUresult cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, nint stream);

        [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoDAsync_v2")]
        public static partial CUresult cuMemcpyDtoDAsync(ulong destination, ulong source, nuint bytes, nint stream);

        [LibraryImport(Lib, EntryPoint = "cuMemcpy3DAsync_v2")]
        public static partial CUresult cuMemcpy3DAsync(CudaMemcpy3D* copy, nint stream);

        [LibraryImport(Lib, EntryPoint = "cuMemsetD8Async")]
        public static partial CUresult cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream);

        [LibraryImport(Lib, EntryPoint = "cuMemsetD32Async")]
        public static partial CUresult cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);

        // ---- streams and events ------------------------------------------------------------------------------
        [LibraryImport(Lib, EntryPoint = "cuStreamCreate")]
        public static partial CUresult cuStreamCreate(out nint stream, uint flags);

        [LibraryImport(Lib, EntryPoint = "cuStreamSynchronize")]
        public static partial CUresult cuStreamSynchronize(nint stream);

        [LibraryImport(Lib, EntryPoint = "cuStreamDestroy_v2")]
        public static partial CUresult cuStreamDestroy(nint stream);

        [LibraryImport(Lib, EntryPoint = "cuEventCreate")]
        public static partial CUresult cuEventCreate(out nint @event, uint flags);

        [LibraryImport(Lib, EntryPoint = "cuEventRecord")]
        public static partial CUresult cuEventRecord(nint @event, nint stream);

        [LibraryImport(Lib, EntryPoint = "cuEventSynchronize")]
        public static partial CUresult cuEventSynchronize(nint @event);

        /// <summary>CUDA 13's cuda.h maps cuEventElapsedTime to this _v2 entry (same signature, CUDA 12.8 and up).</summary>
        [LibraryImport(Lib, EntryPoint = "cuEventElapsedTime_v2")]
        public static partial CUresult cuEventElapsedTime_v2(out float milliseconds, nint start, nint end);

        /// <summary>The original entry, for drivers older than CUDA 12.8.</summary>
        [LibraryImport(Lib, EntryPoint = "cuEventElapsedTime")]
        public static partial CUresult cuEventElapsedTime(out float milliseconds, nint start, nint end);

        [LibraryImport(Lib, EntryPoint = "cuEventDestroy_v2")]
        public static partial CUresult cuEventDestroy(nint @event);

        // ---- graphs (stream capture) -------------------------------------------------------------------------
        // Work queued on a capturing stream is recorded into a CUgraph instead of run; an instantiated CUgraphExec
        // replays it with one launch. Signatures as CUDA 12/13's cuda.h: cuStreamBeginCapture is #defined to the
        // _v2 entry (it takes the capture mode), cuGraphInstantiate to cuGraphInstantiateWithFlags.
        public const int CaptureModeGlobal = 0;   // CU_STREAM_CAPTURE_MODE_GLOBAL: unsafe calls on any thread fail
        public const int CaptureStatusNone = 0;   // CU_STREAM_CAPTURE_STATUS_NONE
        public const int CaptureStatusActive = 1;
        public const int CaptureStatusInvalidated = 2;

        [LibraryImport(Lib, EntryPoint = "cuStreamBeginCapture_v2")]
        public static partial CUresult cuStreamBeginCapture(nint stream, int mode);

        [LibraryImport(Lib, EntryPoint = "cuStreamEndCapture")]
        public static partial CUresult cuStreamEndCapture(nint stream, out nint graph);

        /// <summary>captureStatus: a CUstreamCaptureStatus (<see cref="CaptureStatusNone"/>, ...).</summary>
        [LibraryImport(Lib, EntryPoint = "cuStreamIsCapturing")]
        public static partial CUresult cuStreamIsCapturing(nint stream, out int captureStatus);

        [LibraryImport(Lib, EntryPoint = "cuGraphInstantiateWithFlags")]
        public static partial CUresult cuGraphInstantiateWithFlags(out nint graphExec, nint graph, ulong flags);

        [LibraryImport(Lib, EntryPoint = "cuGraphLaunch")]
        public static partial CUresult cuGraphLaunch(nint graphExec, nint stream);

        [LibraryImport(Lib, EntryPoint = "cuGraphExecDestroy")]
        public static partial CUresult cuGraphExecDestroy(nint graphExec);

        [LibraryImport(Lib, EntryPoint = "cuGraphDestroy")]
        public static partial CUresult cuGraphDestroy(nint graph);

        // ---- errors --------------------------------------------------------------------------------------------
        /// <summary>"CUDA_ERROR_OUT_OF_MEMORY", or the number when the driver does not know it.</summary>
        public static string ErrorName(CUresult status)
        {
            try
            {
                return cuGetErrorName(status, out nint p) == CUresult.Success && p != 0
                    ? Marshal.PtrToStringUTF8(p) ?? $"CUresult {(int)status}"
                    : $"CUresult {(int)status}";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return $"CUresult {(int)status}"; }
        }

        public static string ErrorString(CUresult status)
        {
            try
            {
                return cuGetErrorString(status, out nint p) == CUresult.Success && p != 0 ? Marshal.PtrToStringUTF8(p) ?? "" : "";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return ""; }
        }
    }
}
