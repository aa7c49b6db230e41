using System.CommandLine;
using RawGan.Backends.Cuda;
using RawGan.Cli.Commands;
using RawGan.Cli.Serve;
using Spectre.Console;

namespace RawGan.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("rawgan: train and sample generative adversarial networks on a tensor engine written in C#.")
        {
            TrainCommand.Create(),
            SampleCommand.Create(),
            InfoCommand.Create(),
            ServeCommand.Create(),
            ExportCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }

    /// <summary>Runs a command, turning the errors a user can fix (bad option, file, shape) into one red line
    /// and exit code 2, and a device that fails (out of memory, a failed CUDA call) into one red line and exit
    /// code 1, instead of a stack trace.</summary>
    internal static int Guard(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                     or InvalidOperationException and not ObjectDisposedException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
        catch (Exception e) when (IsDeviceFailure(e))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
    }

    internal static bool IsDeviceFailure(Exception e) => e is OutOfMemoryException or CudaException;
}
