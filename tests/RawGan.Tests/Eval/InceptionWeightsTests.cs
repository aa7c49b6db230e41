using RawGan.Backends.Cpu;
using RawGan.Eval;
using RawGan.IO;

namespace RawGan.Tests.Eval;

/// <summary>A weights file that is not the FID Inception's is refused with one line naming the file and the first
/// mismatch; no file at all names what to get and how.</summary>
public sealed class InceptionWeightsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"rawgan-bad-inception-{Guid.NewGuid():N}.safetensors");

    public void Dispose() => File.Delete(_path);

    private string LoadError(params SafeTensorEntry[] entries)
    {
        SafeTensors.Write(_path, entries);
        string message = Assert.Throws<InvalidDataException>(() => InceptionWeights.Load(_path, CpuBackend.Default)).Message;
        Assert.DoesNotContain('\n', message);
        Assert.StartsWith(_path + ": ", message);
        return message;
    }

    private static SafeTensorEntry F32(string name, params int[] shape) =>
        SafeTensorEntry.FromValues<float>(name, shape, new float[shape.Aggregate(1, (p, d) => p * d)]);

    [Fact]
    public void A_missing_tensor_is_named_with_its_shape() =>
        Assert.Contains("missing tensor 'Conv2d_1a_3x3.conv.weight' [32, 3, 3, 3]", LoadError(F32("fc.bias", 1008)));

    [Fact]
    public void A_wrong_shape_is_named() =>
        Assert.Contains("'Conv2d_1a_3x3.conv.weight' has shape [32, 3, 3, 4], not [32, 3, 3, 3]", LoadError(F32("Conv2d_1a_3x3.conv.weight", 32, 3, 3, 4)));

    [Fact]
    public void A_wrong_dtype_is_named() =>
        Assert.Contains("'Conv2d_1a_3x3.conv.weight' is F64, not F32",
            LoadError(SafeTensorEntry.FromValues<double>("Conv2d_1a_3x3.conv.weight", [32, 3, 3, 3], new double[864])));

    [Fact]
    public void ImageNet_weights_are_told_apart_from_the_fid_ones() =>
        Assert.Contains("unexpected tensor 'AuxLogits.fc.weight' [1000, 768], from torchvision's ImageNet Inception",
            LoadError(F32("fc.bias", 1008), F32("AuxLogits.fc.weight", 1000, 768)));

    [Fact]
    public void A_file_that_is_not_safetensors_is_named()
    {
        File.WriteAllText(_path, "not a safetensors file");
        Assert.Contains(_path, Assert.Throws<InvalidDataException>(() => InceptionWeights.Load(_path, CpuBackend.Default)).Message);
    }

    [Fact]
    public void Without_weights_the_option_then_the_environment_decide_and_the_advice_says_how_to_get_them()
    {
        Assert.Equal("given.safetensors", InceptionWeights.Locate("given.safetensors"));
        Assert.Contains("pt_inception-2015-12-05-6726825d.pth", InceptionWeights.HowToGet);
        Assert.Contains("tools/inception/convert.py", InceptionWeights.HowToGet);
        Assert.Contains(InceptionWeights.EnvironmentVariable, InceptionWeights.HowToGet);
    }
}
