namespace RawGan.Ops;

/// <summary>
/// The matrices [out, in] (row-major, float64) of 1-D resampling: each output is a weighted sum of inputs, so an
/// image resize is one such matrix per axis. The formulas are PyTorch's (upsample kernels, align_corners false)
/// and PIL's (Resample.c precompute_coeffs), which PyTorch's antialiased modes copy.
/// </summary>
internal static class ResizeWeights
{
    public static double[] Resize(int input, int output, InterpolationMode mode, bool antialias) => (mode, antialias) switch
    {
        (InterpolationMode.Bilinear, false) => Sampled(input, output, 2, Triangle),
        (InterpolationMode.Bicubic, false) => Sampled(input, output, 4, t => Cubic(t, -0.75)),
        (InterpolationMode.Bilinear, true) => Antialiased(input, output, 1, Triangle),
        _ => Antialiased(input, output, 2, t => Cubic(t, -0.5)),
    };

    private static double Triangle(double t) => Math.Max(0, 1 - Math.Abs(t));

    /// <summary>Keys' cubic convolution kernel with parameter a (PIL and PyTorch write it the same way).</summary>
    private static double Cubic(double t, double a)
    {
        t = Math.Abs(t);
        if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
        if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
        return 0;
    }

    /// <summary>PyTorch without antialias: output i samples source position (i + 0.5)·in/out - 0.5 with the
    /// <paramref name="taps"/> nearest inputs, indices clamped to the edge (linear: the position clamped at 0 first,
    /// as upsample_bilinear2d does).</summary>
    private static double[] Sampled(int input, int output, int taps, Func<double, double> filter)
    {
        var m = new double[output * input];
        double scale = (double)input / output;
        for (int i = 0; i < output; i++)
        {
            double src = (i + 0.5) * scale - 0.5;
            if (taps == 2) src = Math.Max(src, 0);
            int first = (int)Math.Floor(src) - (taps / 2 - 1);
            for (int k = 0; k < taps; k++)
            {
                int j = first + k;
                m[i * input + Math.Clamp(j, 0, input - 1)] += filter(src - j);
            }
        }
        return m;
    }

    /// <summary>PIL's resampling: the filter stretched by the downscaling factor (never shrunk), centred at
    /// (i + 0.5)·in/out, cut to the inputs it covers and normalised to sum 1.</summary>
    private static double[] Antialiased(int input, int output, double support, Func<double, double> filter)
    {
        var m = new double[output * input];
        double scale = (double)input / output, filterScale = Math.Max(scale, 1);
        support *= filterScale;
        for (int i = 0; i < output; i++)
        {
            double center = (i + 0.5) * scale;
            int lo = Math.Max((int)(center - support + 0.5), 0), hi = Math.Min((int)(center + support + 0.5), input);
            double total = 0;
            for (int j = lo; j < hi; j++) total += m[i * input + j] = filter((j - center + 0.5) / filterScale);
            if (total != 0)
                for (int j = lo; j < hi; j++) m[i * input + j] /= total;
        }
        return m;
    }

    /// <summary>adaptive_avg_pool: output i averages inputs [⌊i·in/out⌋, ⌈(i+1)·in/out⌉).</summary>
    public static double[] AdaptiveAverage(int input, int output)
    {
        var m = new double[output * input];
        for (int i = 0; i < output; i++)
        {
            int lo = (int)((long)i * input / output), hi = (int)(((long)(i + 1) * input + output - 1) / output);
            for (int j = lo; j < hi; j++) m[i * input + j] = 1.0 / (hi - lo);
        }
        return m;
    }
}
