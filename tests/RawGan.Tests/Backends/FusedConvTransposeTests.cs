using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cpu.Reference;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

/// <summary>
/// <see cref="FusedConvTranspose"/>, the CPU's eval-mode transposed convolution (sub-pixel products with bias and
/// activation in the epilogue), against the independent scalar reference: <see cref="ReferenceDense"/>'s
/// backward-data loops in float64, then the bias and the activation in float64. Sums run in another order, so the
/// conformance suite's bound for convolutions applies: |Δ| ≤ 16·u·m + 1e-5·|expected| with m the terms per output
/// (u = 2⁻²⁴; the activations are contractive). Also: an image's bits do not depend on its batch.
/// </summary>
public class FusedConvTransposeTests
{
    private const double U = 1.0 / (1 << 24);

    public static TheoryData<int[], UnaryOp?> Cases => new()
    {
        // N, Cin, Cout, H, W, R, stride, padTop, padLeft, padBottom, padRight, outputPadding
        { new[] { 2, 8, 20, 5, 3, 4, 2, 1, 1, 1, 1, 0 }, UnaryOp.Relu },       // DCGAN 4×4 stride 2, odd sizes, Cout not a multiple of 16
        { new[] { 1, 16, 3, 4, 4, 4, 2, 1, 1, 1, 1, 0 }, UnaryOp.Tanh },       // an RGB output layer
        { new[] { 2, 8, 3, 16, 16, 4, 2, 1, 1, 1, 1, 0 }, UnaryOp.Tanh },      // ... 16 wide: B read in place
        { new[] { 1, 5, 2, 3, 16, 4, 2, 1, 1, 1, 1, 0 }, UnaryOp.Sigmoid },    // ... 3 panels, not a multiple of 4
        { new[] { 2, 6, 20, 5, 16, 4, 2, 1, 1, 1, 1, 0 }, UnaryOp.Relu },      // 16 + 4 channels, B read in place
        { new[] { 3, 10, 70, 1, 1, 4, 1, 0, 0, 0, 0, 0 }, UnaryOp.LeakyRelu }, // 1×1 → 4×4: the dense path, 64 + 16 channels
        { new[] { 2, 6, 17, 4, 4, 5, 2, 1, 1, 2, 2, 0 }, UnaryOp.Sigmoid },    // TensorFlow 'same' 5×5 stride 2: 3 and 2 taps
        { new[] { 1, 5, 9, 3, 4, 3, 3, 1, 1, 1, 1, 2 }, null },                // stride 3, output padding
        { new[] { 2, 4, 6, 3, 3, 1, 2, 0, 0, 0, 0, 1 }, UnaryOp.Relu },        // 1×1 kernel, stride 2: phases with no taps
        { new[] { 2, 7, 18, 6, 5, 3, 1, 1, 1, 1, 1, 0 }, UnaryOp.Tanh },       // stride 1, padded: one phase, 3×3 taps
        { new[] { 5, 64, 32, 8, 8, 4, 2, 1, 1, 1, 1, 0 }, UnaryOp.Relu },      // big enough for several threads
        { new[] { 2, 3, 40, 1, 1, 4, 2, 1, 1, 1, 1, 0 }, null },               // 1×1 input that is not dense (stride 2)
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_reference_transposed_convolution_with_bias_and_activation(int[] p, UnaryOp? activation)
    {
        if (!FusedConvTranspose.Supported) return; // the layer is then never built (Nn.Fusion checks the same)
        (int n, int cin, int cout, int h, int w, int r, int stride) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        var padding = new Padding2d(p[7], p[8], p[9], p[10]);
        float[] x = Random(n * cin * h * w, 1), weight = Random(cin * cout * r * r, 2), bias = Random(cout, 3);
        const float alpha = 0.2f;

        var fused = new FusedConvTranspose(weight, cin, cout, r, r, (stride, stride), padding.Top, padding.Left, bias, activation, alpha);
        Tensor y = F.ConvTranspose2dFused(Tensor.FromArray(x, new Shape(n, cin, h, w)), Tensor.FromArray(weight, new Shape(cin, cout, r, r)),
            fused, (stride, stride), padding, (p[11], p[11]));

        int outH = (h - 1) * stride - padding.Top - padding.Bottom + r + p[11], outW = (w - 1) * stride - padding.Left - padding.Right + r + p[11];
        var g = new ConvGeometry(n, cout, outH, outW, cin, r, r, stride, stride, padding.Top, padding.Left, padding.Bottom, padding.Right);
        Assert.Equal(g.InputShape, y.Shape.ToArray());
        var expected = new double[n * cout * outH * outW];
        ReferenceDense.Conv2dBackwardData(g, Array.ConvertAll(x, v => (double)v), Array.ConvertAll(weight, v => (double)v), expected);
        for (int i = 0; i < expected.Length; i++) expected[i] = Activate(expected[i] + bias[i / (outH * outW) % cout], activation, alpha);

        float[] actual = y.ToFloatArray();
        double limit = 16 * U * cin * r * r;
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= limit + 1e-5 * Math.Abs(expected[i]),
                $"element {i} of {g}: expected {expected[i]:G9}, got {actual[i]:G9}");
    }

    [Theory]
    [InlineData(100, 512, 1, 4, 1, 0, Quantization.None)] // DCGAN-64's layers at full width: the dense 1×1 → 4×4 one,
    [InlineData(512, 256, 4, 4, 2, 1, Quantization.None)] // a 2×2-tap phase product 2048 deep,
    [InlineData(128, 64, 16, 4, 2, 1, Quantization.None)] // one reading B in place,
    [InlineData(64, 3, 32, 4, 2, 1, Quantization.None)]   // and the RGB output layer;
    [InlineData(256, 128, 8, 4, 2, 1, Quantization.Int8)] // quantised: alone the weight is read compact, in a batch as
    [InlineData(256, 128, 8, 4, 2, 1, Quantization.Bf16)] // its float32 copy (the same values, so the same bits)
    public void An_image_does_not_depend_on_its_batch(int cin, int cout, int size, int r, int stride, int pad, Quantization quantization)
    {
        if (!FusedConvTranspose.Supported) return;
        const int n = 7, chosen = 4;
        float[] x = Random(n * cin * size * size, 4), weight = Random(cin * cout * r * r, 5), bias = Random(cout, 6);
        QuantizedMatrix? q = quantization == Quantization.None ? null : QuantizedMatrix.Quantize(weight, cin, cout * r * r, r * r, quantization);
        if (q is not null)
            for (int i = 0; i < weight.Length; i++) weight[i] = q.Dequantized(i / (cout * r * r), i % (cout * r * r));
        var fused = new FusedConvTranspose(weight, cin, cout, r, r, (stride, stride), pad, pad, bias, UnaryOp.Tanh, 0, q);
        Tensor w = Tensor.FromArray(weight, new Shape(cin, cout, r, r));
        float[] batch = F.ConvTranspose2dFused(Tensor.FromArray(x, new Shape(n, cin, size, size)), w, fused, (stride, stride), pad, (0, 0)).ToFloatArray();
        float[] alone = F.ConvTranspose2dFused(Tensor.FromArray(x.AsSpan(chosen * cin * size * size, cin * size * size).ToArray(), new Shape(1, cin, size, size)),
            w, fused, (stride, stride), pad, (0, 0)).ToFloatArray();
        Assert.Equal(alone, batch.AsSpan(chosen * alone.Length, alone.Length).ToArray());
        if (q is null) return;
        // And the compact weight widened is the dequantised weight: the float32 layer on those values agrees.
        var plain = new FusedConvTranspose(weight, cin, cout, r, r, (stride, stride), pad, pad, bias, UnaryOp.Tanh, 0);
        Assert.Equal(F.ConvTranspose2dFused(Tensor.FromArray(x, new Shape(n, cin, size, size)), w, plain, (stride, stride), pad, (0, 0)).ToFloatArray(), batch);
        float[] plainAlone = F.ConvTranspose2dFused(Tensor.FromArray(x.AsSpan(chosen * cin * size * size, cin * size * size).ToArray(), new Shape(1, cin, size, size)),
            w, plain, (stride, stride), pad, (0, 0)).ToFloatArray();
        Assert.Equal(plainAlone, alone);
    }

    private static double Activate(double v, UnaryOp? op, double alpha) => op switch
    {
        UnaryOp.Relu => Math.Max(v, 0),
        UnaryOp.LeakyRelu => v > 0 ? v : alpha * v,
        UnaryOp.Tanh => Math.Tanh(v),
        UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-v)),
        _ => v,
    };

    private static float[] Random(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(2 * g.NextUniform() - 1);
        return v;
    }
}
