using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// Minibatch discrimination (Salimans et al. 2016), as its common PyTorch module writes it
/// (<c>MinibatchDiscrimination(in_features, out_features, kernel_dims)</c>, one parameter <c>T</c> [A, B, C]):
/// features f [N, A] are projected by T to B kernels of C values per sample, M [N, B, C]; each sample gets, per
/// kernel b, o_b(i) = Σ_{j≠i} exp(-‖M_i,b - M_j,b‖₁), and the output is [f, o], [N, A + B]. The paper's sum includes
/// j = i, which only adds 1 to every o_b; the PyTorch module subtracts it, and so do we, so its state_dict and
/// outputs carry over. T starts as PyTorch's default Linear initialisation with fan-in A, not the module's N(0, 1):
/// with a DCGAN's thousands of features N(0, 1) puts every L1 distance in the hundreds, exp(-d) at 0, and the
/// layer's gradient with it.
/// </summary>
public sealed class MinibatchDiscrimination : Module
{
    public MinibatchDiscrimination(int inFeatures, int outFeatures, int kernelDims, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0 || kernelDims <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"MinibatchDiscrimination({inFeatures}, {outFeatures}, {kernelDims}): sizes must be positive.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        KernelDims = kernelDims;
        Init.PyTorchDefault(RegisterParameter("T", Tensor.Empty(new Shape(inFeatures, outFeatures, kernelDims))), inFeatures, generator);
    }

    /// <summary>The layer to insert before a discriminator's last Linear (B kernels of C values), or none; that Linear
    /// then takes <paramref name="inFeatures"/> + B features.</summary>
    public static Module[] Optional(int inFeatures, (int Kernels, int KernelDims)? size, Generator? generator) =>
        size is { } k ? [new MinibatchDiscrimination(inFeatures, k.Kernels, k.KernelDims, generator)] : [];

    /// <summary>A (the features per sample).</summary>
    public int InFeatures { get; }
    /// <summary>B (the kernels, each adding one feature).</summary>
    public int OutFeatures { get; }
    /// <summary>C (the values a kernel compares).</summary>
    public int KernelDims { get; }
    public Tensor T => Get("T");

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 2 || input.Shape[1] != InFeatures)
            throw new ArgumentException($"MinibatchDiscrimination({InFeatures}, {OutFeatures}, {KernelDims}): expected [N, {InFeatures}], got {input.Shape}.");
        return Apply(input, T);
    }

    /// <summary>[f, o] for features <paramref name="f"/> [N, A] and the tensor <paramref name="t"/> [A, B, C].</summary>
    public static Tensor Apply(Tensor f, Tensor t)
    {
        int n = f.Shape[0], kernels = t.Shape[1], dims = t.Shape[2];
        Tensor m = F.Matmul(f, F.Reshape(t, t.Shape[0], kernels * dims));
        Tensor distance = F.SumTo(F.Abs(F.Reshape(m, n, 1, kernels, dims) - F.Reshape(m, 1, n, kernels, dims)), new Shape(n, n, kernels, 1));
        Tensor o = F.SumTo(F.Exp(-distance), new Shape(n, 1, kernels, 1)) - 1; // j = i adds exp(0)
        return F.Concat([f, F.Reshape(o, n, kernels)], axis: 1);
    }
}
