using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>y = x·Wᵀ + b (torch.nn.Linear): weight [out, in], bias [out], PyTorch's default initialisation.</summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear({inFeatures}, {outFeatures}): sizes must be positive.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Init.PyTorchDefault(RegisterParameter("weight", Tensor.Empty(new Shape(outFeatures, inFeatures))), inFeatures, generator);
        if (bias) Init.PyTorchDefault(RegisterParameter("bias", Tensor.Empty(new Shape(outFeatures))), inFeatures, generator);
        HasBias = bias;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public bool HasBias { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => HasBias ? Get("bias") : null;

    public override Tensor Forward(Tensor input) => F.Linear(input, Weight, Bias);
}
