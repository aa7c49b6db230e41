using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace RawGan.Tests.Architecture;

/// <summary>
/// Which of an assembly's own types each of its types uses, read from the compiled metadata: base types and
/// interfaces, field, method, property and local signatures, and every type, method and field token in the IL of
/// method bodies (generic instantiations included). A nested type (a closure, an iterator, an extension block)
/// counts as its outermost declaring type.
/// </summary>
internal sealed class TypeReferences : ISignatureTypeProvider<bool, object?>
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes).GetFields()
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value, o => o.OperandType);

    private readonly MetadataReader _reader;
    private HashSet<TypeDefinitionHandle> _found = [];

    private TypeReferences(MetadataReader reader) => _reader = reader;

    /// <summary>(from, to) full names of top-level types, each pair once, for every use of one type by another.</summary>
    public static IReadOnlyList<(string From, string To)> Read(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var refs = new TypeReferences(pe.GetMetadataReader());
        return refs.All(pe);
    }

    private List<(string, string)> All(PEReader pe)
    {
        var pairs = new HashSet<(string, string)>();
        foreach (TypeDefinitionHandle h in _reader.TypeDefinitions)
        {
            _found = [];
            Collect(h, pe);
            string from = Name(Outermost(h));
            foreach (TypeDefinitionHandle to in _found) pairs.Add((from, Name(Outermost(to))));
        }
        return [.. pairs];
    }

    private void Collect(TypeDefinitionHandle h, PEReader pe)
    {
        TypeDefinition type = _reader.GetTypeDefinition(h);
        Type(type.BaseType);
        foreach (InterfaceImplementationHandle i in type.GetInterfaceImplementations()) Type(_reader.GetInterfaceImplementation(i).Interface);
        foreach (FieldDefinitionHandle f in type.GetFields()) _reader.GetFieldDefinition(f).DecodeSignature(this, null);
        foreach (PropertyDefinitionHandle p in type.GetProperties()) _reader.GetPropertyDefinition(p).DecodeSignature(this, null);
        foreach (MethodDefinitionHandle m in type.GetMethods())
        {
            MethodDefinition method = _reader.GetMethodDefinition(m);
            method.DecodeSignature(this, null);
            if (method.RelativeVirtualAddress == 0) continue;
            MethodBodyBlock body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil) _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
            Il(body.GetILReader());
        }
    }

    /// <summary>Walks the IL and records what every token operand names.</summary>
    private void Il(BlobReader il)
    {
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE) code = (short)(0xFE00 | il.ReadByte());
            switch (Operands[code])
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: il.Offset += 1; break;
                case OperandType.InlineVar: il.Offset += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: il.Offset += 8; break;
                case OperandType.InlineSwitch:
                    int targets = il.ReadInt32(); // read before Offset: `il.Offset += 4 * il.ReadInt32()` loses the count's 4 bytes
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                default: il.Offset += 4; break; // branch targets, int32, float32, strings, standalone signatures
            }
        }
    }

    private void Entity(EntityHandle h)
    {
        switch (h.Kind)
        {
            case HandleKind.MethodDefinition:
                MethodDefinition m = _reader.GetMethodDefinition((MethodDefinitionHandle)h);
                _found.Add(m.GetDeclaringType());
                m.DecodeSignature(this, null);
                break;
            case HandleKind.FieldDefinition:
                FieldDefinition f = _reader.GetFieldDefinition((FieldDefinitionHandle)h);
                _found.Add(f.GetDeclaringType());
                f.DecodeSignature(this, null);
                break;
            case HandleKind.MemberReference:
                MemberReference r = _reader.GetMemberReference((MemberReferenceHandle)h);
                Entity(r.Parent);
                if (r.GetKind() == MemberReferenceKind.Method) r.DecodeMethodSignature(this, null);
                else r.DecodeFieldSignature(this, null);
                break;
            case HandleKind.MethodSpecification:
                MethodSpecification s = _reader.GetMethodSpecification((MethodSpecificationHandle)h);
                Entity(s.Method);
                s.DecodeSignature(this, null);
                break;
            default:
                Type(h);
                break;
        }
    }

    private void Type(EntityHandle h)
    {
        if (h.IsNil) return;
        if (h.Kind == HandleKind.TypeDefinition) _found.Add((TypeDefinitionHandle)h);
        else if (h.Kind == HandleKind.TypeSpecification) _reader.GetTypeSpecification((TypeSpecificationHandle)h).DecodeSignature(this, null);
    }

    private TypeDefinitionHandle Outermost(TypeDefinitionHandle h)
    {
        while (_reader.GetTypeDefinition(h).GetDeclaringType() is { IsNil: false } outer) h = outer;
        return h;
    }

    private string Name(TypeDefinitionHandle h)
    {
        TypeDefinition t = _reader.GetTypeDefinition(h);
        string ns = _reader.GetString(t.Namespace), name = _reader.GetString(t.Name);
        return ns.Length == 0 ? name : $"{ns}.{name}";
    }

    // ---- the signature decoder: records the type definitions a signature names --------------------------------
    public bool GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => _found.Add(handle);
    public bool GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, context);
    public bool GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => false;
    public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;
    public bool GetArrayType(bool elementType, ArrayShape shape) => false;
    public bool GetSZArrayType(bool elementType) => false;
    public bool GetByReferenceType(bool elementType) => false;
    public bool GetPointerType(bool elementType) => false;
    public bool GetPinnedType(bool elementType) => false;
    public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => false;
    public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => false;
    public bool GetGenericMethodParameter(object? genericContext, int index) => false;
    public bool GetGenericTypeParameter(object? genericContext, int index) => false;
    public bool GetFunctionPointerType(MethodSignature<bool> signature) => false;
}
