using RawGan.Autograd;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// Spectral normalisation (Miyato et al. 2018) with torch.nn.utils.spectral_norm's semantics: the layer's weight
/// becomes weight_orig / σ, σ the largest singular value of weight_orig viewed as a matrix whose rows run along
/// <c>dim</c> (0, or 1 for transposed convolutions), estimated by power iteration with vectors kept in the buffers
/// weight_u and weight_v: one iteration per access in training mode (one per forward), none in eval mode. The
/// state_dict names are PyTorch's (weight_orig, weight_u, weight_v), so checkpoints move both ways. The gradient
/// flows through σ = uᵀ W v with u and v held constant, as in PyTorch.
/// </summary>
public static class SpectralNorm
{
    /// <summary>Normalises <paramref name="module"/>'s weight (a Linear, Conv2d or ConvTranspose2d) and returns the
    /// module. <paramref name="dim"/> defaults to PyTorch's: 1 for ConvTranspose2d, 0 otherwise; u and v start as
    /// normalised draws from <paramref name="generator"/>.</summary>
    public static T Apply<T>(T module, Generator generator, int nPowerIterations = 1, double eps = 1e-12, int? dim = null) where T : Module
    {
        if (module is not (Linear or ConvLayer))
            throw new ArgumentException($"spectral norm applies to Linear, Conv2d and ConvTranspose2d layers, not {module.GetType().Name}.");
        ArgumentOutOfRangeException.ThrowIfNegative(nPowerIterations);
        Tensor weight = module.Get("weight");
        int d = dim ?? (module is ConvTranspose2d ? 1 : 0);
        if (d < 0 || d >= weight.Rank) throw new ArgumentOutOfRangeException(nameof(dim), d, $"spectral norm: dim must index the weight's {weight.Rank} dimensions.");
        (int a, int h, int b) = Matrix(weight.Shape, d);
        Tensor u = Normalize(Tensor.Randn(new Shape(h), generator, weight.DType, weight.Backend), eps);
        Tensor v = Normalize(Tensor.Randn(new Shape(a * b), generator, weight.DType, weight.Backend), eps);
        module.Reparametrise("weight", "weight_orig", () => Normalized(module, nPowerIterations, eps, a, h, b));
        module.AddBuffer("weight_u", u);
        module.AddBuffer("weight_v", v);
        return module;
    }

    /// <summary>The weight viewed as [a, h, b], h the size of dim: the matrix M[h, a·b] that σ is of.</summary>
    private static (int A, int H, int B) Matrix(Shape shape, int dim)
    {
        int a = 1, b = 1;
        for (int i = 0; i < dim; i++) a *= shape[i];
        for (int i = dim + 1; i < shape.Rank; i++) b *= shape[i];
        return (a, shape[dim], b);
    }

    private static Tensor Normalized(Module module, int iterations, double eps, int a, int h, int b)
    {
        Tensor w = module.Get("weight_orig"), uBuffer = module.Get("weight_u"), vBuffer = module.Get("weight_v");
        Tensor w3 = F.Reshape(w, a, h, b);
        if (module.Training && iterations > 0)
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = new TensorScope();
            Tensor wc = w3.Detach(), u = F.Reshape(uBuffer, 1, h, 1), v = F.Reshape(vBuffer, a, 1, b);
            for (int i = 0; i < iterations; i++)
            {
                v = Normalize(F.SumTo(wc * u, new Shape(a, 1, b)), eps); // v = normalize(Mᵀu)
                u = Normalize(F.SumTo(wc * v, new Shape(1, h, 1)), eps); // u = normalize(Mv)
            }
            w.Backend.Copy(F.Reshape(u, h), uBuffer);
            w.Backend.Copy(F.Reshape(v, a * b), vBuffer);
        }
        return Divide(w, uBuffer, vBuffer, a, h, b);
    }

    /// <summary>W / σ with σ = uᵀ M v, M the weight as a matrix whose rows run along <paramref name="dim"/>;
    /// differentiable in <paramref name="weight"/> only (u and v are held constant, as in PyTorch).</summary>
    public static Tensor Divide(Tensor weight, Tensor u, Tensor v, int dim)
    {
        (int a, int h, int b) = Matrix(weight.Shape, dim);
        return Divide(weight, u, v, a, h, b);
    }

    private static Tensor Divide(Tensor weight, Tensor u, Tensor v, int a, int h, int b)
    {
        Tensor sigma = F.Sum(F.Reshape(weight, a, h, b) * (F.Reshape(u.Detach(), 1, h, 1) * F.Reshape(v.Detach(), a, 1, b)));
        return weight / sigma;
    }

    /// <summary>x / (‖x‖ + eps): PyTorch divides by max(‖x‖, eps), the same for any vector whose norm is not tiny.</summary>
    private static Tensor Normalize(Tensor x, double eps) => x / (F.Sqrt(F.Sum(x * x)) + eps);
}
