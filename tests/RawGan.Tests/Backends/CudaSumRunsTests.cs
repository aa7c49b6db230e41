using RawGan.Backends.Cuda;
using RawGan.Tensors;

namespace RawGan.Tests.Backends;

/// <summary>SumTo's decomposition into kept and reduced runs, which reduce.ptx launches as [A, R, B].</summary>
public sealed class CudaSumRunsTests
{
    [Fact]
    public void SumTo_groups_axes_into_kept_and_reduced_runs()
    {
        static string Runs(int[] x, int[] y) =>
            string.Join(" ", CudaBackend.SumRuns(new Shape(x), new Shape(y)).Select(r => (r.Reduced ? "R" : "K") + r.Size));
        Assert.Equal("R8 K16 R81", Runs([8, 16, 9, 9], [16, 1, 1]));
        Assert.Equal("R64 K33", Runs([64, 33], [33]));
        Assert.Equal("K64 R33", Runs([64, 33], [64, 1]));
        Assert.Equal("R1000", Runs([1000], []));
        Assert.Equal("K210", Runs([5, 6, 7], [5, 6, 7]));
        Assert.Equal("R2 K3 R4 K5 R6", Runs([2, 3, 4, 5, 6], [3, 1, 5, 1]));
        Assert.Equal("K5 R6 K7", Runs([5, 1, 6, 7], [5, 1, 1, 7]));
    }
}
