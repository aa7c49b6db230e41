using System.CommandLine;
using System.CommandLine.Help;
using RawGan.Backends;
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
            EvalCommand.Create(),
            ServeCommand.Create(),
            ExportCommand.Create(),
        };
        // A log file, CI or nohup has no width: Spectre's default of 80 columns would hard-wrap paths and the
        // commands a user copies ("Resume with: …"), so lines are left whole.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = short.MaxValue;
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count == 0) return parse.Action is HelpAction && parse.CommandResult.Command == root ? RootHelp(root, parse) : parse.Invoke();
        // One line and the way to the help, not the whole help: the error is what the user needs to see.
        string command = parse.CommandResult.Command == root ? "rawgan" : $"rawgan {parse.CommandResult.Command.Name}";
        AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(UserMessages.Clean(parse.Errors[0].Message))} (see {command} --help)");
        return ExitCodes.BadInput;
    }

    /// <summary>The top-level help, its command list marking optional arguments as optional ("info [file]"):
    /// the parser writes every argument there as required ("info &lt;file&gt;").</summary>
    private static int RootHelp(RootCommand root, ParseResult parse)
    {
        var help = new StringWriter();
        int code = parse.Invoke(new InvocationConfiguration { Output = help });
        string text = help.ToString();
        foreach (Command command in root.Subcommands)
        foreach (Argument argument in command.Arguments.Where(a => a.Arity.MinimumNumberOfValues == 0))
            text = text.Replace($"  {command.Name} <{argument.Name}>", $"  {command.Name} [{argument.Name}]", StringComparison.Ordinal);
        Console.Out.Write(text);
        return code;
    }

    /// <summary>Runs a command, turning the errors a user can fix (bad option, file, shape) into one red line
    /// and <see cref="ExitCodes.BadInput"/>, and a device that fails (out of memory, a failed CUDA call) into one
    /// red line and <see cref="ExitCodes.DeviceFailure"/>, instead of a stack trace.</summary>
    internal static int Guard(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                     or InvalidOperationException and not ObjectDisposedException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(UserMessages.Of(e))}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (IsDeviceFailure(e))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(UserMessages.Of(e))}");
            return ExitCodes.DeviceFailure;
        }
    }

    internal static bool IsDeviceFailure(Exception e) => e is OutOfMemoryException or DeviceException;
}
