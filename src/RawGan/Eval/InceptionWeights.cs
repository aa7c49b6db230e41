using RawGan.Backends;
using RawGan.IO;
using RawGan.Tensors;

namespace RawGan.Eval;

/// <summary>
/// Where the FID Inception's weights come from: a safetensors file the user brings (pytorch-fid's
/// <c>pt_inception-2015-12-05-6726825d.pth</c> converted by <c>tools/inception/convert.py</c>; it cannot be bundled
/// or downloaded here), named by <c>--inception FILE</c> or the <see cref="EnvironmentVariable"/>.
/// </summary>
public static class InceptionWeights
{
    /// <summary>The environment variable naming the weights when no option does.</summary>
    public const string EnvironmentVariable = "RAWGAN_INCEPTION";

    /// <summary>What to do when no weights are given: the one place that says it, for the CLI and eval.json.</summary>
    public const string HowToGet =
        "FID, KID and IS need the FID Inception-v3 weights, which RawGan cannot download: get pytorch-fid's " +
        "pt_inception-2015-12-05-6726825d.pth (https://github.com/mseitzer/pytorch-fid/releases), convert it with " +
        "`python3 tools/inception/convert.py pt_inception-2015-12-05-6726825d.pth inception.safetensors`, and pass " +
        "--inception inception.safetensors (or set " + EnvironmentVariable + ").";

    /// <summary>The weights file named by <paramref name="option"/>, else by the environment variable; null when neither is set.</summary>
    public static string? Locate(string? option) =>
        !string.IsNullOrEmpty(option) ? option
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
        : null;

    /// <summary>
    /// The network with the weights of <paramref name="path"/>, in evaluation mode on <paramref name="backend"/>.
    /// Every tensor must be there with its torchvision name, shape and float32 dtype, and nothing else
    /// (num_batches_tracked, unused in evaluation, may be present or not, in any integer type).
    /// </summary>
    /// <exception cref="InvalidDataException">One line naming the file and the first mismatch.</exception>
    public static InceptionV3 Load(string path, IBackend backend)
    {
        SafeTensorsFile file;
        try { file = SafeTensors.Read(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidDataException($"{path}: cannot read the Inception weights: {e.Message}", e); }
        var net = new InceptionV3();
        Dictionary<string, Tensor> state = Check(path, file, net);
        net.LoadStateDict(state, strict: false);
        net.To(backend);
        net.Eval();
        return net;
    }

    private static bool Counter(string name) => name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    private static Dictionary<string, Tensor> Check(string path, SafeTensorsFile file, InceptionV3 net)
    {
        var expected = net.StateDict().Where(e => !Counter(e.Name)).ToDictionary(e => e.Name, e => e.Value.Shape);
        string Fail(string what) => $"{path}: {what} (expected pytorch-fid's FID Inception-v3 converted by tools/inception/convert.py).";
        foreach (SafeTensorEntry e in file.Tensors)
            if (!expected.ContainsKey(e.Name) && !Counter(e.Name))
                throw new InvalidDataException(Fail($"unexpected tensor '{e.Name}' {Dims(e.Shape)}" +
                    (e.Name.StartsWith("AuxLogits.", StringComparison.Ordinal) ? ", from torchvision's ImageNet Inception, not the FID one" : "")));
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string name, Shape shape) in expected)
        {
            if (!file.TryGet(name, out SafeTensorEntry? e)) throw new InvalidDataException(Fail($"missing tensor '{name}' {shape}"));
            if (e!.DType != "F32") throw new InvalidDataException(Fail($"tensor '{name}' is {e.DType}, not F32"));
            if (!new Shape(e.Shape).Equals(shape)) throw new InvalidDataException(Fail($"tensor '{name}' has shape {Dims(e.Shape)}, not {shape}"));
            state[name] = Tensor.FromArray(e.ToArray<float>(), shape);
        }
        return state;
    }

    private static string Dims(int[] shape) => new Shape(shape).ToString();
}
