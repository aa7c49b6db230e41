using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using RawGan.Backends.Cuda;
using RawGan.GpuEmulator.Ptx;

namespace RawGan.GpuEmulator;

/// <summary>
/// A GPU made of the CPU: the <see cref="ICudaApi"/> calls a <see cref="CudaBackend"/> makes, carried out on a
/// <see cref="PtxMemory"/> heap with the PTX kernels run by the <see cref="PtxModule"/> interpreter, and cuBLAS's
/// and cuDNN's calls computed from their definitions (partial files). One device, one stream, queued as a GPU's
/// is (the Stream partial), under one lock. Misuse the real driver would refuse (a copy outside an allocation, a
/// launch shape it cannot run, a bad descriptor) throws here with the call and the values, rather than returning
/// a status, so a test failure says what went wrong.
/// </summary>
internal sealed unsafe partial class EmulatedCudaApi : ICudaApi
{
    public const long TotalMemory = 8L << 30;

    /// <summary>Accept every call but run no queued work and leave memory unwritten: for full-size models whose
    /// allocator figures (which depend only on the sizes asked for) are wanted without interpreting their kernels.
    /// Results read back are meaningless.</summary>
    public bool SkipWork { get; init; }

    private readonly Lock _gate = new();
    private readonly List<PtxModule> _modules = [];
    private readonly List<PtxKernel> _functions = [];
    private readonly Dictionary<ulong, long> _allocations = [];
    private long _bytesAllocated;

    public PtxMemory Memory { get; } = new();

    /// <summary>Kernel launches so far (tests check that work went through the kernels).</summary>
    public long Launches { get; private set; }

    /// <summary>Device-to-host copies so far: each is a point where the host waits for the GPU.</summary>
    public long DeviceToHostCopies { get; private set; }

    /// <summary>Host-to-device copies so far (a training step should upload its batch and nothing else).</summary>
    public long HostToDeviceCopies { get; private set; }

    // Handles are 1-based indices into the lists (0 is never a valid handle).
    private static nint Handle(int index) => index + 1;
    private static int Index(nint handle) => (int)handle - 1;

    private static Exception Refused(string call, string why) => new InvalidOperationException($"{call}: {why} (the real driver refuses this).");

    public CUresult cuCtxSetCurrent(nint context) => CUresult.Success;

    public CUresult cuMemGetInfo(out nuint free, out nuint total)
    {
        lock (_gate)
        {
            total = unchecked((nuint)TotalMemory); // 64-bit hosts only, as the real driver
            free = (nuint)(TotalMemory - _bytesAllocated);
            return CUresult.Success;
        }
    }

    // ---- modules ---------------------------------------------------------------------------------------------
    public CUresult cuModuleLoadDataEx(out nint module, byte* image, uint numOptions, int* options, nint* optionValues)
    {
        string text = Marshal.PtrToStringUTF8((nint)image) ?? "";
        // The CUDA 13 JIT stops at the first byte above 127, even in a comment (seen on an H200, 2026-11-30).
        int nonAscii = text.AsSpan().IndexOfAnyInRange((char)128, char.MaxValue);
        if (nonAscii >= 0)
            throw Refused("cuModuleLoadDataEx", $"non-ASCII character on line {text[..nonAscii].Count(c => c == '\n') + 1} " +
                "(the JIT: 'ptxas fatal: Unexpected non-ASCII character encountered')");
        // The image opens with "// <name>.ptx": the interpreter's messages then name the file.
        Match name = Regex.Match(text, @"^//\s*(\S+\.ptx)");
        PtxModule parsed = PtxModule.Parse(text, name.Success ? name.Groups[1].Value : "module.ptx");
        lock (_gate)
        {
            _modules.Add(parsed);
            module = Handle(_modules.Count - 1);
        }
        return CUresult.Success;
    }

    public CUresult cuModuleGetFunction(out nint function, nint module, string name)
    {
        lock (_gate)
        {
            PtxModule m = _modules[Index(module)];
            if (!m.Entries.Contains(name))
            {
                function = 0;
                return CUresult.ErrorNotFound;
            }
            _functions.Add(m.Kernel(name));
            function = Handle(_functions.Count - 1);
            return CUresult.Success;
        }
    }

    public CUresult cuFuncGetAttribute(out int value, int attribute, nint function)
    {
        if (attribute != Interop.Driver.FuncAttributeMaxThreadsPerBlock) throw Refused("cuFuncGetAttribute", $"attribute {attribute} is not emulated");
        value = 1024;
        return CUresult.Success;
    }

    /// <summary>Parameters are laid out as the driver does: each at the next multiple of its own size.</summary>
    public CUresult cuFuncGetParamInfo(nint function, nuint paramIndex, out nuint paramOffset, out nuint paramSize)
    {
        lock (_gate)
        {
            var parameters = _functions[Index(function)].Parameters;
            paramOffset = paramSize = 0;
            if (paramIndex >= (nuint)parameters.Count) return CUresult.ErrorInvalidValue;
            nuint offset = 0;
            for (int i = 0; ; i++)
            {
                nuint size = (nuint)parameters[i].Size;
                offset = (offset + size - 1) / size * size;
                if ((nuint)i == paramIndex)
                {
                    paramOffset = offset;
                    paramSize = size;
                    return CUresult.Success;
                }
                offset += size;
            }
        }
    }

    public CUresult cuLaunchKernel(nint function, uint gridDimX, uint gridDimY, uint gridDimZ, uint blockDimX, uint blockDimY,
        uint blockDimZ, uint sharedMemBytes, nint stream, void** kernelParams, void** extra)
    {
        lock (_gate)
        {
            PtxKernel kernel = _functions[Index(function)];
            string call = $"cuLaunchKernel({kernel.Name}, grid ({gridDimX}, {gridDimY}, {gridDimZ}), block ({blockDimX}, {blockDimY}, {blockDimZ}))";
            if (gridDimX == 0 || gridDimY == 0 || gridDimZ != 1 || gridDimY > 65535) throw Refused(call, "grid dimensions out of range");
            if (blockDimX == 0 || blockDimX > 1024 || blockDimY != 1 || blockDimZ != 1) throw Refused(call, "block dimensions out of range");
            if (extra != null) throw Refused(call, "extra launch options are not emulated");
            var parameters = kernel.Parameters;
            var args = new ulong[parameters.Count];
            for (int i = 0; i < args.Length; i++)
                args[i] = parameters[i].Size == 8 ? *(ulong*)kernelParams[i] : *(uint*)kernelParams[i];
            Enqueue(call, () => kernel.Launch(Memory, gridDimX, gridDimY, blockDimX, sharedMemBytes, args));
            Launches++;
            return CUresult.Success;
        }
    }

    // ---- memory --------------------------------------------------------------------------------------------
    public CUresult cuMemAlloc(out ulong devicePointer, nuint bytes)
    {
        devicePointer = 0;
        if (RefusedWhileCapturing($"cuMemAlloc({bytes} bytes)")) return CUresult.ErrorStreamCaptureUnsupported;
        lock (_gate)
        {
            if (_bytesAllocated + (long)bytes > TotalMemory)
            {
                devicePointer = 0;
                return CUresult.ErrorOutOfMemory;
            }
            devicePointer = Memory.Allocate((long)bytes);
            if (!SkipWork)
            {
                var poison = new byte[(int)bytes]; // as the CPU's arrays in tests: NaN until written
                Array.Fill(poison, (byte)0xFF);
                Memory.Write<byte>(devicePointer, poison);
            }
            _allocations[devicePointer] = (long)bytes;
            _bytesAllocated += (long)bytes;
            return CUresult.Success;
        }
    }

    /// <summary>Waits for the queued work first, as the driver's free does.</summary>
    public CUresult cuMemFree(ulong devicePointer)
    {
        if (RefusedWhileCapturing("cuMemFree")) return CUresult.ErrorStreamCaptureUnsupported;
        RunUntil("cuMemFree");
        lock (_gate)
        {
            if (!_allocations.Remove(devicePointer, out long bytes)) throw Refused("cuMemFree", $"0x{devicePointer:x} is not an allocation");
            _bytesAllocated -= bytes;
            Memory.Free(devicePointer);
        }
        return CUresult.Success;
    }

    public CUresult cuMemcpyDtoDAsync(ulong destination, ulong source, nuint bytes, nint stream)
    {
        Enqueue($"cuMemcpyDtoDAsync({bytes} bytes)", () => CopyBytes(source, destination, (long)bytes));
        return CUresult.Success;
    }

    /// <summary>Device to device only, as the backend uses it; the address rules are the driver's
    /// (slice z of the source starts at srcDevice + ((srcZ + z)·srcHeight + srcY)·srcPitch + srcXInBytes).</summary>
    public CUresult cuMemcpy3DAsync(CudaMemcpy3D* copy, nint stream)
    {
        CudaMemcpy3D c = *copy;
        const string call = "cuMemcpy3DAsync";
        if (c.SrcMemoryType != CudaMemcpy3D.MemoryTypeDevice || c.DstMemoryType != CudaMemcpy3D.MemoryTypeDevice)
            throw Refused(call, "only device-to-device copies are emulated");
        if (c.SrcPitch < c.WidthInBytes + c.SrcXInBytes || c.DstPitch < c.WidthInBytes + c.DstXInBytes)
            throw Refused(call, $"a pitch is smaller than WidthInBytes + XInBytes (src {c.SrcPitch} < {c.WidthInBytes} + {c.SrcXInBytes} or dst {c.DstPitch} < {c.WidthInBytes} + {c.DstXInBytes})");
        if (c.Depth > 1 && (c.SrcHeight < c.Height + c.SrcY || c.DstHeight < c.Height + c.DstY))
            throw Refused(call, $"a slice height is smaller than Height + Y (src {c.SrcHeight} < {c.Height} + {c.SrcY} or dst {c.DstHeight} < {c.Height} + {c.DstY})");
        Enqueue(call, () =>
        {
            for (nuint z = 0; z < c.Depth; z++)
                for (nuint y = 0; y < c.Height; y++)
                {
                    ulong src = c.SrcDevice + (ulong)(((c.SrcZ + z) * c.SrcHeight + c.SrcY + y) * c.SrcPitch + c.SrcXInBytes);
                    ulong dst = c.DstDevice + (ulong)(((c.DstZ + z) * c.DstHeight + c.DstY + y) * c.DstPitch + c.DstXInBytes);
                    CopyBytes(src, dst, (long)c.WidthInBytes);
                }
        });
        return CUresult.Success;
    }

    public CUresult cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream)
    {
        var bytes = new byte[(int)count];
        Array.Fill(bytes, value);
        Enqueue("cuMemsetD8Async", () => Memory.Write<byte>(destination, bytes));
        return CUresult.Success;
    }

    public CUresult cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream)
    {
        var words = new uint[(int)count];
        Array.Fill(words, value);
        Enqueue("cuMemsetD32Async", () => Memory.Write<uint>(destination, words));
        return CUresult.Success;
    }

    private void CopyBytes(ulong source, ulong destination, long bytes)
    {
        var buffer = new byte[bytes];
        Memory.Read<byte>(source, buffer);
        Memory.Write<byte>(destination, buffer);
    }
}
