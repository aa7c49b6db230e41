using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// Minibatch discrimination (Salimans et al. 2016): features f [N, A] are projected by the tensor T [A, B·C] to B
/// kernels of C values per sample, M [N, B, C]; each sample gets, per kernel b, o_b(i) = Σ_j exp(-‖M_i,b - M_j,b‖₁)
/// over the batch (j = i included, as in the paper, adding 1), and the output is [f, o], [N, A + B]. T starts
/// as PyTorch's default Linear weight initialisation with fan-in A.
/// </summary>
public sealed class MinibatchDiscrimination : Module
{
    public MinibatchDiscrimination(int inFeatures, int kernels, int kernelDims, Generator? generator = null)
    {
        if (inFeatures <= 0 || kernels <= 0 || kernelDims <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"MinibatchDiscrimination({inFeatures}, {kernels}, {kernelDims}): sizes must be positive.");
        InFeatures = inFeatures;
        Kernels = kernels;
        KernelDims = kernelDims;
        Init.PyTorchDefault(RegisterParameter("T", Tensor.Empty(new Shape(inFeatures, kernels * kernelDims))), inFeatures, generator);
    }

    public int InFeatures { get; }
    public int Kernels { get; }
    public int KernelDims { get; }
    public Tensor T => Get("T");

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 2 || input.Shape[1] != InFeatures)
            throw new ArgumentException($"MinibatchDiscrimination({InFeatures}, ...): expected [N, {InFeatures}], got {input.Shape}.");
        return Apply(input, T, Kernels, KernelDims);
    }

    /// <summary>[f, o] for features <paramref name="f"/> [N, A] and projection <paramref name="t"/> [A, kernels·kernelDims].</summary>
    public static Tensor Apply(Tensor f, Tensor t, int kernels, int kernelDims)
    {
        int n = f.Shape[0];
        Tensor m = F.Matmul(f, t);
        Tensor distance = F.SumTo(F.Abs(F.Reshape(m, n, 1, kernels, kernelDims) - F.Reshape(m, 1, n, kernels, kernelDims)), new Shape(n, n, kernels, 1));
        Tensor o = F.SumTo(F.Exp(-distance), new Shape(n, 1, kernels, 1));
        return F.Concat([f, F.Reshape(o, n, kernels)], axis: 1);
    }
}
