using RawGan.Autograd;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Autograd;

/// <summary>NoGrad scopes nest, as torch.no_grad() does: leaving an inner one keeps the outer one in force.</summary>
public class GradModeTests
{
    [Fact]
    public void Leaving_a_nested_no_grad_keeps_recording_off_until_the_outer_one_ends()
    {
        Tensor x = Tensor.Ones(new Shape(3));
        x.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            using (GradMode.NoGrad()) Assert.False(GradMode.Enabled);
            Assert.False(GradMode.Enabled);
            Assert.False((x * x).RequiresGrad);
        }
        Assert.True(GradMode.Enabled);
        Assert.True((x * x).RequiresGrad);
    }
}
