using System.Text.RegularExpressions;

namespace RawGan.GpuEmulator.Ptx;

/// <summary>Reads the structure of a PTX module: header directives, module-level <c>.shared</c> arrays, and
/// <c>.entry</c> / <c>.func</c> definitions with their register declarations, labels, branch tables and
/// instruction statements (operands parsed, not yet decoded). Anything else is a <see cref="PtxParseException"/>.</summary>
internal sealed partial class PtxParser
{
    private readonly string _file;
    private readonly string _clean;
    private readonly List<PtxToken> _tokens;
    private int _pos;

    public List<PtxFunctionSource> Functions { get; } = [];
    public List<PtxSharedSymbol> Shared { get; } = [];

    private PtxParser(string text, string file)
    {
        _file = file;
        (_tokens, _clean) = PtxLexer.Tokenize(text, file);
    }

    public static PtxParser Parse(string text, string file)
    {
        var parser = new PtxParser(text, file);
        parser.ParseModule();
        return parser;
    }

    private PtxToken Peek(int ahead = 0) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];
    private PtxToken Next() => _tokens[Math.Min(_pos++, _tokens.Count - 1)];
    private PtxParseException Error(PtxToken at, string message) => new(_file, at.Line, message);

    private void Expect(string punct)
    {
        PtxToken t = Next();
        if (!t.Is(punct)) throw Error(t, $"expected '{punct}' but found {t}");
    }

    private string ExpectWord(string what)
    {
        PtxToken t = Next();
        if (t.Kind != PtxTokenKind.Word) throw Error(t, $"expected {what} but found {t}");
        return t.Text;
    }

    private long ExpectInteger(string what)
    {
        PtxToken t = Next();
        if (t.Kind != PtxTokenKind.Word || !PtxLiterals.TryParseInteger(t.Text, out ulong value) || value > int.MaxValue)
            throw Error(t, $"expected {what} (a non-negative integer) but found {t}");
        return (long)value;
    }

    private PtxType ExpectType(string what)
    {
        PtxToken t = Next();
        if (t.Kind != PtxTokenKind.Word || !PtxTypes.TryParse(t.Text, out PtxType type))
            throw Error(t, $"expected {what} type but found {t}");
        return type;
    }

    // ---------------------------------------------------------------------------------------------- module level

    private void ParseModule()
    {
        while (Peek().Kind != PtxTokenKind.End)
        {
            PtxToken t = Peek();
            switch (t.Text)
            {
                case ".version":
                    Next();
                    string version = ExpectWord("a version");
                    if (!VersionPattern().IsMatch(version)) throw Error(t, $".version {version} is not of the form N.M");
                    break;
                case ".target":
                    Next();
                    ExpectWord("a target");
                    while (Peek().Is(",")) { Next(); ExpectWord("a target"); }
                    break;
                case ".address_size":
                    Next();
                    if (ExpectInteger("an address size") != 64) throw Error(t, "only .address_size 64 is supported");
                    break;
                case ".shared":
                case ".extern":
                    ParseShared();
                    break;
                case ".visible":
                case ".entry":
                case ".func":
                    ParseFunction();
                    break;
                default:
                    throw Error(t, $"unsupported module-level statement starting with {t}");
            }
        }
    }

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex VersionPattern();

    /// <summary><c>{.extern} .shared {.align N} .type name[count];</c> (<c>[]</c> only with .extern).</summary>
    private void ParseShared()
    {
        PtxToken start = Peek();
        bool isExtern = false;
        if (Peek().Text == ".extern") { Next(); isExtern = true; }
        if (Next().Text != ".shared") throw Error(start, ".extern is only supported for .shared arrays");
        int align = 0;
        if (Peek().Text == ".align")
        {
            Next();
            align = (int)ExpectInteger("an alignment");
            if (align == 0 || (align & (align - 1)) != 0) throw Error(start, $".align {align} is not a power of two");
        }
        PtxType type = ExpectType("an element");
        if (type == PtxType.Pred) throw Error(start, ".shared .pred is not supported");
        string name = ExpectWord("a name");
        CheckIdentifier(start, name);
        if (!Peek().Is("[")) throw Error(start, $".shared {name} must be an array: name[count]");
        Next();
        long count = -1;
        if (!Peek().Is("]")) count = ExpectInteger("an element count");
        Expect("]");
        if (isExtern != (count < 0))
            throw Error(start, isExtern ? ".extern .shared arrays are declared with []" : $".shared {name} needs an element count");
        Expect(";");
        if (align == 0) align = type.Size();
        if (Shared.Any(s => s.Name == name)) throw Error(start, $".shared {name} is declared twice");
        Shared.Add(new PtxSharedSymbol(name, type, count, align, isExtern, start.Line));
    }

    private void CheckIdentifier(PtxToken at, string name)
    {
        if (!IdentifierPattern().IsMatch(name)) throw Error(at, $"'{name}' is not a valid identifier");
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9_$]*|[_$%][A-Za-z0-9_$]+)$")]
    private static partial Regex IdentifierPattern();

    // ---------------------------------------------------------------------------------------------- functions

    private void ParseFunction()
    {
        PtxToken start = Peek();
        if (Peek().Text == ".visible") Next();
        string kind = ExpectWord(".entry or .func");
        if (kind is not (".entry" or ".func")) throw Error(start, $"expected .entry or .func after .visible, found '{kind}'");
        bool isEntry = kind == ".entry";

        var returns = new List<PtxVariable>();
        if (!isEntry && Peek().Is("(")) returns = ParseParameterList(".reg");
        string name = ExpectWord("a function name");
        CheckIdentifier(start, name);
        if (Functions.Any(f => f.Name == name)) throw Error(start, $"'{name}' is defined twice");
        var function = new PtxFunctionSource(name, isEntry, start.Line);
        function.Returns.AddRange(returns);
        if (Peek().Is("(")) function.Parameters.AddRange(ParseParameterList(isEntry ? ".param" : ".reg"));

        while (Peek().Text is ".maxntid" or ".reqntid")
        {
            PtxToken directive = Next();
            int x = (int)ExpectInteger("a thread count");
            while (Peek().Is(","))
            {
                Next();
                if (ExpectInteger("a thread count") != 1)
                    throw Error(directive, $"{directive.Text} with a y or z extent other than 1 is not supported");
            }
            if (directive.Text == ".maxntid") function.MaxThreads = x; else function.RequiredThreads = x;
        }
        if (Peek().Is(";")) throw Error(start, $"'{name}': function declarations without a body are not supported");
        Expect("{");
        ParseBody(function);
        Functions.Add(function);
    }

    /// <summary><c>( .space .type name, … )</c> where space is <paramref name="space"/>.</summary>
    private List<PtxVariable> ParseParameterList(string space)
    {
        var list = new List<PtxVariable>();
        Expect("(");
        while (!Peek().Is(")"))
        {
            PtxToken t = Next();
            if (t.Text != space)
                throw Error(t, space == ".reg"
                    ? $"only .reg parameters are supported in a .func signature, found {t}"
                    : $"only .param parameters are supported in an .entry signature, found {t}");
            PtxType type = ExpectType("a parameter");
            if (!type.IsSupportedScalar()) throw Error(t, $"parameter type .{type.Name()} is not supported");
            string name = ExpectWord("a parameter name");
            CheckIdentifier(t, name);
            if (Peek().Is("[")) throw Error(t, $"array parameter '{name}' is not supported");
            if (list.Any(p => p.Name == name)) throw Error(t, $"parameter '{name}' is declared twice");
            list.Add(new PtxVariable(name, type, t.Line));
            if (!Peek().Is(")")) Expect(",");
        }
        Expect(")");
        return list;
    }

    private void ParseBody(PtxFunctionSource function)
    {
        while (true)
        {
            PtxToken t = Peek();
            if (t.Kind == PtxTokenKind.End) throw Error(t, $"'{function.Name}' has no closing '}}'");
            if (t.Is("}")) { Next(); function.EndLine = t.Line; return; }
            if (t.Is("{")) throw Error(t, "nested { } scopes are not supported");
            if (t.Text == ".reg") { ParseRegisters(function); continue; }
            if (t.Kind == PtxTokenKind.Word && Peek(1).Is(":"))
            {
                Next(); Next();
                CheckIdentifier(t, t.Text);
                if (Peek().Text == ".branchtargets") { ParseBranchTable(function, t); continue; }
                function.Body.Add(new PtxLabel(t.Text, t.Line));
                continue;
            }
            if (t.Kind == PtxTokenKind.Word && t.Text.StartsWith('.'))
                throw Error(t, $"unsupported directive {t} inside '{function.Name}'");
            function.Body.Add(ParseStatement());
        }
    }

    /// <summary><c>.reg .type %a, %b&lt;4&gt;, …;</c></summary>
    private void ParseRegisters(PtxFunctionSource function)
    {
        PtxToken start = Next();
        PtxType type = ExpectType("a register");
        if (!type.IsSupportedScalar()) throw Error(start, $".reg .{type.Name()} is not supported (only .pred and 32/64-bit types)");
        while (true)
        {
            string name = ExpectWord("a register name");
            CheckIdentifier(start, name);
            if (Peek().Is("<"))
            {
                Next();
                long n = ExpectInteger("a register count");
                Expect(">");
                for (int i = 0; i < n; i++) function.Registers.Add(new PtxVariable(name + i, type, start.Line));
            }
            else function.Registers.Add(new PtxVariable(name, type, start.Line));
            if (Peek().Is(";")) { Next(); return; }
            Expect(",");
        }
    }

    private void ParseBranchTable(PtxFunctionSource function, PtxToken label)
    {
        Next(); // .branchtargets
        var targets = new List<string> { ExpectWord("a label") };
        while (Peek().Is(",")) { Next(); targets.Add(ExpectWord("a label")); }
        Expect(";");
        if (!function.BranchTables.TryAdd(label.Text, (targets, label.Line)))
            throw Error(label, $"branch table '{label.Text}' is declared twice");
    }

    // ---------------------------------------------------------------------------------------------- statements

    private PtxStatement ParseStatement()
    {
        PtxToken first = Peek();
        string? guard = null;
        bool negated = false;
        if (first.Is("@"))
        {
            Next();
            if (Peek().Is("!")) { Next(); negated = true; }
            guard = ExpectWord("a guard predicate");
        }
        PtxToken opcode = Next();
        if (opcode.Kind != PtxTokenKind.Word) throw Error(opcode, $"expected an instruction but found {opcode}");
        var operands = new List<PtxOperand>();
        if (!Peek().Is(";"))
        {
            operands.Add(ParseOperand());
            while (Peek().Is(",")) { Next(); operands.Add(ParseOperand()); }
        }
        PtxToken end = Next();
        if (!end.Is(";")) throw Error(end, $"expected ';' or ',' after an operand of '{opcode.Text}' but found {end}");
        string text = string.Join(' ', _clean[first.Position..(end.Position + 1)]
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return new PtxStatement(first.Line, text, guard, negated, opcode.Text, operands);
    }

    private PtxOperand ParseOperand()
    {
        PtxToken t = Next();
        if (t.Is("{")) return new PtxVectorOperand(ParseItems("}"));
        if (t.Is("(")) return new PtxListOperand(ParseItems(")"));
        if (t.Is("[")) return ParseAddress(t);
        if (t.Is("!")) return new PtxNotOperand(ExpectWord("a predicate"));
        if (t.Is("-"))
        {
            PtxToken n = Next();
            if (n.Kind != PtxTokenKind.Word || !char.IsAsciiDigit(n.Text[0])) throw Error(t, $"expected a number after '-' but found {n}");
            return new PtxLiteralOperand(n.Text, true);
        }
        if (t.Kind != PtxTokenKind.Word) throw Error(t, $"expected an operand but found {t}");
        if (char.IsAsciiDigit(t.Text[0])) return new PtxLiteralOperand(t.Text, false);
        if (Peek().Is("|"))
        {
            Next();
            return new PtxPairOperand(t.Text, ExpectWord("a predicate"));
        }
        return new PtxNameOperand(t.Text);
    }

    private List<PtxOperand> ParseItems(string close)
    {
        var items = new List<PtxOperand>();
        if (Peek().Is(close)) { Next(); return items; }
        items.Add(ParseOperand());
        while (Peek().Is(",")) { Next(); items.Add(ParseOperand()); }
        Expect(close);
        return items;
    }

    /// <summary><c>[base]</c>, <c>[base+N]</c>, <c>[base-N]</c>, <c>[base+-N]</c>.</summary>
    private PtxAddressOperand ParseAddress(PtxToken open)
    {
        string baseName = ExpectWord("an address base");
        if (char.IsAsciiDigit(baseName[0])) throw Error(open, $"absolute addresses like [{baseName}] are not supported");
        long offset = 0;
        if (Peek().Is("+") || Peek().Is("-"))
        {
            bool negative = Next().Is("-");
            if (Peek().Is("-")) { Next(); negative = !negative; }
            PtxToken n = Next();
            if (n.Kind != PtxTokenKind.Word || !PtxLiterals.TryParseInteger(n.Text, out ulong value) || value > int.MaxValue)
                throw Error(n, $"expected an address offset but found {n}");
            offset = negative ? -(long)value : (long)value;
        }
        Expect("]");
        return new PtxAddressOperand(baseName, offset);
    }
}
