using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RawGan.Cli.Serve;

/// <summary>
/// The HTTP face of `rawgan serve`: Kestrel and minimal APIs from the ASP.NET Core shared framework. Endpoints:
/// POST /generate, GET /models, GET /health, and the OpenAPI document at /openapi/v1.json. Every refusal is an
/// application/problem+json body; an unexpected failure is a 500 that says nothing about the server's insides.
/// Stopping (SIGTERM, Ctrl+C, <see cref="WebApplication.StopAsync"/>) refuses new jobs with 503 and finishes the
/// requests in flight.
/// </summary>
internal sealed class ServeApp : IAsyncDisposable
{
    private ServeApp(WebApplication app, ServeState state)
    {
        App = app;
        State = state;
    }

    public WebApplication App { get; }
    public ServeState State { get; }

    /// <summary>Builds the server for <paramref name="models"/> on <paramref name="host"/>:<paramref name="port"/>
    /// (port 0: any free one; see <see cref="Urls"/> once started). Starts each model's batcher and warm-up.</summary>
    public static ServeApp Create(IReadOnlyList<ServedModel> models, ServeLimits limits, string host, int port, LogLevel logLevel = LogLevel.Warning)
    {
        limits.Validate();
        if (models.Count == 0) throw new ArgumentException("Serve at least one model: --run, --checkpoint or --model NAME=PATH.");
        string? twice = models.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null) throw new ArgumentException($"Two models are named '{twice}'; name them apart with --model NAME=PATH.");
        IPAddress address = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : throw new ArgumentException($"--host must be an IP address or localhost, not '{host}'.");

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(logLevel);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(address, port);
            // The endpoint refuses a body past MaxBodyBytes itself, with a problem body; Kestrel then drains what the
            // client still sends, so it reads that answer, unless the body runs past this larger bound.
            k.Limits.MaxRequestBodySize = limits.MaxBodyBytes * 4L + 65536;
        });
        var device = new Lock(); // one forward at a time: the models share the device
        var state = new ServeState(models.Select(m => new GenerationBatcher(m, limits, device)).ToArray(), limits);
        builder.Services.AddSingleton(state);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();

        WebApplication app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            foreach (GenerationBatcher b in state.Batchers) b.BeginShutdown();
        });

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapPost("/generate", GenerateEndpoint.HandleAsync)
            .WithName("Generate")
            .WithSummary("Images from a served generator, by seed or explicit noise; png, grid, zip or npy.")
            .Accepts<GenerateRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["application/zip", "application/octet-stream"])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/models", () => state.Batchers.Select(b => b.Model.Describe()).ToArray())
            .WithName("Models")
            .WithSummary("The served generators: kind, image size, classes, nz, device, parameter count and the run's config.");
        app.MapGet("/health", () => state.Ready
                ? Results.Ok(new Health("ready"))
                : Results.Json(new Health(state.Batchers.Any(b => b.Warm.IsFaulted) ? "failed" : "warming"), statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("Health")
            .WithSummary("200 once every model has run its warm-up forward, 503 before.")
            .Produces<Health>()
            .Produces<Health>(StatusCodes.Status503ServiceUnavailable);
        return new ServeApp(app, state);
    }

    /// <summary>The addresses Kestrel listens on, once started.</summary>
    public ICollection<string> Urls => App.Urls;

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        foreach (GenerationBatcher b in State.Batchers) await b.DisposeAsync();
    }
}

/// <summary>GET /health: ready, warming or failed (the warm-up forward threw; see the server's log).</summary>
internal sealed record Health(string Status);
