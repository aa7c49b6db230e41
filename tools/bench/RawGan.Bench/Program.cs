using RawGan.Bench;

// rawgan-bench gemm | conv | ops | step | inception | kernels | infer | all — prints "kind name ms GFLOP/s ..." lines, with '#'
// lines saying what was measured; compare.py pairs the CPU sections with peer_gemm.py's. Exit codes: 0 done, 1 a case
// failed, 2 usage, 3 (CudaDevice.Unavailable) no usable CUDA device for a GPU benchmark.
const string usage = "usage: RawGan.Bench gemm | conv | ops | step [cpu|cuda] [--model cgan|dcgan|all] [--batch N] [--precision fp32|tf32|bf16 | --tf32] [--cuda-graphs] [--seconds S] | inception [cpu|cuda] [--batch N] | kernels [cuda] | infer [BATCH...] | all";
string command = args.Length > 0 ? args[0] : "all";
switch (command)
{
    case "gemm": GemmBench.Run(); break;
    case "conv": ConvBench.Run(); break;
    case "ops": OpsBench.Run(); break;
    case "step": return StepBench.Run(args[1..]);
    case "inception": return InceptionBench.Run(args[1..]);
    case "infer": return InferBench.Run(args[1..]);
    case "kernels": return KernelBench.Run(args[1..]);
    case "all": GemmBench.Run(); ConvBench.Run(); OpsBench.Run(); break;
    default:
        Console.Error.WriteLine(usage);
        return 2;
}
return 0;
