using System.Runtime.InteropServices;
using RawGan.Autograd;
using RawGan.Backends;

namespace RawGan.Tensors;

/// <summary>
/// A contiguous n-dimensional array on one device, and a node of the autodiff graph. Reshapes share storage;
/// every other op writes a new tensor. Ops live a layer above, in <c>RawGan.Ops</c>: <c>F</c>, and the operators
/// and methods (a * b, x.Reshape(...)) that its <c>TensorOperators</c> extends this type with.
/// </summary>
public sealed class Tensor
{
    private bool _requiresGrad;

    internal Tensor(Storage storage, Shape shape, MemoryFormat format = MemoryFormat.Contiguous)
    {
        if (shape.Numel != storage.Length)
            throw new ArgumentException($"Shape {shape} holds {shape.Numel} elements but the storage has {storage.Length}.");
        if (format == MemoryFormat.ChannelsLast && shape.Rank != 4)
            throw new ArgumentException($"Channels-last needs a rank-4 tensor [N, C, H, W], not shape {shape}.");
        Storage = storage;
        Shape = shape;
        MemoryFormat = format;
    }

    public Storage Storage { get; }

    /// <summary>The logical shape ([N, C, H, W] for images), whatever the <see cref="MemoryFormat"/>.</summary>
    public Shape Shape { get; }

    /// <summary>How the elements lie in <see cref="Storage"/>: row-major in <see cref="Shape"/>, or channels-last
    /// (row-major in [N, H, W, C]). Reading back (<see cref="ToArray{T}"/>) always gives the logical order.</summary>
    public MemoryFormat MemoryFormat { get; }
    public DType DType => Storage.DType;
    public IBackend Backend => Storage.Backend;
    public Device Device => Backend.Device;
    public long Numel => Shape.Numel;
    public int Rank => Shape.Rank;

    /// <summary>Whether gradients flow to this tensor. Settable on leaves (parameters, inputs) only; an op's result
    /// requires grad when any input does and grad mode is on.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf) throw new InvalidOperationException($"RequiresGrad can only be set on a leaf tensor; this one is the output of '{GradFn!.Op}'.");
            if (value && !DType.IsFloatingPoint()) throw new InvalidOperationException($"Only floating-point tensors can require gradients, not {DType.Name()}.");
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward"/>; null until then or after ZeroGrad.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The op that produced this tensor and how to differentiate it; null for leaves.</summary>
    public Node? GradFn { get; private set; }
    public bool IsLeaf => GradFn is null;

    /// <summary>Makes this tensor the output of <paramref name="node"/> when grad mode is on and an input needs it.</summary>
    internal Tensor RecordedBy(Node node)
    {
        if (!GradMode.Enabled) return this;
        foreach (Tensor input in node.Inputs)
        {
            if (!input.RequiresGrad) continue;
            GradFn = node;
            _requiresGrad = true;
            break;
        }
        return this;
    }

    /// <summary>Back-propagates from this scalar (or with an explicit upstream gradient of this tensor's shape).</summary>
    public void Backward(Tensor? gradient = null) => Autograd.Backward.Run(this, gradient);

    /// <summary>A tensor sharing this one's storage, cut from the graph.</summary>
    public Tensor Detach() => new(Storage, Shape, MemoryFormat);

    // ---- creation ------------------------------------------------------------------------------------------
    /// <summary>A tensor whose values are unspecified until written (torch.empty).</summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.Float32, Device? device = null) =>
        Empty(shape, dtype, BackendRegistry.Get(device ?? Device.Cpu));

    /// <summary>A tensor whose values are unspecified until written (torch.empty).</summary>
    public static Tensor Empty(Shape shape, DType dtype, IBackend backend) => Empty(shape, dtype, backend, MemoryFormat.Contiguous);

    /// <summary>An unwritten tensor in <paramref name="format"/> (torch.empty(..., memory_format=...)).</summary>
    public static Tensor Empty(Shape shape, DType dtype, IBackend backend, MemoryFormat format) =>
        new(TensorScope.Track(backend.Allocate(shape.Numel, dtype)), shape, format);

    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 0, dtype, device);
    public static Tensor Zeros(Shape shape, DType dtype, IBackend backend) => Full(shape, 0, dtype, backend);

    public static Tensor Full(Shape shape, double value, DType dtype = DType.Float32, Device? device = null) =>
        Full(shape, value, dtype, BackendRegistry.Get(device ?? Device.Cpu));

    public static Tensor Full(Shape shape, double value, DType dtype, IBackend backend)
    {
        Tensor t = Empty(shape, dtype, backend);
        backend.Fill(t, value);
        return t;
    }

    public static Tensor Ones(Shape shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1, dtype, device);

    public static Tensor FromArray(float[] data, Shape shape, Device? device = null) => FromSpan<float>(data, shape, DType.Float32, device);
    public static Tensor FromArray(double[] data, Shape shape, Device? device = null) => FromSpan<double>(data, shape, DType.Float64, device);
    public static Tensor FromArray(int[] data, Shape shape, Device? device = null) => FromSpan<int>(data, shape, DType.Int32, device);

    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, Shape shape, DType dtype, Device? device = null) where T : unmanaged =>
        FromSpan(data, shape, dtype, BackendRegistry.Get(device ?? Device.Cpu));

    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, Shape shape, DType dtype, IBackend backend) where T : unmanaged
    {
        if (Marshal.SizeOf<T>() != dtype.SizeInBytes())
            throw new ArgumentException($"{typeof(T).Name} data cannot fill a {dtype.Name()} tensor.");
        if (data.Length != shape.Numel)
            throw new ArgumentException($"{data.Length} values cannot fill shape {shape} ({shape.Numel} elements).");
        Tensor t = Empty(shape, dtype, backend);
        backend.Upload(data, t.Storage);
        return t;
    }

    /// <summary>Samples N(mean, std) from <paramref name="generator"/> (reproducible for a seed, on every device).</summary>
    public static Tensor Randn(Shape shape, Generator generator, DType dtype = DType.Float32, Device? device = null, double mean = 0, double std = 1) =>
        Randn(shape, generator, dtype, BackendRegistry.Get(device ?? Device.Cpu), mean, std);

    public static Tensor Randn(Shape shape, Generator generator, DType dtype, IBackend backend, double mean = 0, double std = 1)
    {
        Tensor t = Empty(shape, dtype, backend);
        backend.FillNormal(t, generator.Seed, generator.Advance(t.Numel), mean, std);
        return t;
    }

    /// <summary>Samples U(low, high) from <paramref name="generator"/>.</summary>
    public static Tensor Rand(Shape shape, Generator generator, DType dtype = DType.Float32, Device? device = null, double low = 0, double high = 1) =>
        Rand(shape, generator, dtype, BackendRegistry.Get(device ?? Device.Cpu), low, high);

    public static Tensor Rand(Shape shape, Generator generator, DType dtype, IBackend backend, double low = 0, double high = 1)
    {
        Tensor t = Empty(shape, dtype, backend);
        backend.FillUniform(t, generator.Seed, generator.Advance(t.Numel), low, high);
        return t;
    }

    // ---- reading back --------------------------------------------------------------------------------------
    /// <summary>The elements in logical row-major order (a channels-last tensor is put back in NCHW order on the
    /// host), so everything that reads a tensor back (grids, checkpoints, metrics) is format-blind.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        if (Marshal.SizeOf<T>() != DType.SizeInBytes())
            throw new InvalidOperationException($"A {DType.Name()} tensor cannot be read as {typeof(T).Name}.");
        var stored = new T[Numel];
        Backend.Download<T>(Storage, stored);
        if (MemoryFormat != MemoryFormat.ChannelsLast || MemoryFormats.SameBytes(Shape)) return stored;
        int n = Shape[0], c = Shape[1];
        long plane = (long)Shape[2] * Shape[3];
        var result = new T[Numel];
        for (int i = 0; i < n; i++)
            for (long p = 0; p < plane; p++)
                for (int ch = 0; ch < c; ch++)
                    result[((long)i * c + ch) * plane + p] = stored[((long)i * plane + p) * c + ch];
        return result;
    }

    /// <summary>All elements as float64 whatever the dtype (for tests, metrics and printing).</summary>
    public double[] ToDoubleArray() => DType switch
    {
        DType.Float32 => Array.ConvertAll(ToArray<float>(), v => (double)v),
        DType.Float64 => ToArray<double>(),
        _ => Array.ConvertAll(ToArray<int>(), v => (double)v),
    };

    /// <summary>All elements as float32 whatever the dtype.</summary>
    public float[] ToFloatArray() => DType == DType.Float32 ? ToArray<float>() : Array.ConvertAll(ToDoubleArray(), v => (float)v);

    /// <summary>The value of a one-element tensor (copies it to the host).</summary>
    public double Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a tensor with one element, not shape {Shape}.");
        return ToDoubleArray()[0];
    }

    /// <summary>A copy on another device (the same tensor when it is already there), contiguous. Not differentiable.</summary>
    public Tensor To(Device device) => To(BackendRegistry.Get(device));

    public Tensor To(IBackend backend)
    {
        if (ReferenceEquals(backend, Backend)) return this;
        return DType switch
        {
            DType.Float32 => FromSpan<float>(ToArray<float>(), Shape, DType, backend),
            DType.Float64 => FromSpan<double>(ToArray<double>(), Shape, DType, backend),
            _ => FromSpan<int>(ToArray<int>(), Shape, DType, backend),
        };
    }

    /// <summary>A float64 or float32 copy on the same device (conversion runs on the host; for tests and I/O).</summary>
    public Tensor ToDType(DType dtype)
    {
        if (dtype == DType) return this;
        return dtype switch
        {
            DType.Float32 => FromSpan<float>(ToFloatArray(), Shape, dtype, Backend),
            DType.Float64 => FromSpan<double>(ToDoubleArray(), Shape, dtype, Backend),
            _ => FromSpan<int>(Array.ConvertAll(ToDoubleArray(), v => (int)v), Shape, dtype, Backend),
        };
    }

    public override string ToString()
    {
        string head = $"Tensor{Shape} {DType.Name()} on {Device}" + (MemoryFormat == MemoryFormat.ChannelsLast ? " channels-last" : "");
        if (Numel > 8) return head;
        return head + " [" + string.Join(", ", ToDoubleArray().Select(v => v.ToString("G6"))) + "]";
    }
}
