using System.Numerics;
using System.Runtime.InteropServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>
/// The CPU backend's fast paths: SIMD elementwise maps, packed SIMD GEMM, im2col convolutions, vectorised Philox,
/// fused loops. The conformance suite tests each against <see cref="Reference.ReferenceBackend"/>, the obvious loops.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    private CpuBackend() { }

    public static CpuBackend Default { get; } = new();

    public Device Device => Device.Cpu;

    public string Name => $"cpu ({(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "scalar")}, {CpuParallel.Threads} threads)";

    public Storage Allocate(long length, DType dtype) => new CpuStorage(this, length, dtype);

    public void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged =>
        MemoryMarshal.AsBytes(source).CopyTo(Bytes(destination));

    public void Download<T>(Storage source, Span<T> destination) where T : unmanaged =>
        Bytes(source).CopyTo(MemoryMarshal.AsBytes(destination));

    public void Copy(Tensor source, Tensor destination) => Array.Copy(Data(source), Data(destination), source.Numel);

    public void Copy2D(Tensor source, long sourceOffset, long sourceStride, Tensor destination, long destinationOffset,
                       long destinationStride, long rows, long count)
    {
        Array src = Data(source), dst = Data(destination);
        for (long i = 0; i < rows; i++)
            Array.Copy(src, sourceOffset + i * sourceStride, dst, destinationOffset + i * destinationStride, count);
    }

    public void Fill(Tensor destination, double value)
    {
        switch (Data(destination))
        {
            case float[] f: Array.Fill(f, (float)value); break;
            case double[] d: Array.Fill(d, value); break;
            case int[] i: Array.Fill(i, (int)value); break;
        }
    }

    public void Unary(UnaryOp op, double alpha, Tensor x, Tensor y)
    {
        if (x.DType == DType.Float32) UnaryT<float>(op, (float)alpha, F<float>(x), F<float>(y), null, null, backward: false);
        else UnaryT<double>(op, alpha, F<double>(x), F<double>(y), null, null, backward: false);
    }

    public void UnaryBackward(UnaryOp op, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        if (x.DType == DType.Float32) UnaryT<float>(op, (float)alpha, F<float>(x), F<float>(y), F<float>(dy), F<float>(dx), backward: true);
        else UnaryT<double>(op, alpha, F<double>(x), F<double>(y), F<double>(dy), F<double>(dx), backward: true);
    }

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor c)
    {
        if (c.DType == DType.Float32) BinaryT<float>(op, F<float>(a), a.Shape, F<float>(b), b.Shape, F<float>(c), c.Shape);
        else BinaryT<double>(op, F<double>(a), a.Shape, F<double>(b), b.Shape, F<double>(c), c.Shape);
    }

    public void SumTo(Tensor x, Tensor y)
    {
        if (x.DType == DType.Float32) Elementwise.SumTo(F<float>(x), x.Shape, F<float>(y), y.Shape);
        else Elementwise.SumTo(F<double>(x), x.Shape, F<double>(y), y.Shape);
    }

    // One switch per call, outside the loop; each branch is a loop specialised for its function.
    private static void UnaryT<T>(UnaryOp op, T a, T[] x, T[] y, T[]? dy, T[]? dx, bool backward) where T : struct, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: Run<NegFn<T>>(); break;
            case UnaryOp.Exp: Run<ExpFn<T>>(); break;
            case UnaryOp.Log: Run<LogFn<T>>(); break;
            case UnaryOp.Sqrt: Run<SqrtFn<T>>(); break;
            case UnaryOp.Abs: Run<AbsFn<T>>(); break;
            case UnaryOp.Relu: Run<ReluFn<T>>(); break;
            case UnaryOp.LeakyRelu: Run<LeakyReluFn<T>>(); break;
            case UnaryOp.Tanh: Run<TanhFn<T>>(); break;
            case UnaryOp.Sigmoid: Run<SigmoidFn<T>>(); break;
            case UnaryOp.Scale: Run<ScaleFn<T>>(); break;
            case UnaryOp.AddScalar: Run<AddScalarFn<T>>(); break;
            case UnaryOp.Pow: Run<PowFn<T>>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }

        void Run<TFn>() where TFn : IUnaryFn<T>
        {
            if (backward) Elementwise.MapBackward<T, TFn>(x, y, dy!, dx!, a);
            else Elementwise.Map<T, TFn>(x, y, a);
        }
    }

    private static void BinaryT<T>(BinaryOp op, T[] a, Shape sa, T[] b, Shape sb, T[] c, Shape sc) where T : struct, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Elementwise.Binary<T, AddFn<T>>(a, sa, b, sb, c, sc); break;
            case BinaryOp.Sub: Elementwise.Binary<T, SubFn<T>>(a, sa, b, sb, c, sc); break;
            case BinaryOp.Mul: Elementwise.Binary<T, MulFn<T>>(a, sa, b, sb, c, sc); break;
            case BinaryOp.Div: Elementwise.Binary<T, DivFn<T>>(a, sa, b, sb, c, sc); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    private static Array Data(Tensor t) => ((CpuStorage)t.Storage).Data;
    private static T[] F<T>(Tensor t) where T : unmanaged => ((CpuStorage)t.Storage).As<T>();

    private static Span<byte> Bytes(Storage s) => ((CpuStorage)s).Data switch
    {
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
        double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
        int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
        _ => throw new InvalidOperationException(),
    };
}
