using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using RawGan.Backends;
using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Cli.Serve;

/// <summary>`rawgan serve`: trained generators behind HTTP (<see cref="ServeApp"/>) until SIGTERM or Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Serve trained generators over HTTP: POST /generate, GET /models, GET /health, /openapi/v1.json.");
        var run = new Option<DirectoryInfo>("--run") { Description = "a run folder (serves its generator.safetensors, named after the folder)" };
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "a checkpoint or generator .safetensors file (named after the file)" };
        var models = new Option<string[]>("--model") { Description = "NAME=PATH of a run folder or generator file; repeat to serve several" };
        // Nullable options with the defaults applied below: the parser's "[default: 8080]" would repeat "(default 8080)".
        var port = new Option<int?>("--port") { Description = "TCP port (default 8080; 0 picks a free one)" };
        var host = new Option<string?>("--host") { Description = "address to listen on (default 127.0.0.1)" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto (default auto)" };
        var defaults = new ServeLimits();
        var maxCount = new Option<int?>("--max-count") { Description = $"most images per request (default {defaults.MaxCount})" };
        var maxBatch = new Option<int?>("--max-batch") { Description = $"most images per generator forward (default {defaults.MaxBatch})" };
        var maxWait = new Option<double?>("--max-wait-ms") { Description = $"how long a batch's first request waits for batch-mates (default {defaults.MaxWait.TotalMilliseconds}: requests that arrive during a forward form the next batch)" };
        var queue = new Option<int?>("--queue") { Description = $"images queued per model before 503 (default {defaults.QueueImages})" };
        var maxBody = new Option<int?>("--max-body") { Description = $"largest request body in bytes (default {defaults.MaxBodyBytes})" };
        var quantize = QuantizeChoice.Create();
        foreach (Option o in new Option[] { run, checkpoint, models, port, host, device, maxCount, maxBatch, maxWait, queue, maxBody, quantize }) command.Add(o);
        command.SetAction(p => Program.Guard(() =>
        {
            var limits = new ServeLimits
            {
                MaxCount = p.GetValue(maxCount) ?? defaults.MaxCount, MaxBatch = p.GetValue(maxBatch) ?? defaults.MaxBatch,
                MaxWait = p.GetValue(maxWait) is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.MaxWait,
                QueueImages = p.GetValue(queue) ?? defaults.QueueImages, MaxBodyBytes = p.GetValue(maxBody) ?? defaults.MaxBodyBytes,
            };
            return Run(Sources(p.GetValue(run), p.GetValue(checkpoint), p.GetValue(models) ?? []), limits, p.GetValue(host) ?? "127.0.0.1", p.GetValue(port) ?? 8080, p.GetValue(device) ?? "auto",
                       p.GetValue(quantize));
        }));
        return command;
    }

    /// <summary>(name, path) of each model to serve, from --run, --checkpoint and --model NAME=PATH.</summary>
    internal static List<(string Name, string Path)> Sources(DirectoryInfo? run, FileInfo? checkpoint, string[] named)
    {
        var sources = new List<(string, string)>();
        if (run is not null) sources.Add((ServedModel.DefaultName(run.FullName), run.FullName));
        if (checkpoint is not null) sources.Add((ServedModel.DefaultName(checkpoint.FullName), checkpoint.FullName));
        foreach (string spec in named)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0 || eq == spec.Length - 1) throw new ArgumentException($"--model takes NAME=PATH, not '{spec}'.");
            sources.Add((spec[..eq], Path.GetFullPath(spec[(eq + 1)..])));
        }
        if (sources.Count == 0) throw new ArgumentException("Give a generator to serve: --run RUN_DIR, --checkpoint FILE or --model NAME=PATH.");
        return sources;
    }

    private static int Run(List<(string Name, string Path)> sources, ServeLimits limits, string host, int port, string device, string? quantize)
    {
        IBackend backend = DeviceChoice.Resolve(device);
        Quantization quantization = QuantizeChoice.Resolve(quantize, backend);
        ServedModel[] models = sources.Select(s => ServedModel.Load(s.Name, s.Path, backend, quantization)).ToArray();
        ServeApp serve = ServeApp.Create(models, limits, host, port, LogLevel.Warning);
        serve.App.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (ServedModel m in models)
                AnsiConsole.MarkupLine($"Serving [bold]{Markup.Escape(m.Name)}[/] ({OptionNames.Name(m.Info.Config.Model)}, {m.Info.ImageSize}×{m.Info.ImageSize}, {Markup.Escape(backend.Name)}" +
                                       (quantization == Quantization.None ? ")" : $", {OptionNames.Name(quantization)} weights)"));
            AnsiConsole.MarkupLine($"Listening on [bold]{Markup.Escape(string.Join(", ", serve.Urls))}[/]; Ctrl+C stops after the requests in flight.");
        });
        serve.App.Run();
        serve.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
