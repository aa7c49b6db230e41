using RawGan.Bench;

// rawgan-bench gemm | conv | ops | step | all — prints "kind name ms GFLOP/s" lines that compare.py pairs with peer_gemm.py's.
string command = args.Length > 0 ? args[0] : "all";
switch (command)
{
    case "gemm": GemmBench.Run(); break;
    case "conv": ConvBench.Run(); break;
    case "ops": OpsBench.Run(); break;
    case "step": StepBench.Run(args.Length > 1 ? args[1] : "cpu"); break;
    case "all": GemmBench.Run(); ConvBench.Run(); OpsBench.Run(); break;
    default:
        Console.Error.WriteLine("usage: RawGan.Bench gemm | conv | ops | step [cpu|cuda] | all");
        return 2;
}
return 0;
