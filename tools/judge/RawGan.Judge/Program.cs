// Trains the bundled digit judge (src/RawGan/Eval/DigitJudge.cs) with RawGan on the CPU, reproducibly from a seed:
// the same seed, epochs and data give the same weights bit for bit. Usage: RawGan.Judge IMAGES.gz LABELS.gz OUT.safetensors
// Beside the weights it writes OUT-reference.npz: the judge's feature statistics of the digits it trained on.
using System.Globalization;
using RawGan.Autograd;
using RawGan.Data;
using RawGan.Eval;
using RawGan.IO;
using RawGan.Ops;
using RawGan.Optim;
using RawGan.Tensors;

const ulong Seed = 1;
const int Epochs = 20, BatchSize = 50;
const double Lr = 1e-3;
const int Pixels = DigitJudge.ImageSize * DigitJudge.ImageSize;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: RawGan.Judge IMAGES-idx3-ubyte.gz LABELS-idx1-ubyte.gz OUT.safetensors");
    return 2;
}
var data = new MnistDataset(args[0], args[1]);
var train = Enumerable.Range(0, data.Count).Where(i => !DigitJudge.IsHeldOut(i)).ToArray();
var heldOut = Enumerable.Range(0, data.Count).Where(DigitJudge.IsHeldOut).ToArray();
(float[] trainImages, int[] trainLabels) = Load(data, train);
(float[] heldOutImages, int[] heldOutLabels) = Load(data, heldOut);

var judge = new DigitJudge(new Generator(Seed));
var adam = new Adam(judge.Parameters(), Lr);
var shuffle = new Generator(Seed + 1);
var shift = new Generator(Seed + 2);
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    judge.Train();
    // Step decay for the last third: the held-out accuracy stops wandering once the steps are small.
    adam.Lr = epoch > Epochs * 2 / 3 ? Lr / 10 : Lr;
    int[] order = shuffle.Permutation(train.Length);
    double lossSum = 0;
    for (int start = 0; start + BatchSize <= order.Length; start += BatchSize)
    {
        var x = new float[BatchSize * Pixels];
        var target = new float[BatchSize * DigitJudge.ClassCount];
        for (int i = 0; i < BatchSize; i++)
        {
            int k = order[start + i];
            Shift(trainImages.AsSpan(k * Pixels, Pixels), x.AsSpan(i * Pixels, Pixels), shift.NextInt(5) - 2, shift.NextInt(5) - 2);
            target[i * DigitJudge.ClassCount + trainLabels[k]] = 1;
        }
        using var scope = new TensorScope();
        Tensor logits = judge.Forward(Tensor.FromArray(x, new Shape(BatchSize, 1, DigitJudge.ImageSize, DigitJudge.ImageSize)));
        Tensor loss = CrossEntropy(logits, Tensor.FromArray(target, new Shape(BatchSize, DigitJudge.ClassCount)));
        loss.Backward();
        adam.Step();
        adam.ZeroGrad();
        lossSum += loss.Item();
    }
    judge.Eval();
    double accuracy = Accuracy(judge.Judge(heldOutImages, heldOut.Length), heldOutLabels);
    Console.WriteLine($"epoch {epoch,2}: loss {lossSum / (train.Length / BatchSize):F4}, held-out accuracy {accuracy:P2}");
}

double final = Accuracy(judge.Judge(heldOutImages, heldOut.Length), heldOutLabels);
var entries = judge.StateDict().Select(e => SafeTensorEntry.FromValues<float>(e.Name, e.Value.Shape.ToArray(), e.Value.ToArray<float>())).ToList();
SafeTensors.Write(args[2], entries, new Dictionary<string, string>
{
    ["format"] = "rawgan-digit-judge",
    ["trained_by"] = "tools/judge/train-judge.sh",
    ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
    ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
    ["held_out_accuracy"] = final.ToString("R", CultureInfo.InvariantCulture),
});
Console.WriteLine($"wrote {args[2]}: held-out accuracy {final:P2} on {heldOut.Length} digits");
string reference = Path.ChangeExtension(args[2], null) + "-reference.npz";
NpzStatistics.Write(reference, judge.ReferenceStatistics(trainImages));
Console.WriteLine($"wrote {reference}: mu and sigma of the judge's features of the {train.Length} digits it trained on");
return 0;

// Softmax cross-entropy (torch.nn.CrossEntropyLoss on one-hot targets) from RawGan's ops: the row maximum is a
// constant shift that keeps exp from overflowing and leaves the loss and its gradient unchanged.
static Tensor CrossEntropy(Tensor logits, Tensor oneHot)
{
    int n = logits.Shape[0], c = logits.Shape[1];
    float[] values = logits.ToFloatArray();
    var max = new float[n];
    for (int i = 0; i < n; i++) max[i] = values.AsSpan(i * c, c).ToArray().Max();
    Tensor shifted = logits - Tensor.FromArray(max, new Shape(n, 1));
    Tensor logSumExp = F.Log(F.SumTo(F.Exp(shifted), new Shape(n, 1)));
    return F.Mean(logSumExp - F.SumTo(shifted * oneHot, new Shape(n, 1)));
}

// Augmentation: the digit moved by (dx, dy) pixels, background (-1) filling what comes into view. 8,000 digits
// are few for a network of 90,000 weights; without shifts it overfits below 97% on the held-out digits.
static void Shift(ReadOnlySpan<float> image, Span<float> shifted, int dx, int dy)
{
    const int Side = DigitJudge.ImageSize;
    shifted.Fill(-1);
    for (int y = Math.Max(0, dy); y < Math.Min(Side, Side + dy); y++)
        for (int x = Math.Max(0, dx); x < Math.Min(Side, Side + dx); x++)
            shifted[y * Side + x] = image[(y - dy) * Side + x - dx];
}

static (float[] Images, int[] Labels) Load(IDataset data, int[] indices)
{
    var images = new float[indices.Length * Pixels];
    var labels = new int[indices.Length];
    for (int i = 0; i < indices.Length; i++) data.Load(indices[i], images.AsSpan(i * Pixels, Pixels), 0, out labels[i]);
    return (images, labels);
}

static double Accuracy(JudgedImages judged, int[] labels) =>
    Enumerable.Range(0, labels.Length).Count(i => judged.Predicted(i) == labels[i]) / (double)labels.Length;
