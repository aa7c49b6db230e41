using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

/// <summary>One kernel parameter as passed to cuLaunchKernel: its value in the low bytes of an 8-byte slot
/// (little-endian, so a 4-byte parameter reads the low half) and its PTX type, which must equal the type the entry
/// declares (checked against <see cref="KernelSpec"/> at every launch, and against the module's own parameter
/// sizes on the first).</summary>
internal readonly struct KernelArg
{
    public readonly ulong Bits;
    public readonly string Type;

    private KernelArg(ulong bits, string type)
    {
        Bits = bits;
        Type = type;
    }

    public int Size => Type is "u64" or "s64" or "b64" or "f64" ? 8 : 4;

    /// <summary>A device pointer, or any .u64 count, offset or stride.</summary>
    public static KernelArg U64(ulong v) => new(v, "u64");
    public static KernelArg U64(long v) => new((ulong)v, "u64");
    public static KernelArg S64(long v) => new((ulong)v, "s64");
    public static KernelArg U32(uint v) => new(v, "u32");
    public static KernelArg S32(int v) => new((uint)v, "s32");
    public static KernelArg B32(uint v) => new(v, "b32");
    public static KernelArg F32(float v) => new(BitConverter.SingleToUInt32Bits(v), "f32");
    public static KernelArg F32(double v) => F32((float)v);
    public static KernelArg F64(double v) => new(BitConverter.DoubleToUInt64Bits(v), "f64");

    public override string ToString() => Type;
}

/// <summary>A kernel the backend binds: its file in <c>kernels/</c>, its entry name and its parameter types in
/// order, exactly as the entry's <c>.param</c> list declares them (a test compares every spec with the PTX text).</summary>
internal sealed record KernelSpec(string File, string Entry, params string[] Params)
{
    public override string ToString() => $"{Entry}({string.Join(", ", Params)}) in kernels/{File}";
}

/// <summary>A kernel entry of a loaded PTX module.</summary>
internal sealed class CudaFunction(nint handle, string module, string name, int maxThreadsPerBlock)
{
    public nint Handle { get; } = handle;
    public string Module { get; } = module;
    public string Name { get; } = name;

    /// <summary>The largest block this function launches with after the driver's JIT (its register use bounds it).</summary>
    public int MaxThreadsPerBlock { get; } = maxThreadsPerBlock;

    /// <summary>Set once the parameter list has been compared with the arguments of a launch.</summary>
    public volatile bool Validated;
}

/// <summary>
/// The PTX kernels embedded in the assembly (resources named <c>kernels/&lt;family&gt;.ptx</c>), each module
/// JIT-compiled by the driver once per context on first use, with the JIT's error log kept for the exception.
/// </summary>
internal sealed class KernelModules(CudaDeviceResources backend)
{
    private readonly ConcurrentDictionary<string, Lazy<nint>> _modules = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), CudaFunction> _functions = new();

    public const string ResourcePrefix = "kernels/";

    /// <summary>The names of the embedded PTX files ("elementwise.ptx", ...).</summary>
    public static IReadOnlyList<string> EmbeddedFiles() =>
        typeof(KernelModules).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".ptx", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..]).Order(StringComparer.Ordinal).ToList();

    public static string? ReadEmbedded(string file)
    {
        using Stream? s = typeof(KernelModules).Assembly.GetManifestResourceStream(ResourcePrefix + file);
        if (s is null) return null;
        using var reader = new StreamReader(s, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The module text of an embedded kernel file, its <c>//@include</c> lines expanded (<see cref="PtxSplice"/>).</summary>
    public static string? ReadSpliced(string file) => ReadEmbedded(file) is { } ptx
        ? PtxSplice.Expand(file, ptx, ReadEmbedded(PtxSplice.HelpersFile) ?? throw NotEmbedded(PtxSplice.HelpersFile))
        : null;

    private static InvalidOperationException NotEmbedded(string file) =>
        new($"kernels/{file} is not embedded in {typeof(KernelModules).Assembly.GetName().Name}.dll (see RawGan.csproj's EmbeddedResource).");

    public CudaFunction Get(string file, string entry) =>
        _functions.TryGetValue((file, entry), out CudaFunction? f) ? f : _functions.GetOrAdd((file, entry), key => Lookup(key.Item1, key.Item2));

    private CudaFunction Lookup(string file, string entry)
    {
        nint module = Module(file);
        CUresult r = backend.Api.cuModuleGetFunction(out nint fn, module, entry);
        if (r != CUresult.Success)
            throw new CudaException("cuda", $"cuModuleGetFunction(\"{entry}\") in kernels/{file}", (int)r, Interop.Driver.ErrorName(r),
                Interop.Driver.ErrorString(r), r == CUresult.ErrorNotFound ? $"kernels/{file} has no entry named {entry}" : null);
        CudaCheck.Check(backend.Api.cuFuncGetAttribute(out int maxThreads, Interop.Driver.FuncAttributeMaxThreadsPerBlock, fn),
            $"cuFuncGetAttribute({entry}, MAX_THREADS_PER_BLOCK)");
        return new CudaFunction(fn, file, entry, maxThreads);
    }

    /// <summary>The module of one PTX file, loaded on first use.</summary>
    public nint Module(string file) =>
        _modules.GetOrAdd(file, f => new Lazy<nint>(() => Load(f), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private unsafe nint Load(string file)
    {
        string ptx = ReadSpliced(file) ?? throw NotEmbedded(file);
        backend.MakeCurrent();
        byte[] image = JitImage(file, ptx);
        const int logSize = 16 * 1024;
        byte* errorLog = stackalloc byte[logSize];
        byte* infoLog = stackalloc byte[logSize];
        errorLog[0] = 0;
        infoLog[0] = 0;
        int* options = stackalloc int[4]
        {
            Interop.Driver.JitErrorLogBuffer, Interop.Driver.JitErrorLogBufferSizeBytes,
            Interop.Driver.JitInfoLogBuffer, Interop.Driver.JitInfoLogBufferSizeBytes,
        };
        // Sizes are passed by value in the pointer-sized slot (the driver writes back the bytes used).
        nint* values = stackalloc nint[4] { (nint)errorLog, logSize, (nint)infoLog, logSize };
        fixed (byte* p = image)
        {
            CUresult r = backend.Api.cuModuleLoadDataEx(out nint module, p, 4, options, values);
            if (r == CUresult.Success) return module;
            string log = Marshal.PtrToStringUTF8((nint)errorLog)?.Trim() ?? "";
            throw new CudaException("cuda", $"cuModuleLoadDataEx(kernels/{file})", (int)r, Interop.Driver.ErrorName(r),
                Interop.Driver.ErrorString(r), log.Length > 0 ? $"JIT log (line numbers as in `tools/check-ptx.sh --spliced {file}`): " + log : null);
        }
    }

    /// <summary>
    /// What the driver's JIT is given: the spliced PTX without its comments (which are documentation, written with ≤,
    /// · and —; the CUDA 13 JIT refuses any non-ASCII byte, even in a comment, where CUDA 11.8's ptxas accepted it),
    /// each line kept in place so that the JIT log's line numbers are the spliced text's, under a first line naming
    /// the file.
    /// NUL-terminated, as cuModuleLoadData expects for PTX.
    /// </summary>
    internal static byte[] JitImage(string file, string ptx)
    {
        var text = new StringBuilder();
        string[] lines = ptx.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int comment = line.IndexOf("//", StringComparison.Ordinal);
            if (comment >= 0) line = line[..comment];
            line = line.TrimEnd();
            if (line.Any(c => c > 127))
                throw new InvalidOperationException($"kernels/{file} line {i + 1} (of the spliced text) has a non-ASCII character outside a comment, which the driver's JIT refuses.");
            if (i == 0 && line.Length == 0) line = $"// {file}";
            text.Append(line).Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.Append('\0').ToString());
    }

    /// <summary>Loads every embedded module and reports per file (for <c>rawgan info</c>).</summary>
    public IReadOnlyList<string> LoadAll()
    {
        var report = new List<string>();
        foreach (string file in EmbeddedFiles())
        {
            try
            {
                Module(file);
                report.Add($"{file}: ok");
            }
            catch (CudaException e)
            {
                _modules.TryRemove(file, out _);
                report.Add($"{file}: {e.Message}");
            }
        }
        return report;
    }

    // ---- launching ------------------------------------------------------------------------------------------
    /// <summary>Launches <paramref name="spec"/> with a 1-D block of <paramref name="block"/> threads on the
    /// backend's stream; the arguments must match the spec's parameter types one for one.</summary>
    public void Launch(KernelSpec spec, uint grid, uint block, params ReadOnlySpan<KernelArg> args) => Launch(spec, grid, 1, block, args);

    /// <summary>As <see cref="Launch(KernelSpec, uint, uint, ReadOnlySpan{KernelArg})"/> on a 2-D grid.</summary>
    public void Launch(KernelSpec spec, uint gridX, uint gridY, uint block, params ReadOnlySpan<KernelArg> args)
    {
        backend.MakeCurrent();
        if (args.Length != spec.Params.Length) throw Mismatch(spec, args);
        for (int i = 0; i < args.Length; i++)
            if (!string.Equals(args[i].Type, spec.Params[i], StringComparison.Ordinal)) throw Mismatch(spec, args);
        CudaFunction f = Get(spec.File, spec.Entry);
        // Every kernel takes any block that is a multiple of 32; should the JIT's register use not allow the one
        // asked for (1024 for few batch-norm channels), use the largest multiple of 32 that it allows.
        if (block > f.MaxThreadsPerBlock) block = (uint)Math.Max(32, f.MaxThreadsPerBlock / 32 * 32);
        Launch(f, gridX, gridY, block, 0, args);
    }

    private static InvalidOperationException Mismatch(KernelSpec spec, ReadOnlySpan<KernelArg> args) =>
        new($"Launch of {spec} with arguments ({Describe(args)}).");

    public unsafe void Launch(CudaFunction f, uint gridX, uint gridY, uint blockX, uint sharedBytes, ReadOnlySpan<KernelArg> args)
    {
        backend.MakeCurrent();
        if (!f.Validated) Validate(f, args);
        int n = args.Length;
        ulong* slots = stackalloc ulong[Math.Max(n, 1)];
        void** pointers = stackalloc void*[Math.Max(n, 1)];
        for (int i = 0; i < n; i++)
        {
            slots[i] = args[i].Bits;
            pointers[i] = &slots[i];
        }
        CUresult r = backend.Api.cuLaunchKernel(f.Handle, gridX, gridY, 1, blockX, 1, 1, sharedBytes, backend.Stream, pointers, null);
        if (r != CUresult.Success) throw Error(r, $"cuLaunchKernel({f.Name}, grid ({gridX}, {gridY}), block {blockX})");
    }

    /// <summary>Compares the arguments with the kernel's parameter list (cuFuncGetParamInfo, CUDA 12.4+): a count or
    /// size mismatch would otherwise read garbage on the device. Skipped where the driver lacks the call.</summary>
    private void Validate(CudaFunction f, ReadOnlySpan<KernelArg> args)
    {
        try
        {
            // Where the first query already fails, the driver cannot answer for this function: launch unchecked
            // (the PTX text itself is checked against every KernelSpec by a test that needs no GPU).
            if (args.Length == 0 || backend.Api.cuFuncGetParamInfo(f.Handle, 0, out _, out _) != CUresult.Success)
            {
                f.Validated = true;
                return;
            }
            for (int i = 0; i < args.Length; i++)
            {
                CUresult r = backend.Api.cuFuncGetParamInfo(f.Handle, (nuint)i, out _, out nuint size);
                if (r == CUresult.ErrorInvalidValue)
                    throw new InvalidOperationException($"Kernel {f.Name} (kernels/{f.Module}) takes {i} parameters but was launched with {args.Length} ({Describe(args)}).");
                Check(r, $"cuFuncGetParamInfo({f.Name}, {i})");
                if ((int)size != args[i].Size)
                    throw new InvalidOperationException($"Kernel {f.Name} (kernels/{f.Module}): parameter {i} is {size} bytes but the launch passes a {args[i].Type} ({args[i].Size} bytes); arguments ({Describe(args)}).");
            }
            CUresult extra = backend.Api.cuFuncGetParamInfo(f.Handle, (nuint)args.Length, out _, out _);
            if (extra == CUresult.Success)
                throw new InvalidOperationException($"Kernel {f.Name} (kernels/{f.Module}) takes more than the {args.Length} parameters it was launched with ({Describe(args)}).");
        }
        catch (EntryPointNotFoundException) { }
        f.Validated = true;
    }

    private static string Describe(ReadOnlySpan<KernelArg> args)
    {
        var parts = new string[args.Length];
        for (int i = 0; i < args.Length; i++) parts[i] = args[i].Type;
        return string.Join(", ", parts);
    }
}
