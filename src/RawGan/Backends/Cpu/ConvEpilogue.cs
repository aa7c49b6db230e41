using System.Numerics;
using System.Runtime.CompilerServices;

namespace RawGan.Backends.Cpu;

/// <summary>
/// What an eval-mode layer does to its product before anyone reads it: add the per-channel bias (the folded
/// BatchNorm's shift), then the activation, in place over one channel's values while they are still in a register
/// tile. The same order and the same vector functions as the unfused passes (bias add, then
/// <see cref="IBackend.Unary"/>), so the fused layer differs from them only by its product's rounding.
/// </summary>
internal sealed unsafe class ConvEpilogue
{
    private readonly float[]? _bias;
    private readonly UnaryOp? _activation;
    private readonly float _alpha;

    public ConvEpilogue(float[]? bias, UnaryOp? activation, float alpha)
    {
        if (activation is not (null or UnaryOp.Relu or UnaryOp.LeakyRelu or UnaryOp.Tanh or UnaryOp.Sigmoid))
            throw new ArgumentException($"A fused epilogue applies ReLU, LeakyReLU, Tanh or Sigmoid, not {activation}.");
        // Padded to whole vectors of channels for ApplyAcross; the padding is never written out.
        if (bias is not null) Array.Copy(bias, _bias = new float[(bias.Length + 63) / 64 * 64], bias.Length);
        _activation = activation;
        _alpha = alpha;
    }

    /// <summary>v[0 .. count) = act(v + bias[channel]); count is a multiple of Vector&lt;float&gt;.Count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(float* v, int count, int channel)
    {
        if (_bias is not null)
        {
            var b = new Vector<float>(_bias[channel]);
            for (int i = 0; i < count; i += Vector<float>.Count) (Vector.Load(v + i) + b).Store(v + i);
        }
        Activate(v, count);
    }

    /// <summary>v[i] = act(v[i] + bias[firstChannel + i]) for i below count (a multiple of Vector&lt;float&gt;.Count,
    /// within the bias padded to 64 channels): values of consecutive channels at one pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ApplyAcross(float* v, int count, int firstChannel)
    {
        if (_bias is not null)
            fixed (float* b = &_bias[firstChannel])
                for (int i = 0; i < count; i += Vector<float>.Count) (Vector.Load(v + i) + Vector.Load(b + i)).Store(v + i);
        Activate(v, count);
    }

    private void Activate(float* v, int count)
    {
        switch (_activation)
        {
            case null: break;
            case UnaryOp.Relu: Run<ReluFn<float>>(v, count); break;
            case UnaryOp.LeakyRelu: Run<LeakyReluFn<float>>(v, count); break;
            case UnaryOp.Tanh: Run<TanhFn<float>>(v, count); break;
            default: Run<SigmoidFn<float>>(v, count); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run<TFn>(float* v, int count) where TFn : IUnaryFn<float>
    {
        var a = new Vector<float>(_alpha);
        for (int i = 0; i < count; i += Vector<float>.Count) TFn.F(Vector.Load(v + i), a).Store(v + i);
    }
}
