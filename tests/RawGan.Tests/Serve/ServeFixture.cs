using RawGan.Cli.Serve;

namespace RawGan.Tests.Serve;

/// <summary>Tiny DCGAN and cDCGAN generator files, and one server for them shared by <see cref="ServeTests"/>.</summary>
public sealed class ServeFixture : IAsyncLifetime
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("rawgan-serve-").FullName;
    public string Dcgan { get; private set; } = "";
    public string Cdcgan { get; private set; } = "";
    internal TestServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Dcgan = TinyGenerators.Write(Path.Combine(Dir, "dcgan"), "dcgan");
        Cdcgan = TinyGenerators.Write(Path.Combine(Dir, "cdcgan"), "cdcgan", classes: 3);
        Server = await TestServer.StartAsync(new ServeLimits { MaxCount = 16, MaxBodyBytes = 4096, MaxWait = TimeSpan.FromMilliseconds(20) },
            ("digits", Dcgan), ("labels", Cdcgan));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
