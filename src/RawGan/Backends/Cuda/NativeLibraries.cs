using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace RawGan.Backends.Cuda;

/// <summary>Where one native library was found, or everything that was tried.</summary>
public sealed record NativeLibraryReport(string Name, string? LoadedFrom, IReadOnlyList<string> Tried, IReadOnlyList<string> Companions)
{
    public bool Found => LoadedFrom is not null;

    public override string ToString() => Found
        ? $"{Name}: {LoadedFrom}"
        : $"{Name}: not found; tried {(Tried.Count == 0 ? "nothing" : string.Join("; ", Tried))}";
}

/// <summary>
/// Finds libcuda, cuBLAS and cuDNN and binds <see cref="Interop"/>'s logical library names to them. For each library,
/// in order: the folders in <c>RAWGAN_CUDA_LIBS</c> (a path-separator list), the system loader (LD_LIBRARY_PATH,
/// ldconfig), the driver's usual folders (libcuda only), then the <c>nvidia/*/lib</c> folders of Python
/// site-packages, where pip's nvidia-cublas and nvidia-cudnn wheels put <c>libcublas.so.13</c> and
/// <c>libcudnn.so.9</c>. A library found in a folder has its companions loaded first by full path
/// (libcublasLt before libcublas; every libcudnn_*.so.9 before libcudnn.so.9, because cuDNN 9 dlopens its
/// sub-libraries by name and that only finds them when they are already loaded or on the loader's path).
/// Each library is searched for once per process; the outcome is kept for <c>rawgan info</c>.
/// </summary>
public static class NativeLibraries
{
    /// <summary>The environment variable naming folders to search first.</summary>
    public const string EnvironmentVariable = "RAWGAN_CUDA_LIBS";

    private static readonly Lazy<Loaded> DriverLib = new(LoadDriver);
    private static readonly Lazy<Loaded> CublasLib = new(LoadCublas);
    private static readonly Lazy<Loaded> CudnnLib = new(LoadCudnn);
    private static readonly Lazy<IReadOnlyList<string>> PythonLibFolders = new(FindPythonNvidiaFolders);
    private static int _resolverState; // 0 not installed, 1 installed, 2 refused (another resolver was set first)
    private static string? _resolverError;

    private sealed record Loaded(nint Handle, NativeLibraryReport Report);

    public static NativeLibraryReport Driver => DriverLib.Value.Report;
    public static NativeLibraryReport Cublas => CublasLib.Value.Report;
    public static NativeLibraryReport Cudnn => CudnnLib.Value.Report;

    internal static nint DriverHandle => DriverLib.Value.Handle;
    internal static nint CublasHandle => CublasLib.Value.Handle;
    internal static nint CudnnHandle => CudnnLib.Value.Handle;

    /// <summary>Set when the assembly already had a DllImport resolver (then the default loader is used).</summary>
    public static string? ResolverError => _resolverError;

    /// <summary>Routes the logical names in <see cref="Interop"/> to the libraries found here. Cheap; loads nothing.</summary>
    internal static void InstallResolver()
    {
        if (Interlocked.CompareExchange(ref _resolverState, 1, 0) != 0) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
        }
        catch (InvalidOperationException e)
        {
            _resolverState = 2;
            _resolverError = $"could not install the native library resolver ({e.Message}); the system loader's defaults apply";
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        Interop.DriverLibrary => DriverLib.Value.Handle,
        Interop.CublasLibrary => CublasLib.Value.Handle,
        Interop.CudnnLibrary => CudnnLib.Value.Handle,
        _ => 0,
    };

    // ---- the three searches ------------------------------------------------------------------------------------
    private static readonly string[] DriverFolders =
        ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/wsl/lib", "/usr/lib/aarch64-linux-gnu"];

    private static Loaded LoadDriver()
    {
        var tried = new List<string>();
        string[] names = ["libcuda.so.1"];
        foreach (string folder in EnvFolders())
            if (TryFolder(folder, names, tried, _ => []) is { } hit) return hit;
        if (TrySystem(names, tried, _ => []) is { } sys) return sys;
        foreach (string folder in DriverFolders)
            if (TryFolder(folder, names, tried, _ => []) is { } hit) return hit;
        return new Loaded(0, new NativeLibraryReport("libcuda", null, tried, []));
    }

    private static Loaded LoadCublas()
    {
        var tried = new List<string>();
        string[] names = ["libcublas.so.13", "libcublas.so.12"];
        // libcublas.so.N needs libcublasLt.so.N (DT_NEEDED): load it first from the same folder.
        static string[] Companions(string name) => [name.Replace("libcublas.", "libcublasLt.", StringComparison.Ordinal)];
        foreach (string folder in EnvFolders())
            if (TryFolder(folder, names, tried, Companions) is { } hit) return hit;
        if (TrySystem(names, tried, Companions) is { } sys) return sys;
        foreach (string folder in PythonLibFolders.Value)
            if (TryFolder(folder, names, tried, Companions) is { } hit) return hit;
        if (PythonLibFolders.Value.Count == 0) tried.Add("no Python site-packages with nvidia/*/lib folders were found");
        return new Loaded(0, new NativeLibraryReport("libcublas", null, tried, []));
    }

    private static Loaded LoadCudnn()
    {
        // cuDNN's engines call cuBLAS(Lt), and its runtime-compiled engines NVRTC: have ours loaded first. NVRTC
        // is taken from cuBLAS's folder (CUDA 13 wheels put both in nvidia/cu13/lib), of cuBLAS's major version.
        NativeLibraryReport cublas = CublasLib.Value.Report;
        var early = new List<string>();
        if (cublas.LoadedFrom is { } cublasPath && Path.IsPathRooted(cublasPath) && File.Exists(cublasPath))
        {
            string major = cublasPath[(cublasPath.LastIndexOf(".so.", StringComparison.Ordinal) + 4)..];
            string nvrtc = Path.Combine(Path.GetDirectoryName(cublasPath)!, $"libnvrtc.so.{major}");
            PreloadAll([nvrtc], early);
        }
        var tried = new List<string>();
        string[] names = ["libcudnn.so.9"];
        foreach (string folder in EnvFolders())
            if (TryFolder(folder, names, tried, _ => CudnnSubLibraries(folder)) is { } hit) return WithEarly(hit, early);
        if (TrySystem(names, tried, _ => []) is { } sys)
        {
            // Found by name: its sub-libraries sit beside it; preload them from there too (harmless if on the path).
            if (Path.GetDirectoryName(LoadedPath("libcudnn.so.9") ?? "") is { Length: > 0 } dir)
            {
                var companions = new List<string>();
                PreloadAll(CudnnSubLibraries(dir), companions);
                return WithEarly(sys with { Report = sys.Report with { Companions = companions } }, early);
            }
            return WithEarly(sys, early);
        }
        foreach (string folder in PythonLibFolders.Value)
            if (TryFolder(folder, names, tried, _ => CudnnSubLibraries(folder)) is { } hit) return WithEarly(hit, early);
        if (PythonLibFolders.Value.Count == 0) tried.Add("no Python site-packages with nvidia/*/lib folders were found");
        return new Loaded(0, new NativeLibraryReport("libcudnn", null, tried, []));
    }

    private static Loaded WithEarly(Loaded l, List<string> early) =>
        early.Count == 0 ? l : l with { Report = l.Report with { Companions = [.. early, .. l.Report.Companions] } };

    /// <summary>cuDNN 9's sub-libraries in dependency order (graph, ops, cnn, adv, engines, heuristic), then any
    /// others present; given as names relative to <paramref name="folder"/>.</summary>
    private static string[] CudnnSubLibraries(string folder)
    {
        string[] preferred = ["libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9",
            "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9", "libcudnn_heuristic.so.9"];
        string[] present;
        try
        {
            present = Directory.GetFiles(folder, "libcudnn_*.so.9").Select(Path.GetFileName).OfType<string>().ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { present = []; }
        return preferred.Where(present.Contains).Concat(present.Except(preferred).Order(StringComparer.Ordinal))
            .Select(n => Path.Combine(folder, n)).ToArray();
    }

    // ---- loading helpers ---------------------------------------------------------------------------------------
    private static Loaded? TryFolder(string folder, string[] names, List<string> tried, Func<string, string[]> companions)
    {
        foreach (string name in names)
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                tried.Add($"{path} (absent)");
                continue;
            }
            var loadedCompanions = new List<string>();
            PreloadAll(companions(name).Select(c => Path.IsPathRooted(c) ? c : Path.Combine(folder, c)).ToArray(), loadedCompanions);
            try
            {
                nint handle = NativeLibrary.Load(path);
                return new Loaded(handle, new NativeLibraryReport(name, path, tried, loadedCompanions));
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                tried.Add($"{path} ({OneLine(e.Message)})");
            }
        }
        return null;
    }

    private static Loaded? TrySystem(string[] names, List<string> tried, Func<string, string[]> companions)
    {
        foreach (string name in names)
        {
            var loadedCompanions = new List<string>();
            foreach (string c in companions(name))
                if (NativeLibrary.TryLoad(c, out _)) loadedCompanions.Add($"{c} (system loader)");
            try
            {
                nint handle = NativeLibrary.Load(name);
                string where = LoadedPath(name) is { } p ? $"{p} (system loader)" : $"{name} (system loader)";
                return new Loaded(handle, new NativeLibraryReport(name, where, tried, loadedCompanions));
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                tried.Add($"{name} via the system loader (not found)");
            }
        }
        return null;
    }

    /// <summary>Loads full paths, repeating passes while any succeeds, so dependency order sorts itself out.
    /// Records each outcome in <paramref name="report"/>.</summary>
    private static void PreloadAll(string[] paths, List<string> report)
    {
        var pending = paths.Where(File.Exists).ToList();
        var errors = new Dictionary<string, string>();
        bool progress = true;
        while (pending.Count > 0 && progress)
        {
            progress = false;
            foreach (string p in pending.ToArray())
            {
                try
                {
                    NativeLibrary.Load(p);
                    report.Add(p);
                    pending.Remove(p);
                    progress = true;
                }
                catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
                {
                    errors[p] = OneLine(e.Message);
                }
            }
        }
        foreach (string p in pending) report.Add($"{p} (not loaded: {errors.GetValueOrDefault(p, "?")})");
    }

    /// <summary>The file a library loaded by name came from, read from /proc/self/maps.</summary>
    private static string? LoadedPath(string fileName)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                string path = line[slash..];
                if (Path.GetFileName(path).StartsWith(fileName, StringComparison.Ordinal)) return path;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    private static IEnumerable<string> EnvFolders() =>
        (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // ---- Python site-packages ----------------------------------------------------------------------------------
    /// <summary>Every <c>nvidia/*/lib</c> folder (and <c>torch/lib</c>) under the site-packages folders of the
    /// usual Python locations; as a last resort, asks python3 where the nvidia package is.</summary>
    private static IReadOnlyList<string> FindPythonNvidiaFolders()
    {
        var result = new List<string>();
        foreach (string sitePackages in SitePackagesCandidates().Distinct(StringComparer.Ordinal))
            AddNvidiaLibs(sitePackages, result);
        if (result.Count == 0 && AskPython() is { } fromPython) AddNvidiaLibs(fromPython, result);
        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void AddNvidiaLibs(string sitePackages, List<string> into)
    {
        try
        {
            string nvidia = Path.Combine(sitePackages, "nvidia");
            if (Directory.Exists(nvidia))
            {
                // cu13 wheels put their libraries in nvidia/cu13/lib; cuDNN in nvidia/cudnn/lib.
                foreach (string dir in Directory.GetDirectories(nvidia).Order(StringComparer.Ordinal))
                {
                    string lib = Path.Combine(dir, "lib");
                    if (Directory.Exists(lib)) into.Add(lib);
                }
            }
            string torchLib = Path.Combine(sitePackages, "torch", "lib");
            if (Directory.Exists(torchLib)) into.Add(torchLib);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static IEnumerable<string> SitePackagesCandidates()
    {
        var prefixes = new List<string>();
        foreach (string env in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
            if (Environment.GetEnvironmentVariable(env) is { Length: > 0 } p) prefixes.Add(p);
        // The python3 on PATH: its venv (bin/..) and, through symlinks, its base installation.
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string exe = Path.Combine(dir, "python3");
            if (!File.Exists(exe)) continue;
            if (Path.GetDirectoryName(Path.GetFullPath(dir)) is { } venv) prefixes.Add(venv);
            try
            {
                if (new FileInfo(exe).ResolveLinkTarget(returnFinalTarget: true)?.FullName is { } real &&
                    Path.GetDirectoryName(Path.GetDirectoryName(real)) is { } basePrefix)
                    prefixes.Add(basePrefix);
            }
            catch (IOException) { }
            break;
        }
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0) prefixes.Add(Path.Combine(home, ".local"));
        prefixes.AddRange(["/usr/local", "/usr", "/opt/conda", "/opt/venv"]);

        foreach (string prefix in prefixes)
        foreach (string libDir in new[] { "lib", "lib64" })
        {
            string root = Path.Combine(prefix, libDir);
            string[] pythons;
            try { pythons = Directory.Exists(root) ? Directory.GetDirectories(root, "python3*") : []; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (string py in pythons.OrderDescending(StringComparer.Ordinal))
            foreach (string kind in new[] { "site-packages", "dist-packages" })
            {
                string sp = Path.Combine(py, kind);
                if (Directory.Exists(sp)) yield return sp;
            }
        }
        if (Directory.Exists("/usr/lib/python3/dist-packages")) yield return "/usr/lib/python3/dist-packages";
    }

    /// <summary>python3 -c "import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))", ten seconds at most.</summary>
    private static string? AskPython()
    {
        try
        {
            var psi = new ProcessStartInfo("python3")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))");
            using Process? p = Process.Start(psi);
            if (p is null) return null;
            Task<string> output = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(10_000))
            {
                try { p.Kill(); } catch (InvalidOperationException) { }
                return null;
            }
            string dir = output.Result.Trim();
            return p.ExitCode == 0 && Directory.Exists(dir) ? dir : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
