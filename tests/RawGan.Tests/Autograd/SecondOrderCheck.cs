using System.Text;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Autograd;

/// <summary>
/// GradCheck one order up. With G(x) = ∂(Σ f(x)·r)/∂x the first-order gradient (r fixed and random), the scalar
/// s(x) = Σ G(x)·w (w fixed and random, one per input) is differentiated twice over: analytically by
/// <see cref="F.Grad"/> through the recorded backward pass (create_graph), and numerically by central differences of s
/// computed from the ordinary first-order backward. Mixed terms count: for a piecewise-linear net, ∂²/∂x² is zero but
/// ∂²/∂x∂W is not, so checking x and W together is what makes a check of LeakyReLU nets able to fail.
/// </summary>
internal static class SecondOrderCheck
{
    public static void Grad(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-6, double rtol = 1e-5)
    {
        Tensor[] checkedInputs = inputs.Where(t => t.RequiresGrad).ToArray();
        Tensor y0 = f(inputs);
        Tensor r = Tensor.Randn(y0.Shape, new Generator(0xC0FFEE), DType.Float64, y0.Backend);
        double[][] w = checkedInputs.Select((t, k) => Tensor.Randn(t.Shape, new Generator(0xBEEF + (ulong)k), DType.Float64, t.Backend).ToDoubleArray()).ToArray();

        Tensor?[] first = F.Grad(f(inputs), checkedInputs, r, createGraph: true);
        Tensor? s = null;
        for (int k = 0; k < first.Length; k++)
        {
            if (first[k] is not Tensor g || !g.RequiresGrad) continue;
            Tensor term = F.Sum(F.Mul(g, Tensor.FromSpan<double>(w[k], g.Shape, DType.Float64, g.Backend)));
            s = s is null ? term : F.Add(s, term);
        }
        Assert.True(s is not null, "the first-order gradient does not depend on any input: the check would be vacuous");
        Tensor?[] analytic = F.Grad(s!, checkedInputs);

        var report = new StringBuilder();
        for (int k = 0; k < checkedInputs.Length; k++)
        {
            Tensor x = checkedInputs[k];
            double[] a = analytic[k]?.ToDoubleArray() ?? new double[x.Numel];
            double[] values = x.ToDoubleArray();
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                values[i] = v + eps;
                x.Backend.Upload<double>(values, x.Storage);
                double plus = S(f, inputs, checkedInputs, r, w);
                values[i] = v - eps;
                x.Backend.Upload<double>(values, x.Storage);
                double minus = S(f, inputs, checkedInputs, r, w);
                values[i] = v;
                x.Backend.Upload<double>(values, x.Storage);
                double numeric = (plus - minus) / (2 * eps);
                if (!(Math.Abs(a[i] - numeric) <= atol + rtol * Math.Abs(numeric)))
                    report.AppendLine($"input {k} {x.Shape} element {i}: second-order analytic {a[i]:G8}, numeric {numeric:G8}");
            }
        }
        Assert.True(report.Length == 0, report.ToString());
    }

    /// <summary>s(x) on the host from the first-order backward alone (nothing recorded twice).</summary>
    private static double S(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] checkedInputs, Tensor r, double[][] w)
    {
        Tensor?[] g = F.Grad(f(inputs), checkedInputs, r);
        double sum = 0;
        for (int k = 0; k < g.Length; k++)
        {
            if (g[k] is null) continue;
            double[] gk = g[k]!.ToDoubleArray();
            for (int i = 0; i < gk.Length; i++) sum += gk[i] * w[k][i];
        }
        return sum;
    }
}
