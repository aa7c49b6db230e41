using RawGan.Backends.Cpu;
using RawGan.Cli.Serve;

namespace RawGan.Tests.Serve;

/// <summary>A real Kestrel server on a loopback port serving tiny models, and an HttpClient for it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(ServeApp serve, HttpClient client)
    {
        Serve = serve;
        Client = client;
    }

    public ServeApp Serve { get; }
    public HttpClient Client { get; }

    /// <summary>Serves the generator files (name, path) on 127.0.0.1 at a free port, once warm.</summary>
    public static async Task<TestServer> StartAsync(ServeLimits limits, params (string Name, string Path)[] models)
    {
        ServedModel[] served = models.Select(m => ServedModel.Load(m.Name, m.Path, CpuBackend.Default)).ToArray();
        ServeApp serve = ServeApp.Create(served, limits, "127.0.0.1", 0, Microsoft.Extensions.Logging.LogLevel.None);
        await serve.App.StartAsync();
        foreach (GenerationBatcher b in serve.State.Batchers) await b.Warm;
        var client = new HttpClient { BaseAddress = new Uri(serve.Urls.Single()), Timeout = TimeSpan.FromSeconds(60) };
        return new TestServer(serve, client);
    }

    public Task<HttpResponseMessage> PostAsync(string json) =>
        Client.PostAsync("/generate", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Serve.App.StopAsync();
        await Serve.DisposeAsync();
    }
}
