using System.Text.RegularExpressions;

namespace RawGan.Backends.Cuda;

/// <summary>
/// The include step between a kernel file and what ptxas or the driver's JIT is given. PTX has no #include, so the
/// helpers several kernel files call are written once, in kernels/common.ptxinc, each between a line
/// <c>//@helper NAME</c> and a line <c>//@end NAME</c>; a kernel file names one with a line <c>//@include NAME</c>,
/// which is replaced by that block, marker lines included (they are comments). Lines below an include move down by
/// the block's length less one, so a line number in a ptxas or JIT message is one of the spliced text. tools/check-ptx.sh
/// splices the same way (a test compares the two on every kernel) and prints the spliced text with <c>--spliced FILE</c>.
/// </summary>
internal static partial class PtxSplice
{
    /// <summary>The file of helper blocks, in kernels/ beside the modules (not a module itself).</summary>
    public const string HelpersFile = "common.ptxinc";

    [GeneratedRegex("^//@include ([A-Za-z0-9_]+)$")]
    private static partial Regex IncludeLine();

    [GeneratedRegex("^//@helper ([A-Za-z0-9_]+)$")]
    private static partial Regex HelperLine();

    /// <summary>The module text of kernels/<paramref name="file"/> (<paramref name="ptx"/>) with each include line
    /// replaced by its block of <paramref name="helpers"/> (the text of kernels/common.ptxinc).</summary>
    public static string Expand(string file, string ptx, string helpers)
    {
        Dictionary<string, string> blocks = Blocks(helpers);
        string[] lines = ptx.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Match include = IncludeLine().Match(lines[i]);
            if (!include.Success) continue;
            string name = include.Groups[1].Value;
            lines[i] = blocks.TryGetValue(name, out string? block) ? block
                : throw new InvalidOperationException($"kernels/{file} line {i + 1}: no helper named {name} in kernels/{HelpersFile}.");
        }
        return string.Join('\n', lines);
    }

    /// <summary>helper name → its block, from its //@helper line to its //@end line.</summary>
    private static Dictionary<string, string> Blocks(string helpers)
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines = helpers.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Match helper = HelperLine().Match(lines[i]);
            if (!helper.Success) continue;
            string name = helper.Groups[1].Value;
            int end = Array.IndexOf(lines, "//@end " + name, i + 1);
            if (end < 0) throw new InvalidOperationException($"kernels/{HelpersFile} line {i + 1}: //@helper {name} has no //@end {name}.");
            if (!blocks.TryAdd(name, string.Join('\n', lines[i..(end + 1)])))
                throw new InvalidOperationException($"kernels/{HelpersFile} line {i + 1}: a second helper named {name}.");
            i = end;
        }
        return blocks;
    }
}
