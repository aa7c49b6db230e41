using System.Text;
using RawGan.Tensors;

namespace RawGan.Autograd;

/// <summary>What <see cref="GradCheck.Run"/> found: pass or fail, and a report naming the worst element.</summary>
public sealed record GradCheckResult(bool Passed, double MaxAbsError, string Report)
{
    public override string ToString() => Report;
}

/// <summary>
/// Compares the gradients from <see cref="Tensor.Backward"/> with central finite differences, in float64.
/// The output is reduced to the scalar Σ y·r with a fixed random r, so every output element contributes with its own
/// weight and a rule that swaps or drops elements cannot pass by symmetry. Its gradient is y's backward with r as
/// the upstream gradient, and the finite differences sum on the host: the check uses no op it could be checking.
/// </summary>
public static class GradCheck
{
    /// <param name="f">The function under test; it is called once with recording and many times without.</param>
    /// <param name="inputs">float64 tensors; those with RequiresGrad set are checked.</param>
    /// <param name="eps">The finite-difference step.</param>
    /// <param name="atol">Absolute tolerance: |analytic - numeric| ≤ atol + rtol·|numeric| passes.</param>
    /// <param name="rtol">Relative tolerance.</param>
    public static GradCheckResult Run(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-6, double rtol = 1e-4)
    {
        foreach (Tensor t in inputs)
        {
            if (t.RequiresGrad && t.DType != DType.Float64)
                throw new ArgumentException($"GradCheck needs float64 inputs to mean anything; got {t.DType.Name()} {t.Shape}.");
            // It perturbs each input's storage in logical order: a channels-last input would be perturbed elsewhere.
            if (t.MemoryFormat != MemoryFormat.Contiguous)
                throw new ArgumentException($"GradCheck perturbs inputs in logical order: pass {t.Shape} contiguous and convert it inside f.");
        }

        foreach (Tensor t in inputs) t.Grad = null;
        Tensor y = f(inputs);
        Tensor r = Tensor.Randn(y.Shape, new Generator(0xC0FFEE), DType.Float64, y.Device).To(y.Backend);
        y.Backward(r);
        double[] weights = r.ToDoubleArray();

        var report = new StringBuilder();
        bool passed = true;
        double worst = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            Tensor x = inputs[k];
            if (!x.RequiresGrad) continue;
            double[] analytic = x.Grad?.ToDoubleArray() ?? new double[x.Numel];
            double[] numeric = Numeric(f, inputs, k, weights, eps);
            int worstAt = 0, firstBad = -1;
            double worstDiff = 0;
            for (int i = 0; i < numeric.Length; i++)
            {
                double diff = Math.Abs(analytic[i] - numeric[i]);
                if (diff > worstDiff) (worstDiff, worstAt) = (diff, i);
                if (firstBad < 0 && !(diff <= atol + rtol * Math.Abs(numeric[i]))) firstBad = i;
            }
            worst = Math.Max(worst, worstDiff);
            if (firstBad < 0) continue;
            passed = false;
            report.AppendLine($"input {k} {x.Shape}: gradient mismatch at element {firstBad} (atol {atol}, rtol {rtol})");
            report.AppendLine($"  largest difference {worstDiff:G4} at element {worstAt}: analytic {analytic[worstAt]:G8}, numeric {numeric[worstAt]:G8}");
            report.AppendLine($"  first analytic: {Head(analytic)}");
            report.AppendLine($"  first numeric:  {Head(numeric)}");
        }
        if (passed) report.Append($"gradients agree (largest difference {worst:G3})");
        return new GradCheckResult(passed, worst, report.ToString().TrimEnd());
    }

    private static double[] Numeric(Func<Tensor[], Tensor> f, Tensor[] inputs, int k, double[] weights, double eps)
    {
        Tensor x = inputs[k];
        double[] values = x.ToDoubleArray();
        var grad = new double[values.Length];
        using (GradMode.NoGrad())
        {
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                values[i] = v + eps;
                x.Backend.Upload<double>(values, x.Storage);
                double plus = Dot(f(inputs), weights);
                values[i] = v - eps;
                x.Backend.Upload<double>(values, x.Storage);
                double minus = Dot(f(inputs), weights);
                values[i] = v;
                grad[i] = (plus - minus) / (2 * eps);
            }
            x.Backend.Upload<double>(values, x.Storage);
        }
        return grad;
    }

    /// <summary>Σ y·weights, in float64 on the host.</summary>
    private static double Dot(Tensor y, double[] weights)
    {
        double[] values = y.ToDoubleArray();
        double sum = 0;
        for (int i = 0; i < values.Length; i++) sum += values[i] * weights[i];
        return sum;
    }

    private static string Head(double[] v) => string.Join(", ", v.Take(6).Select(d => d.ToString("G6"))) + (v.Length > 6 ? ", ..." : "");
}
