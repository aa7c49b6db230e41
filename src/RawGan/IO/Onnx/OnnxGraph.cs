using System.Runtime.InteropServices;

namespace RawGan.IO.Onnx;

/// <summary>
/// An ONNX graph being built, and its serialisation as a ModelProto (field numbers from onnx/onnx.proto). Tensors
/// are named values; Node adds an operator, Initializer a constant, and the model is
/// written with IR version 8 and the default domain at <see cref="Opset"/>, which ONNX 1.12 and later read.
/// </summary>
internal sealed class OnnxGraph(string name)
{
    public const int Opset = 17;
    private const long IrVersion = 8;
    private const int ElemFloat = 1, ElemInt64 = 7;

    private readonly List<ProtoWriter> _nodes = [], _initializers = [], _inputs = [], _outputs = [];
    private int _nextId;

    /// <summary>A fresh value name with <paramref name="hint"/> in it.</summary>
    public string Fresh(string hint) => $"{hint}_{_nextId++}";

    /// <summary>A graph input; a null dimension is the dynamic batch ("batch").</summary>
    public string Input(string valueName, bool int64, params int?[] dims)
    {
        _inputs.Add(ValueInfo(valueName, int64 ? ElemInt64 : ElemFloat, dims));
        return valueName;
    }

    public void Output(string valueName, params int?[] dims) => _outputs.Add(ValueInfo(valueName, ElemFloat, dims));

    public string Initializer(string valueName, ReadOnlySpan<float> values, params int[] dims) =>
        AddInitializer(valueName, ElemFloat, MemoryMarshal.AsBytes(values), dims);

    public string Initializer(string valueName, ReadOnlySpan<long> values, params int[] dims) =>
        AddInitializer(valueName, ElemInt64, MemoryMarshal.AsBytes(values), dims);

    /// <summary>Adds <paramref name="opType"/> from <paramref name="inputs"/> to one new value, returned.</summary>
    public string Node(string opType, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = Fresh(opType.ToLowerInvariant());
        Node(opType, inputs, output, attributes);
        return output;
    }

    /// <summary>Adds <paramref name="opType"/> writing the named value <paramref name="output"/>.</summary>
    public void Node(string opType, string[] inputs, string output, params OnnxAttribute[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs) node.String(1, input);
        node.String(2, output).String(3, output).String(4, opType);
        foreach (OnnxAttribute a in attributes) node.Message(5, a.ToProto());
        _nodes.Add(node);
    }

    /// <summary>The ModelProto bytes, with <paramref name="metadata"/> as its metadata_props.</summary>
    public byte[] ToModel(string producerVersion, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new ProtoWriter();
        foreach (ProtoWriter n in _nodes) graph.Message(1, n);
        graph.String(2, name);
        foreach (ProtoWriter t in _initializers) graph.Message(5, t);
        foreach (ProtoWriter i in _inputs) graph.Message(11, i);
        foreach (ProtoWriter o in _outputs) graph.Message(12, o);

        var model = new ProtoWriter().Int(1, IrVersion).String(2, "rawgan").String(3, producerVersion);
        model.Message(7, graph);
        model.Message(8, new ProtoWriter().String(1, "").Int(2, Opset));
        foreach ((string key, string value) in metadata) model.Message(14, new ProtoWriter().String(1, key).String(2, value));
        return model.ToArray();
    }

    private string AddInitializer(string valueName, int elemType, ReadOnlySpan<byte> littleEndian, int[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this host is not.");
        _initializers.Add(new ProtoWriter().PackedInts(1, dims.Select(d => (long)d)).Int(2, elemType).String(8, valueName).Bytes(9, littleEndian));
        return valueName;
    }

    private static ProtoWriter ValueInfo(string valueName, int elemType, int?[] dims)
    {
        var shape = new ProtoWriter();
        foreach (int? d in dims)
            shape.Message(1, d is { } value ? new ProtoWriter().Int(1, value) : new ProtoWriter().String(2, "batch"));
        var tensorType = new ProtoWriter().Int(1, elemType).Message(2, shape);
        return new ProtoWriter().String(1, valueName).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}

/// <summary>A node attribute: an int, a float or a list of ints (AttributeProto, with its type tag).</summary>
internal readonly record struct OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);
    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);
    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    public ProtoWriter ToProto()
    {
        const int typeFloat = 1, typeInt = 2, typeInts = 7;
        var a = new ProtoWriter().String(1, Name);
        if (Float is { } f) return a.Float(2, f).Int(20, typeFloat);
        if (Int is { } i) return a.Int(3, i).Int(20, typeInt);
        return a.PackedInts(8, Ints!).Int(20, typeInts);
    }
}
