using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>Builds a config's generator and discriminator for data of a given shape, initialised as their recipes say
/// (DCGANs with the DCGAN initialisation, the MLP recipes with PyTorch's defaults), from the config's seed.</summary>
public static class ModelFactory
{
    public static (GanGenerator G, GanDiscriminator D) Create(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator)
    {
        Init.ManualSeed(config.Seed);
        GanGenerator g = CreateGenerator(config, channels, size, classes);
        GanDiscriminator d = CreateDiscriminator(config, channels, size, classes, dropoutGenerator);
        return (g, d);
    }

    public static GanGenerator CreateGenerator(GanConfig config, int channels, int size, int classes)
    {
        Check(config, classes);
        GanGenerator g = config.Model switch
        {
            "mlp" => new MlpGenerator(config.Nz, channels, size),
            "cgan" => new CganGenerator(config.Nz, classes, channels, size),
            _ => new DcganGenerator(config.Nz, config.Ngf, channels, size, Variant(config), config.Model == "cdcgan" ? classes : 0),
        };
        if (IsDcgan(config)) Init.Dcgan(g);
        return g;
    }

    public static GanDiscriminator CreateDiscriminator(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator)
    {
        Check(config, classes);
        GanDiscriminator d = config.Model switch
        {
            "mlp" => new MlpDiscriminator(channels, size),
            "cgan" => new CganDiscriminator(classes, channels, size, dropoutGenerator),
            _ => new DcganDiscriminator(config.Ndf, channels, size, Variant(config), config.Model == "cdcgan" ? classes : 0),
        };
        if (IsDcgan(config)) Init.Dcgan(d);
        return d;
    }

    private static bool IsDcgan(GanConfig config) => config.Model is "dcgan" or "cdcgan";

    private static DcganVariant Variant(GanConfig config) => config.Variant == "tensorflow" ? DcganVariant.TensorFlow : DcganVariant.PyTorch;

    private static void Check(GanConfig config, int classes)
    {
        config.Validate();
        if (config.Model is "cgan" or "cdcgan" && classes < 2)
            throw new ArgumentException($"--model {config.Model} is conditional and needs labelled data with at least two classes; the data has {classes}.");
    }
}
