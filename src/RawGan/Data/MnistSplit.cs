namespace RawGan.Data;

/// <summary>Which half of the standard MNIST files to read.</summary>
public enum MnistSplit
{
    /// <summary>The 60,000 training digits: <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>.</summary>
    Train,

    /// <summary>The 10,000 test digits: <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>.</summary>
    Test,
}
