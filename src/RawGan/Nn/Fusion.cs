using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// Folds a Sequential for eval-mode inference: each Linear or ConvTranspose2d followed by a BatchNorm that uses its
/// running statistics (an Unflatten may sit between, as in TensorFlow's DCGAN) and an activation becomes one
/// <see cref="FusedLayer"/>. With s = γ/√(var + ε) per channel, BatchNorm(W·x + b) = (s·W)·x + (b - mean)·s + β, so
/// the folded layer computes the same function up to float rounding (the fusion tests bound it). With a
/// <see cref="Quantization"/>, each transposed convolution's folded weight is then held as int8 or bf16
/// (<see cref="QuantizedMatrix"/>, CPU only): the weight-only quantisation of `--quantize`.
/// </summary>
public static class Fusion
{
    /// <summary>A new Sequential over copies of the folded weights (the modules it keeps, such as Unflatten, are
    /// shared); later changes to <paramref name="model"/>'s weights are not seen by it.</summary>
    public static Sequential Fold(Sequential model, Quantization quantization = Quantization.None)
    {
        IReadOnlyList<Module> layers = model.Layers;
        var folded = new List<Module>();
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not (Linear or ConvTranspose2d))
            {
                folded.Add(layers[i]);
                continue;
            }
            Module layer = layers[i];
            int next = i + 1;
            Unflatten? unflatten = layer is Linear && next < layers.Count && layers[next] is Unflatten u ? u : null;
            if (unflatten is not null) next++;
            BatchNorm? norm = next < layers.Count && layers[next] is BatchNorm bn && bn.TrackRunningStats && !bn.BatchStatisticsInEval ? bn : null;
            if (norm is null && unflatten is not null) { next--; unflatten = null; }
            if (norm is not null) next++;
            (UnaryOp? activation, double alpha) = next < layers.Count ? ActivationOf(layers[next]) : (null, 0);
            if (activation is not null) next++;
            folded.Add(Fuse(layer, norm, activation, alpha, quantization));
            if (unflatten is not null) folded.Add(unflatten); // the activation is elementwise: applying it first is the same
            i = next - 1;
        }
        return new Sequential([.. folded]);
    }

    private static (UnaryOp?, double) ActivationOf(Module m) => m switch
    {
        ReLU => (UnaryOp.Relu, 0),
        LeakyReLU l => (UnaryOp.LeakyRelu, l.NegativeSlope),
        Tanh => (UnaryOp.Tanh, 0),
        Sigmoid => (UnaryOp.Sigmoid, 0),
        _ => (null, 0),
    };

    private static FusedLayer Fuse(Module layer, BatchNorm? norm, UnaryOp? activation, double alpha, Quantization quantization)
    {
        (Tensor weight, Tensor? bias) = FoldNorm(layer, norm);
        QuantizedMatrix? quantized = quantization == Quantization.None || layer is not ConvTranspose2d ? null : Quantize(weight, quantization);
        FusedConvTranspose? fused = layer is ConvTranspose2d t ? Prepare(t, weight, bias, activation, alpha, quantized) : null;
        return new FusedLayer(layer, weight, bias, activation, alpha, quantized, fused);
    }

    /// <summary>The CPU's fused transposed convolution (sub-pixel products, bias and activation in the epilogue, the
    /// quantised weight read compact where few images share it) for a float32 layer on an AVX-512 CPU; null elsewhere
    /// (the layer then runs the product and the passes after it).</summary>
    private static unsafe FusedConvTranspose? Prepare(ConvTranspose2d layer, Tensor weight, Tensor? bias, UnaryOp? activation, double alpha, QuantizedMatrix? quantized)
    {
        if (weight.Backend is not CpuBackend || weight.DType != DType.Float32 || !FusedConvTranspose.Supported) return null;
        if (activation is not (null or UnaryOp.Relu or UnaryOp.LeakyRelu or UnaryOp.Tanh or UnaryOp.Sigmoid)) return null;
        // Quantised, the layer computes with the dequantised values wherever it reads floats.
        ReadOnlySpan<float> values = quantized is null ? weight.ToFloatArray() : new ReadOnlySpan<float>(quantized.Float, quantized.Rows * quantized.Cols);
        return new FusedConvTranspose(values, weight.Shape[0], weight.Shape[1], weight.Shape[2], weight.Shape[3],
            (layer.Stride, layer.Stride), layer.Padding.Top, layer.Padding.Left, bias?.ToFloatArray(), activation, (float)alpha, quantized);
    }

    /// <summary>A transposed convolution's weight [in, out, k, k] as the matrix [in, out·k·k] its forward multiplies by,
    /// quantised per output channel.</summary>
    private static QuantizedMatrix Quantize(Tensor weight, Quantization quantization)
    {
        if (weight.Backend is not CpuBackend || weight.DType != DType.Float32)
            throw new ArgumentException($"Quantised weights run on the CPU in float32, not on {weight.Backend.Name} in {weight.DType}.");
        int inner = weight.Shape[2] * weight.Shape[3];
        return QuantizedMatrix.Quantize(weight.ToFloatArray(), weight.Shape[0], weight.Shape[1] * inner, inner, quantization);
    }

    /// <summary>The layer's weight and bias with the BatchNorm folded in (as they are without one).</summary>
    private static (Tensor Weight, Tensor? Bias) FoldNorm(Module layer, BatchNorm? norm)
    {
        (Tensor weight, Tensor? bias) = layer switch
        {
            Linear l => (l.Weight, l.Bias),
            ConvTranspose2d t => (t.Weight, t.Bias),
            _ => throw new ArgumentException($"Fusion: cannot fold {layer.GetType().Name}."),
        };
        if (norm is null) return (weight, bias);

        // Output unit o of the layer: a Linear's row o ([out, in]); a transposed convolution's channel o is dim 1
        // of its [in, out, k, k] weight. A BatchNorm channel covers `group` consecutive units (Linear → Unflatten).
        int outputs = layer is Linear ? weight.Shape[0] : weight.Shape[1];
        int group = outputs / norm.NumFeatures;
        double[] w = weight.ToDoubleArray(), mean = norm.RunningMean!.ToDoubleArray(), variance = norm.RunningVar!.ToDoubleArray();
        double[]? gamma = norm.Weight?.ToDoubleArray(), beta = norm.Bias?.ToDoubleArray(), b = bias?.ToDoubleArray();
        var scale = new double[outputs];
        var foldedBias = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            int c = o / group;
            scale[o] = (gamma?[c] ?? 1) / Math.Sqrt(variance[c] + norm.Eps);
            foldedBias[o] = ((b?[o] ?? 0) - mean[c]) * scale[o] + (beta?[c] ?? 0);
        }
        int inner = layer is Linear ? weight.Shape[1] : weight.Shape[2] * weight.Shape[3]; // elements per (row, unit)
        for (long e = 0; e < w.Length; e++) w[e] *= scale[(int)(e / inner % outputs)];
        IBackend backend = weight.Backend;
        Tensor foldedWeight = Tensor.FromArray(w, weight.Shape).ToDType(weight.DType).To(backend);
        Tensor foldedB = Tensor.FromArray(foldedBias, new Shape(outputs)).ToDType(weight.DType).To(backend);
        return (foldedWeight, foldedB);
    }
}
