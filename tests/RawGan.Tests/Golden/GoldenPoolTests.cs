using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Golden;

/// <summary>Pooling and resizing against PyTorch (tools/golden/make_inception_golden.py): values and the gradients
/// of Σ y·dy, on both CPU tiers. Sums of at most 12 terms (pools) or 2·4 taps per axis (resizes): GoldenOpTests'
/// tolerances hold with a wide margin.</summary>
public class GoldenPoolTests
{
    private static IBackend Backend(string name) => name == "reference" ? ReferenceBackend.Instance : CpuBackend.Default;

    [Theory]
    [InlineData("max_k3s2", "default")]
    [InlineData("max_k3s1p1", "default")]
    [InlineData("max_k2s2p1", "reference")]
    [InlineData("avg_k3s1p1_exclude", "default")]
    [InlineData("avg_k3s1p1_include", "reference")]
    [InlineData("avg_k2s2p1_exclude", "default")]
    [InlineData("adaptive_1x1", "default")]
    [InlineData("adaptive_4x3", "reference")]
    public void Pooling(string name, string backend)
    {
        var g = GoldenFile.Load("pool");
        Tensor x = g.Tensor("x", Backend(backend), requiresGrad: true);
        Tensor y = name switch
        {
            "max_k3s2" => F.MaxPool2d(x, 3, 2),
            "max_k3s1p1" => F.MaxPool2d(x, 3, 1, 1),
            "max_k2s2p1" => F.MaxPool2d(x, 2, 2, 1),
            "avg_k3s1p1_exclude" => F.AvgPool2d(x, 3, 1, 1, countIncludePad: false),
            "avg_k3s1p1_include" => F.AvgPool2d(x, 3, 1, 1),
            "avg_k2s2p1_exclude" => F.AvgPool2d(x, 2, 2, 1, countIncludePad: false),
            "adaptive_1x1" => F.AdaptiveAvgPool2d(x, 1, 1),
            _ => F.AdaptiveAvgPool2d(x, 4, 3),
        };
        Assert.Equal(g.Dims($"{name}.y"), y.Shape);
        y.Backward(g.Tensor($"{name}.dy", x.Backend));
        Close.Assert($"{name} y", g.F32($"{name}.y"), y);
        Close.Assert($"{name} dx", g.F32($"{name}.dx"), x.Grad!);
    }

    [Theory]
    [InlineData("bilinear", false, "default")]
    [InlineData("bilinear", true, "default")]
    [InlineData("bicubic", false, "reference")]
    [InlineData("bicubic", true, "default")]
    public void Interpolate(string mode, bool antialias, string backend)
    {
        var g = GoldenFile.Load("interpolate");
        foreach ((int h, int w) in new[] { (13, 5), (3, 29) })
        {
            string name = $"{mode}{(antialias ? "_aa" : "")}_{h}x{w}";
            Tensor x = g.Tensor("x", Backend(backend), requiresGrad: true);
            Tensor y = F.Interpolate(x, h, w, mode == "bilinear" ? InterpolationMode.Bilinear : InterpolationMode.Bicubic, antialias);
            y.Backward(g.Tensor($"{name}.dy", x.Backend));
            Close.Assert($"{name} y", g.F32($"{name}.y"), y);
            Close.Assert($"{name} dx", g.F32($"{name}.dx"), x.Grad!);
        }
    }
}
