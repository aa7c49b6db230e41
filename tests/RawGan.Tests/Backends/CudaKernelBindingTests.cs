using System.Reflection;
using System.Text.RegularExpressions;
using RawGan.Backends.Cuda;

namespace RawGan.Tests.Backends;

/// <summary>Every kernel the CUDA backend binds exists in the embedded PTX with exactly the parameter types it
/// passes, and the driver gets each module as the JIT accepts it. Checked from the PTX text, without a GPU.</summary>
public sealed partial class CudaKernelBindingTests
{
    [GeneratedRegex(@"\.visible\s+\.entry\s+(\w+)\s*\(([^)]*)\)")]
    private static partial Regex EntryRegex();

    [GeneratedRegex(@"^\s*\.param\s+(?:\.align\s+\d+\s+)?\.(\w+)\s+\w+(\[\d+\])?\s*$")]
    private static partial Regex ParamRegex();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex CommentRegex();

    /// <summary>entry name → parameter types, for one PTX file.</summary>
    internal static Dictionary<string, string[]> Entries(string ptx)
    {
        var entries = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (Match m in EntryRegex().Matches(CommentRegex().Replace(ptx, "")))
        {
            string list = m.Groups[2].Value.Trim();
            string[] types = list.Length == 0 ? [] : list.Split(',').Select(p =>
            {
                Match pm = ParamRegex().Match(p);
                Assert.True(pm.Success, $"Unparsed parameter '{p.Trim()}' of entry {m.Groups[1].Value}.");
                return pm.Groups[2].Success ? $"{pm.Groups[1].Value}{pm.Groups[2].Value}" : pm.Groups[1].Value;
            }).ToArray();
            entries[m.Groups[1].Value] = types;
        }
        return entries;
    }

    /// <summary>Every KernelSpec the backend declares (static fields of type KernelSpec or KernelSpec[]).</summary>
    internal static IEnumerable<KernelSpec> Specs() =>
        typeof(CudaBackend).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(CudaBackend).Namespace)
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .SelectMany(f => f.GetValue(null) switch
            {
                KernelSpec s => [s],
                KernelSpec[] a => a,
                _ => Array.Empty<KernelSpec>(),
            });

    [Fact]
    public void Every_bound_kernel_exists_with_the_parameter_types_passed()
    {
        var specs = Specs().ToList();
        Assert.NotEmpty(specs);
        var problems = new List<string>();
        foreach (var file in specs.GroupBy(s => s.File))
        {
            string? ptx = KernelModules.ReadSpliced(file.Key);
            if (ptx is null)
            {
                problems.Add($"kernels/{file.Key} is not embedded (bound by {string.Join(", ", file.Select(s => s.Entry))})");
                continue;
            }
            Dictionary<string, string[]> entries = Entries(ptx);
            foreach (KernelSpec spec in file)
            {
                if (!entries.TryGetValue(spec.Entry, out string[]? declared))
                    problems.Add($"{spec}: no such entry in kernels/{spec.File}");
                else if (!declared.SequenceEqual(spec.Params))
                    problems.Add($"{spec}: the PTX declares ({string.Join(", ", declared)})");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_driver_gets_each_kernel_without_comments_in_ascii_with_its_line_numbers()
    {
        // The CUDA 13 JIT refuses any byte above 127, comments included (an H200, 2026-11-30).
        string ptx = "// x.ptx \u2014 header\n.version 7.8 // \u2264 1 ulp\n\t// only a comment\nret;";
        Assert.Equal("// x.ptx\n.version 7.8\n\nret;\n\0", System.Text.Encoding.ASCII.GetString(KernelModules.JitImage("x.ptx", ptx)));
        Assert.Contains("line 2", Assert.Throws<InvalidOperationException>(() => KernelModules.JitImage("y.ptx", "\n.reg .f32 %\u00e9;")).Message);
        foreach (string file in KernelModules.EmbeddedFiles())
        {
            byte[] image = KernelModules.JitImage(file, KernelModules.ReadSpliced(file)!);
            Assert.All(image, b => Assert.True(b < 128, $"{file}: byte {b}"));
            Assert.Equal(KernelModules.ReadSpliced(file)!.Split('\n').Length, image.Count(b => b == '\n'));
        }
    }

    [Fact]
    public void Every_kernel_file_in_the_repository_is_embedded()
    {
        string? repo = RepositoryRoot();
        Assert.SkipWhen(repo is null, "the repository's kernels/ folder is not beside this test assembly (a bundle)");
        string[] files = Directory.GetFiles(Path.Combine(repo!, "kernels"), "*.ptx").Select(Path.GetFileName).OfType<string>().Order().ToArray();
        Assert.Equal(files, KernelModules.EmbeddedFiles().ToArray());
        foreach (string f in files.Append(PtxSplice.HelpersFile))
            Assert.Equal(File.ReadAllText(Path.Combine(repo!, "kernels", f)), KernelModules.ReadEmbedded(f));
    }

    private static string? RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "kernels")) && File.Exists(Path.Combine(d.FullName, "RawGan.sln")))
                return d.FullName;
        return null;
    }
}
