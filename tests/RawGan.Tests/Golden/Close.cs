using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Tests.Golden;

/// <summary>Comparison of computed values with expected ones: |actual - expected| ≤ atol + rtol·|expected| for every
/// element; on failure the message names the quantity and shows the first values and the largest difference.</summary>
internal static class Close
{
    public static void Assert(string what, ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double atol, double rtol)
    {
        Xunit.Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        int worst = -1, firstBad = -1;
        double worstDiff = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            if (diff > worstDiff || double.IsNaN(diff)) (worstDiff, worst) = (diff, i);
            if (firstBad < 0 && !(diff <= atol + rtol * Math.Abs(expected[i]))) firstBad = i;
        }
        if (firstBad < 0) return;
        Xunit.Assert.Fail($"{what}: element {firstBad} differs (atol {atol}, rtol {rtol}); largest difference {worstDiff:G4} at {worst} " +
                          $"(expected {expected[worst]:G8}, got {actual[worst]:G8})\n  expected: {Head(expected)}\n  actual:   {Head(actual)}");
    }

    public static void Assert(string what, float[] expected, Tensor actual, double atol = 1e-5, double rtol = 1e-4) =>
        Assert(what, Array.ConvertAll(expected, v => (double)v), actual.ToDoubleArray(), atol, rtol);

    private static string Head(ReadOnlySpan<double> v)
    {
        var parts = new List<string>();
        for (int i = 0; i < Math.Min(6, v.Length); i++) parts.Add(v[i].ToString("G6"));
        return string.Join(", ", parts) + (v.Length > 6 ? ", ..." : "");
    }
}

internal static class GoldenTensors
{
    /// <summary>A golden tensor as a float32 tensor on <paramref name="backend"/>, optionally requiring grad.</summary>
    public static Tensor Tensor(this GoldenFile g, string name, IBackend backend, bool requiresGrad = false)
    {
        var t = RawGan.Tensors.Tensor.FromSpan<float>(g.F32(name), g.Dims(name), DType.Float32, backend);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    public static Tensor Indices(this GoldenFile g, string name, IBackend backend) =>
        RawGan.Tensors.Tensor.FromSpan<int>(g.I32(name), g.Dims(name), DType.Int32, backend);
}
