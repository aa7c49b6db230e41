using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// Weight initialisers (torch.nn.init). Layers draw from <see cref="DefaultGenerator"/> unless given their own;
/// seed it with <see cref="ManualSeed"/> before building a model, as torch.manual_seed. Like torch's default
/// generator it is shared by the whole process: code that builds models on several threads at once, or that must
/// not depend on what else ran before, passes a <see cref="Generator"/> of its own (as the GAN models do).
/// </summary>
public static class Init
{
    public static Generator DefaultGenerator { get; private set; } = new(0);

    public static void ManualSeed(ulong seed) => DefaultGenerator = new Generator(seed);

    public static void Uniform(Tensor t, double low, double high, Generator? generator = null)
    {
        Generator g = generator ?? DefaultGenerator;
        t.Backend.FillUniform(t, g.Seed, g.Advance(t.Numel), low, high);
    }

    public static void Normal(Tensor t, double mean, double std, Generator? generator = null)
    {
        Generator g = generator ?? DefaultGenerator;
        t.Backend.FillNormal(t, g.Seed, g.Advance(t.Numel), mean, std);
    }

    /// <summary>N(mean, std) truncated to [a, b] (torch.nn.init.trunc_normal_).</summary>
    public static void TruncatedNormal(Tensor t, double mean = 0, double std = 1, double a = -2, double b = 2, Generator? generator = null)
    {
        double[] values = (generator ?? DefaultGenerator).TruncatedNormal(t.Numel, mean, std, a, b);
        Tensor host = Tensor.FromArray(values, t.Shape).ToDType(t.DType).To(t.Backend);
        t.Backend.Copy(host, t);
    }

    public static void Constant(Tensor t, double value) => t.Backend.Fill(t, value);

    /// <summary>PyTorch's default for Linear and convolution weights: kaiming_uniform_(a=√5), which is
    /// U(-1/√fan_in, 1/√fan_in); biases use the same bound.</summary>
    public static void PyTorchDefault(Tensor t, int fanIn, Generator? generator = null)
    {
        double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        Uniform(t, -bound, bound, generator);
    }

    /// <summary>The DCGAN paper's initialisation (Radford et al.), as the PyTorch example's weights_init: every
    /// convolution weight N(0, 0.02), every BatchNorm weight N(1, 0.02) and bias 0. Linear layers are left alone.</summary>
    public static void Dcgan(Module model, Generator? generator = null)
    {
        foreach (Module m in model.Modules())
        {
            switch (m)
            {
                case ConvLayer c: Normal(c.Weight, 0, 0.02, generator); break;
                case BatchNorm bn when bn.Weight is not null:
                    Normal(bn.Weight, 1, 0.02, generator);
                    Constant(bn.Bias!, 0);
                    break;
            }
        }
    }
}
