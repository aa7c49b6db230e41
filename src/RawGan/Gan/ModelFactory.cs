using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>Builds a config's generator and discriminator for data of a given shape, initialised as their recipes say
/// (DCGANs with the DCGAN initialisation, the MLP recipes with PyTorch's defaults). Initial weights come from a
/// generator of their own seeded by the config (G's and D's streams apart), never from shared state, so a model
/// built from a config is the same whatever else runs in the process.</summary>
public static class ModelFactory
{
    public static (GanGenerator G, GanDiscriminator D) Create(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator)
    {
        GanGenerator g = CreateGenerator(config, channels, size, classes);
        GanDiscriminator d = CreateDiscriminator(config, channels, size, classes, dropoutGenerator);
        return (g, d);
    }

    public static GanGenerator CreateGenerator(GanConfig config, int channels, int size, int classes)
    {
        Check(config, classes);
        var init = new Generator(config.Seed, GeneratorStream);
        GanGenerator g = config.Model switch
        {
            "mlp" => new MlpGenerator(config.Nz, channels, size, init: init),
            "cgan" => new CganGenerator(config.Nz, classes, channels, size, init),
            _ => new DcganGenerator(config.Nz, config.Ngf, channels, size, Variant(config), config.Model == "cdcgan" ? classes : 0, init),
        };
        if (IsDcgan(config)) Init.Dcgan(g, init);
        return g;
    }

    public static GanDiscriminator CreateDiscriminator(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator)
    {
        Check(config, classes);
        var init = new Generator(config.Seed, DiscriminatorStream);
        GanDiscriminator d = config.Model switch
        {
            "mlp" => new MlpDiscriminator(channels, size, init: init),
            "cgan" => new CganDiscriminator(classes, channels, size, dropoutGenerator, init),
            _ => new DcganDiscriminator(config.Ndf, channels, size, Variant(config), config.Model == "cdcgan" ? classes : 0, init),
        };
        if (IsDcgan(config)) Init.Dcgan(d, init);
        return d;
    }

    // Offsets into the seed's Philox stream: far enough apart that G's and D's draws never overlap.
    private const ulong GeneratorStream = 0, DiscriminatorStream = 1UL << 48;

    private static bool IsDcgan(GanConfig config) => config.Model is "dcgan" or "cdcgan";

    private static DcganVariant Variant(GanConfig config) => config.Variant == "tensorflow" ? DcganVariant.TensorFlow : DcganVariant.PyTorch;

    private static void Check(GanConfig config, int classes)
    {
        config.Validate();
        if (config.Model is "cgan" or "cdcgan" && classes < 2)
            throw new ArgumentException($"--model {config.Model} is conditional and needs labelled data with at least two classes; the data has {classes}.");
    }
}
