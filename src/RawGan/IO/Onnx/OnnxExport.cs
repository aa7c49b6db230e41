using System.Globalization;
using RawGan.Gan;
using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.IO.Onnx;

/// <summary>
/// A generator as an ONNX model (opset 17) in eval mode: input "z" float [batch, nz], "labels" int64 [batch] for a
/// conditional model, output "images" float [batch, C, H, W] in [-1, 1]; the batch dimension is dynamic. Layers map
/// one to one (Linear → Gemm, ConvTranspose2d → ConvTranspose, BatchNorm → BatchNormalization with the running
/// statistics, so nothing is refolded and the numbers stay RawGan's to float rounding). The metadata holds nz, the
/// image size, channels, classes, the model kind and the run's config.
/// </summary>
public static class OnnxExport
{
    /// <summary>Writes <paramref name="generator"/>, described by <paramref name="info"/>, to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, GanGenerator generator, Checkpoint.Info info)
    {
        byte[] model = Export(generator, info);
        AtomicFile.Write(path, stream => stream.Write(model));
    }

    /// <summary>The ONNX ModelProto bytes of <paramref name="generator"/>.</summary>
    public static byte[] Export(GanGenerator generator, Checkpoint.Info info)
    {
        var graph = new OnnxGraph($"rawgan_{OptionNames.Name(info.Config.Model)}_generator");
        int nz = generator.LatentSize, c = info.Channels, s = info.ImageSize;
        string z = graph.Input("z", int64: false, null, nz);
        string? labels = generator.IsConditional ? graph.Input("labels", int64: true, [null]) : null;
        var layers = new LayerWriter(graph);

        string x = generator switch
        {
            MlpGenerator mlp => layers.Sequential(Child<Sequential>(mlp, "main"), "main", z),
            CganGenerator cgan => layers.Sequential(Child<Sequential>(cgan, "model"), "model",
                graph.Node("Concat", [graph.Node("Gather", [layers.Weights(Child<Embedding>(cgan, "label_emb").Weight, "label_emb.weight"), labels!]), z],
                    OnnxAttribute.Of("axis", 1L))),
            DcganGenerator dcgan => Dcgan(dcgan, z, labels, info.Classes, graph, layers),
            _ => throw new NotSupportedException($"ONNX export does not know the generator {generator.GetType().Name}."),
        };
        graph.Node("Reshape", [x, graph.Initializer(graph.Fresh("image_shape"), [-1L, c, s, s], 4)], "images");
        graph.Output("images", null, c, s, s);

        string version = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0";
        return graph.ToModel(version, new Dictionary<string, string>
        {
            ["model"] = OptionNames.Name(info.Config.Model),
            ["nz"] = I(nz),
            ["image_size"] = I(s),
            ["channels"] = I(c),
            ["classes"] = I(generator.IsConditional ? info.Classes : 0),
            ["config"] = info.Config.ToJson(),
        });
    }

    private static string Dcgan(DcganGenerator g, string z, string? labels, int classes, OnnxGraph graph, LayerWriter layers)
    {
        string x = z;
        if (labels is not null)
        {
            var identity = new float[classes * classes];
            for (int i = 0; i < classes; i++) identity[i * classes + i] = 1;
            string oneHot = graph.Node("Gather", [graph.Initializer(graph.Fresh("one_hot"), identity, classes, classes), labels]);
            x = graph.Node("Concat", [z, oneHot], OnnxAttribute.Of("axis", 1L));
        }
        if (g.Variant == DcganVariant.PyTorch)
            x = graph.Node("Reshape", [x, graph.Initializer(graph.Fresh("latent_shape"), [-1L, g.LatentSize + (labels is null ? 0 : classes), 1, 1], 4)]);
        return layers.Sequential(Child<Sequential>(g, "main"), "main", x);
    }

    private static T Child<T>(Module parent, string name) where T : Module =>
        parent.NamedChildren().Where(c => c.Name == name).Select(c => c.Module).OfType<T>().SingleOrDefault()
        ?? throw new NotSupportedException($"{parent.GetType().Name} has no {typeof(T).Name} named '{name}'.");

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes layers as nodes, their tensors as initializers named after the state_dict.</summary>
    private sealed class LayerWriter(OnnxGraph graph)
    {
        public string Weights(Tensor t, string name) => graph.Initializer(name, t.ToFloatArray(), t.Shape.ToArray());

        /// <summary>The layers of <paramref name="sequential"/>, registered as <paramref name="prefix"/>, applied to <paramref name="x"/>.</summary>
        public string Sequential(Sequential sequential, string prefix, string x)
        {
            for (int i = 0; i < sequential.Layers.Count; i++) x = Layer(sequential.Layers[i], $"{prefix}.{i}", x);
            return x;
        }

        private string Layer(Module layer, string name, string x) => layer switch
        {
            Linear l => graph.Node("Gemm", l.Bias is { } b ? [x, Weights(l.Weight, $"{name}.weight"), Weights(b, $"{name}.bias")] : [x, Weights(l.Weight, $"{name}.weight")],
                OnnxAttribute.Of("transB", 1L)),
            ConvTranspose2d t => graph.Node("ConvTranspose",
                t.Bias is { } b ? [x, Weights(t.Weight, $"{name}.weight"), Weights(b, $"{name}.bias")] : [x, Weights(t.Weight, $"{name}.weight")],
                OnnxAttribute.Of("kernel_shape", t.Weight.Shape[2], t.Weight.Shape[3]),
                OnnxAttribute.Of("strides", t.Stride, t.Stride),
                OnnxAttribute.Of("pads", t.Padding.Top, t.Padding.Left, t.Padding.Bottom, t.Padding.Right),
                OnnxAttribute.Of("output_padding", t.OutputPadding, t.OutputPadding)),
            BatchNorm { RunningMean: { } mean, RunningVar: { } variance } bn => graph.Node("BatchNormalization",
                [x, Affine(bn.Weight, 1, bn.NumFeatures, $"{name}.weight"), Affine(bn.Bias, 0, bn.NumFeatures, $"{name}.bias"),
                 Weights(mean, $"{name}.running_mean"), Weights(variance, $"{name}.running_var")],
                OnnxAttribute.Of("epsilon", (float)bn.Eps)),
            ReLU => graph.Node("Relu", [x]),
            LeakyReLU r => graph.Node("LeakyRelu", [x], OnnxAttribute.Of("alpha", (float)r.NegativeSlope)),
            Tanh => graph.Node("Tanh", [x]),
            Unflatten u => graph.Node("Reshape", [x, graph.Initializer(graph.Fresh("unflatten_shape"), [-1L, .. u.Shape.Select(d => (long)d)], u.Shape.Count + 1)]),
            _ => throw new NotSupportedException($"ONNX export does not know the layer {layer.GetType().Name} ({name})."),
        };

        /// <summary>BatchNorm's weight or bias, or the identity's ones or zeros when it has none (affine=False).</summary>
        private string Affine(Tensor? t, float missing, int features, string name) =>
            t is null ? graph.Initializer(name, Enumerable.Repeat(missing, features).ToArray(), features) : Weights(t, name);
    }
}
