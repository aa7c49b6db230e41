namespace RawGan.GpuEmulator.Ptx;

/// <summary>The PTX fundamental types the interpreter knows. 8- and 16-bit types exist only so that
/// <c>.shared .b8 name[N]</c> declarations parse; instructions on them are rejected.</summary>
internal enum PtxType : byte
{
    Pred,
    B8, U8, S8, B16, U16, S16,
    B32, U32, S32, F32,
    B64, U64, S64, F64,
}

internal static class PtxTypes
{
    public static bool TryParse(string name, out PtxType type)
    {
        switch (name)
        {
            case ".pred": type = PtxType.Pred; return true;
            case ".b8": type = PtxType.B8; return true;
            case ".u8": type = PtxType.U8; return true;
            case ".s8": type = PtxType.S8; return true;
            case ".b16": type = PtxType.B16; return true;
            case ".u16": type = PtxType.U16; return true;
            case ".s16": type = PtxType.S16; return true;
            case ".b32": type = PtxType.B32; return true;
            case ".u32": type = PtxType.U32; return true;
            case ".s32": type = PtxType.S32; return true;
            case ".f32": type = PtxType.F32; return true;
            case ".b64": type = PtxType.B64; return true;
            case ".u64": type = PtxType.U64; return true;
            case ".s64": type = PtxType.S64; return true;
            case ".f64": type = PtxType.F64; return true;
            default: type = default; return false;
        }
    }

    public static string Name(this PtxType type) => type switch
    {
        PtxType.Pred => "pred",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>Size in bytes (a predicate counts as 1; it lives in a register of its own).</summary>
    public static int Size(this PtxType type) => type switch
    {
        PtxType.Pred or PtxType.B8 or PtxType.U8 or PtxType.S8 => 1,
        PtxType.B16 or PtxType.U16 or PtxType.S16 => 2,
        PtxType.B32 or PtxType.U32 or PtxType.S32 or PtxType.F32 => 4,
        _ => 8,
    };

    public static bool IsFloat(this PtxType type) => type is PtxType.F32 or PtxType.F64;
    public static bool IsSigned(this PtxType type) => type is PtxType.S8 or PtxType.S16 or PtxType.S32 or PtxType.S64;
    public static bool IsUnsigned(this PtxType type) => type is PtxType.U8 or PtxType.U16 or PtxType.U32 or PtxType.U64;
    public static bool IsBits(this PtxType type) => type is PtxType.B8 or PtxType.B16 or PtxType.B32 or PtxType.B64;
    public static bool IsInteger(this PtxType type) => type.IsSigned() || type.IsUnsigned();

    /// <summary>The 32- and 64-bit types (and .pred) instructions may operate on.</summary>
    public static bool IsSupportedScalar(this PtxType type) => type == PtxType.Pred || type.Size() >= 4;

    /// <summary>PTX's operand type-checking rule: a register of type <paramref name="register"/> may be used where
    /// the instruction expects <paramref name="expected"/> if both have the same size and a bit-size type is
    /// involved, or both are integers, or both are the same float type. Predicates only match predicates.</summary>
    public static bool Accepts(this PtxType expected, PtxType register)
    {
        if (expected == PtxType.Pred || register == PtxType.Pred) return expected == register;
        if (expected.Size() != register.Size()) return false;
        if (expected.IsBits() || register.IsBits()) return true;
        if (expected.IsFloat() || register.IsFloat()) return expected == register;
        return true; // signed and unsigned integers of the same size
    }
}
