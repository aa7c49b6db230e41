using RawGan.Autograd;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Tensors;

namespace RawGan.Tests.Autograd;

/// <summary>The one helper that makes an op's gradient check a line: random float64 inputs on the reference
/// backend, the op, finite differences, and on failure a report with the first values and the largest difference.</summary>
internal static class OpCheck
{
    private static int _seed = 1;

    /// <summary>A float64 tensor on the reference backend, uniform in [low, high), requiring grad.</summary>
    public static Tensor Input(int[] shape, double low = -1, double high = 1, bool requiresGrad = true)
    {
        var g = new Generator((ulong)Interlocked.Increment(ref _seed));
        var values = new double[new Shape(shape).Numel];
        for (int i = 0; i < values.Length; i++) values[i] = low + (high - low) * g.NextUniform();
        Tensor t = Tensor.FromSpan<double>(values, shape, DType.Float64, ReferenceBackend.Instance);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    /// <summary>Checks f's gradients in every input with the tolerances given (see GradCheck for their meaning).</summary>
    public static void Grad(Func<Tensor[], Tensor> f, int[][] shapes, double atol = 1e-6, double rtol = 1e-5, double low = -1, double high = 1) =>
        Grad(f, shapes.Select(s => Input(s, low, high)).ToArray(), atol, rtol);

    public static void Grad(Func<Tensor[], Tensor> f, Tensor[] inputs, double atol = 1e-6, double rtol = 1e-5)
    {
        GradCheckResult result = GradCheck.Run(f, inputs, atol: atol, rtol: rtol);
        Assert.True(result.Passed, result.Report);
    }

    public static int[] S(params int[] dims) => dims;
}
