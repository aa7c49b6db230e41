using System.Globalization;

namespace RawGan.GpuEmulator.Ptx;

/// <summary>PTX numeric literals: integers (decimal, <c>0x</c> hex, <c>0b</c> binary, leading-0 octal, optional
/// <c>U</c> suffix), exact float bit patterns (<c>0fXXXXXXXX</c>, <c>0dXXXXXXXXXXXXXXXX</c>) and decimal floats.</summary>
internal static class PtxLiterals
{
    public static bool TryParseInteger(string text, out ulong value)
    {
        value = 0;
        string t = text.EndsWith('U') || text.EndsWith('u') ? text[..^1] : text;
        if (t.Length == 0) return false;
        try
        {
            if (t.Length > 2 && t[0] == '0' && t[1] is 'x' or 'X')
                return ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
            if (t.Length > 2 && t[0] == '0' && t[1] is 'b' or 'B')
            {
                value = Convert.ToUInt64(t[2..], 2);
                return true;
            }
            if (t.Length > 1 && t[0] == '0')
            {
                value = Convert.ToUInt64(t[1..], 8);
                return true;
            }
        }
        catch (FormatException) { return false; }
        catch (OverflowException) { return false; }
        return t.All(char.IsAsciiDigit) && ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary><c>0f</c> + 8 hex digits: a float32 bit pattern.</summary>
    public static bool TryParseF32Bits(string text, out uint bits)
    {
        bits = 0;
        return text.Length == 10 && text[0] == '0' && text[1] is 'f' or 'F'
            && uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bits);
    }

    /// <summary><c>0d</c> + 16 hex digits: a float64 bit pattern.</summary>
    public static bool TryParseF64Bits(string text, out ulong bits)
    {
        bits = 0;
        return text.Length == 18 && text[0] == '0' && text[1] is 'd' or 'D'
            && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bits);
    }

    /// <summary>A decimal float such as <c>1.5</c> or <c>2e-3</c> (must contain '.' or an exponent).</summary>
    public static bool TryParseDecimalFloat(string text, out double value)
    {
        value = 0;
        if (!text.Contains('.') && !text.Contains('e') && !text.Contains('E')) return false;
        if (text.Length > 1 && text[0] == '0' && text[1] is 'x' or 'X' or 'f' or 'F' or 'd' or 'D') return false;
        return double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value);
    }
}
