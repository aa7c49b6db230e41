using System.Text;

namespace RawGan.GpuEmulator.Ptx;

internal enum PtxTokenKind : byte { Word, Punct, End }

/// <summary>A word (identifier, directive, opcode with its modifiers, register, number) or one punctuation
/// character, with the line it starts on and its offset in the comment-free source.</summary>
internal readonly record struct PtxToken(PtxTokenKind Kind, string Text, int Line, int Position)
{
    public bool Is(string punct) => Kind == PtxTokenKind.Punct && Text == punct;
    public override string ToString() => Kind == PtxTokenKind.End ? "end of file" : $"'{Text}'";
}

/// <summary>Splits PTX text into tokens. Comments (<c>//</c> to the end of the line, <c>/* … */</c>) are dropped;
/// words are runs of letters, digits and <c>_ $ % .</c>, so <c>add.rn.f32</c>, <c>%tid.x</c>, <c>0f3F800000</c> and
/// <c>7.8</c> are single words. Anything else outside comments is a parse error.</summary>
internal static class PtxLexer
{
    private const string Punctuation = ",;:()[]{}<>+-|!@=";

    /// <summary>Returns the tokens (ending with an End token) and the source with comments replaced by spaces,
    /// from which instruction texts are cut.</summary>
    public static (List<PtxToken> Tokens, string Clean) Tokenize(string text, string file)
    {
        string clean = StripComments(text, file);
        var tokens = new List<PtxToken>();
        int line = 1;
        for (int i = 0; i < clean.Length;)
        {
            char c = clean[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (IsWordChar(c))
            {
                int start = i;
                while (i < clean.Length && (IsWordChar(clean[i]) || IsExponentSign(clean, start, i))) i++;
                tokens.Add(new PtxToken(PtxTokenKind.Word, clean[start..i], line, start));
                continue;
            }
            if (Punctuation.Contains(c))
            {
                tokens.Add(new PtxToken(PtxTokenKind.Punct, c.ToString(), line, i));
                i++;
                continue;
            }
            throw new PtxParseException(file, line, $"unexpected character '{c}' (U+{(int)c:X4})");
        }
        tokens.Add(new PtxToken(PtxTokenKind.End, "", line, clean.Length));
        return (tokens, clean);
    }

    /// <summary>The sign of a decimal float's exponent (<c>1.5e-3</c>) belongs to the number.</summary>
    private static bool IsExponentSign(string s, int start, int i) =>
        s[i] is '+' or '-' && char.IsAsciiDigit(s[start]) && s[i - 1] is 'e' or 'E'
        && !(i - start > 1 && s[start] == '0' && s[start + 1] is 'x' or 'X' or 'f' or 'F' or 'd' or 'D');

    private static bool IsWordChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
        or '_' or '$' or '%' or '.';

    /// <summary>Replaces comments by spaces (keeping newlines, so line numbers and offsets stay valid).</summary>
    private static string StripComments(string text, string file)
    {
        var sb = new StringBuilder(text.Length);
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n') { sb.Append(' '); i++; }
                i--;
                continue;
            }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int startLine = line;
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) throw new PtxParseException(file, startLine, "unterminated /* comment");
                for (; i < end + 2; i++)
                {
                    if (text[i] == '\n') { sb.Append('\n'); line++; }
                    else sb.Append(' ');
                }
                i--;
                continue;
            }
            if (c == '\n') line++;
            sb.Append(c);
        }
        return sb.ToString();
    }
}
