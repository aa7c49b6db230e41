using System.Text;
using System.Text.RegularExpressions;

namespace RawGan.Cli;

/// <summary>Error text as a user reads it: one line, no control characters (a decoder's NULs, a file name's
/// escape codes must not reach a terminal), and no .NET internals (type names, "(Parameter 'x')").</summary>
internal static partial class UserMessages
{
    /// <summary>The message of an exception a command stops on.</summary>
    public static string Of(Exception e)
    {
        string message = e.Message;
        // ArgumentException appends " (Parameter 'name')": the C# parameter, which means nothing to a user.
        if (e is ArgumentException { ParamName: { } name })
            message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        return Clean(message);
    }

    /// <summary><paramref name="message"/> with line breaks and tabs as spaces, other control characters dropped,
    /// and the parser's .NET type names ("as expected type 'System.Double'") said as the kind of value wanted.</summary>
    public static string Clean(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (char c in message)
        {
            if (c is '\n' or '\r' or '\t') text.Append(' ');
            else if (!char.IsControl(c)) text.Append(c);
        }
        return ExpectedType().Replace(text.ToString().Trim(), m => $": it takes {Kind(m.Groups["type"].Value)}");
    }

    private static string Kind(string type) => type switch
    {
        "Int32" or "Int64" => "a whole number",
        "UInt32" or "UInt64" => "a non-negative whole number",
        "Double" or "Single" => "a number",
        "Boolean" => "true or false",
        _ => "another kind of value",
    };

    // System.CommandLine: "Cannot parse argument 'x' for option '--lr' as expected type 'System.Double'.", and for
    // int? options 'System.Nullable`1[System.Int32]'; the sentence's full stop is kept.
    [GeneratedRegex(@" as expected type 'System\.(?:Nullable`1\[System\.)?(?<type>[\w.]+?)\]?'")]
    private static partial Regex ExpectedType();
}
