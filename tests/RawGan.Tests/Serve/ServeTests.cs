using System.IO.Compression;
using System.Net;
using System.Text.Json;
using RawGan.Cli;
using RawGan.Cli.Serve;
using RawGan.Tests.Cli;
using Spectre.Console;

namespace RawGan.Tests.Serve;

/// <summary>`rawgan serve` over real HTTP on a loopback port: every endpoint, the same bytes as `rawgan sample`,
/// every kind of bad input refused with a problem body, many concurrent requests, overload and shutdown.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ServeTests(ServeFixture fixture) : IClassFixture<ServeFixture>
{
    private readonly string _dir = fixture.Dir, _dcgan = fixture.Dcgan, _cdcgan = fixture.Cdcgan;
    private readonly TestServer _server = fixture.Server;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs `rawgan sample` on <paramref name="generator"/> into a fresh folder, returned.</summary>
    private string Sample(string generator, params string[] args)
    {
        string output = Path.Combine(_dir, "sample-" + Guid.NewGuid().ToString("N"));
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        Assert.Equal(0, Program.Main(["sample", "--checkpoint", generator, "--out", output, "--device", "cpu", .. args]));
        return output;
    }

    [Fact]
    public async Task A_seed_gives_the_bytes_rawgan_sample_writes()
    {
        string single = Sample(_dcgan, "--seed", "7", "--count", "1");
        HttpResponseMessage png = await _server.PostAsync("""{ "model": "digits", "seed": 7 }""");
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "sample-0000.png")), await png.Content.ReadAsByteArrayAsync(Ct));

        string files = Sample(_cdcgan, "--seed", "3", "--count", "5");
        HttpResponseMessage zip = await _server.PostAsync("""{ "model": "labels", "seed": 3, "count": 5, "format": "zip" }""");
        Assert.Equal("application/zip", zip.Content.Headers.ContentType!.MediaType);
        using var archive = new ZipArchive(await zip.Content.ReadAsStreamAsync(Ct));
        Assert.Equal(5, archive.Entries.Count);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            using var bytes = new MemoryStream();
            entry.Open().CopyTo(bytes);
            Assert.Equal(File.ReadAllBytes(Path.Combine(files, entry.Name)), bytes.ToArray());
        }

        string grid = Sample(_cdcgan, "--seed", "3", "--count", "6", "--label", "2", "--grid");
        HttpResponseMessage gridPng = await _server.PostAsync("""{ "model": "labels", "seed": 3, "count": 6, "label": 2, "format": "grid" }""");
        Assert.Equal(File.ReadAllBytes(Path.Combine(grid, "grid-label2.png")), await gridPng.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Npy_holds_the_floats_of_explicit_noise_and_truncation_clamps_it()
    {
        float[] z = [0.5f, -3, 2.5f, 0, 1, -1, 0.25f, 4];
        string body(float[] v, string extra) => $$"""{ "model": "digits", "noise": [[{{string.Join(",", v)}}]], "format": "npy"{{extra}} }""";
        HttpResponseMessage truncated = await _server.PostAsync(body(z, """, "truncation": 1.5"""));
        HttpResponseMessage clamped = await _server.PostAsync(body(z.Select(v => Math.Clamp(v, -1.5f, 1.5f)).ToArray(), ""));
        byte[] npy = await truncated.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, truncated.StatusCode);
        Assert.Equal(await clamped.Content.ReadAsByteArrayAsync(Ct), npy);
        Assert.Equal("\u0093NUMPY", System.Text.Encoding.Latin1.GetString(npy, 0, 6));
        string header = System.Text.Encoding.ASCII.GetString(npy, 10, BitConverter.ToUInt16(npy, 8));
        Assert.Contains("'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 8, 8)", header);
        Assert.Equal(0, (10 + header.Length) % 64);
        Assert.Equal(10 + header.Length + 64 * 4, npy.Length);
    }

    [Fact]
    public async Task Models_health_and_the_openapi_document_describe_the_server()
    {
        using JsonDocument models = JsonDocument.Parse(await _server.Client.GetStringAsync("/models", Ct));
        JsonElement labels = models.RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "labels");
        Assert.Equal("cdcgan", labels.GetProperty("kind").GetString());
        Assert.Equal(8, labels.GetProperty("imageSize").GetInt32());
        Assert.Equal(1, labels.GetProperty("channels").GetInt32());
        Assert.True(labels.GetProperty("conditional").GetBoolean());
        Assert.Equal(3, labels.GetProperty("classes").GetInt32());
        Assert.Equal(8, labels.GetProperty("nz").GetInt32());
        Assert.Equal(_server.Serve.State.Find("labels").Model.Generator.ParameterCount(), labels.GetProperty("parameters").GetInt64());
        Assert.Equal(4, labels.GetProperty("config").GetProperty("ngf").GetInt32());
        Assert.Equal(0, models.RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "digits").GetProperty("classes").GetInt32());

        HttpResponseMessage health = await _server.Client.GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("ready", await health.Content.ReadAsStringAsync(Ct));

        using JsonDocument openApi = JsonDocument.Parse(await _server.Client.GetStringAsync("/openapi/v1.json", Ct));
        JsonElement paths = openApi.RootElement.GetProperty("paths");
        foreach (string path in new[] { "/generate", "/models", "/health" }) Assert.True(paths.TryGetProperty(path, out _), path);
        Assert.True(paths.GetProperty("/generate").GetProperty("post").TryGetProperty("requestBody", out _));
    }

    [Theory]
    [InlineData("""{ "model": "digits", "count": 1,""", "body")]
    [InlineData("""not json""", "body")]
    [InlineData("""[1, 2]""", "body")]
    [InlineData("""null""", "body")]
    [InlineData("""{ "model": "digits", "count": "many" }""", "count")]
    [InlineData("""{ "model": "digits", "seed": -1 }""", "seed")]
    [InlineData("""{ "model": "digits", "noise": [[1, 2, 3]] }""", "noise")]
    [InlineData("""{ "model": "digits", "noise": [[1, 2, 3, 4, 5, 6, 7, "NaN"]] }""", "noise")]
    [InlineData("""{ "model": "digits", "noise": [[1, 2, 3, 4, 5, 6, 7, 1e999]] }""", "noise")]
    [InlineData("""{ "model": "digits", "noise": [[1, 2, 3, 4, 5, 6, 7, 8]], "count": 2, "format": "npy" }""", "noise")]
    [InlineData("""{ "model": "digits", "noise": [[1, 2, 3, 4, 5, 6, 7, 8]], "seed": 1 }""", "noise")]
    [InlineData("""{ "model": "labels", "label": 3 }""", "label")]
    [InlineData("""{ "model": "labels", "label": -1 }""", "label")]
    [InlineData("""{ "model": "digits", "label": 0 }""", "label")]
    [InlineData("""{ "model": "digits", "count": 17, "format": "zip" }""", "count")]
    [InlineData("""{ "model": "digits", "count": 0 }""", "count")]
    [InlineData("""{ "model": "digits", "count": 2 }""", "format")]
    [InlineData("""{ "model": "digits", "format": "gif" }""", "format")]
    [InlineData("""{ "model": "digits", "truncation": 0 }""", "truncation")]
    [InlineData("""{ "model": "nope" }""", "model")]
    [InlineData("""{ "seed": 1 }""", "model")]
    [InlineData("""{ "model": "digits", "colour": "red" }""", "colour")]
    public async Task Bad_input_is_a_400_problem_naming_the_field(string body, string field)
    {
        HttpResponseMessage response = await _server.PostAsync(body);
        await AssertProblem(response, field);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_by_its_length()
    {
        string padding = new(' ', 5000);
        await AssertProblem(await _server.PostAsync($$"""{ "model": "digits" {{padding}} }"""), "body");
        // Without a Content-Length (chunked), the server stops reading at the limit.
        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($$"""{ "model": "digits" {{padding}} }""")));
        chunked.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/generate") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await AssertProblem(await _server.Client.SendAsync(request, Ct), "body");
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync("""{ "model": "digits" }""")).StatusCode); // still serving
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_and_an_unknown_path_404_both_problems()
    {
        HttpResponseMessage form = await _server.Client.PostAsync("/generate", new StringContent("seed=1"), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal("application/problem+json", form.Content.Headers.ContentType!.MediaType);
        HttpResponseMessage missing = await _server.Client.GetAsync("/nothing", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
    }

    private static async Task AssertProblem(HttpResponseMessage response, string field)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using JsonDocument problem = JsonDocument.Parse(text);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("allowed").GetString()));
        Assert.DoesNotContain("System.", text); // no .NET type names or stack frames
        Assert.DoesNotContain("   at ", text);
    }

    [Fact]
    public async Task Two_hundred_concurrent_requests_are_batched_and_each_gets_its_own_image()
    {
        ServedModel model = _server.Serve.State.Find("labels").Model;
        Task<byte[]>[] answers = Enumerable.Range(0, 200).Select(async i =>
        {
            HttpResponseMessage r = await _server.PostAsync($$"""{ "model": "labels", "seed": {{i}}, "label": {{i % 3}}, "format": "npy" }""");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return await r.Content.ReadAsByteArrayAsync(Ct);
        }).ToArray();
        byte[][] bytes = await Task.WhenAll(answers);
        GenerationBatcher batcher = _server.Serve.State.Find("labels");
        Assert.True(batcher.LargestBatch > 1, "no two requests were batched together");
        for (int i = 0; i < 200; i += 13)
        {
            float[] alone = Alone(model, (ulong)i, i % 3);
            Assert.Equal(alone, Floats(bytes[i]));
        }
    }

    [Fact]
    public async Task An_image_does_not_depend_on_its_batch_mates()
    {
        ServedModel model = _server.Serve.State.Find("labels").Model;
        float[] alone = Alone(model, 11, 1);
        await using var batcher = new GenerationBatcher(model, new ServeLimits { MaxWait = TimeSpan.FromSeconds(5), MaxBatch = 10 }, new Lock());
        var jobs = new[]
        {
            new GenerationJob(4, 99, null, null, [2, 0, 1, 2]),
            new GenerationJob(1, 11, null, null, [1]),
            new GenerationJob(5, 0, Enumerable.Range(0, 40).Select(v => v / 10f - 2).ToArray(), 1.5f, [0, 0, 0, 1, 2]),
        };
        foreach (GenerationJob job in jobs) Assert.Equal(Admission.Queued, batcher.TryEnqueue(job));
        await Task.WhenAll(jobs.Select(j => j.Images));
        Assert.Equal(1, batcher.Batches);
        Assert.Equal(10, batcher.LargestBatch);
        Assert.Equal(alone, await jobs[1].Images);
    }

    /// <summary>The image of one seed and label generated by itself in a batch of one.</summary>
    private static float[] Alone(ServedModel model, ulong seed, int label)
    {
        var z = RawGan.Tensors.Tensor.Randn(new RawGan.Tensors.Shape(1, model.Nz), new RawGan.Tensors.Generator(seed));
        return RawGan.Gan.Sampling.Generate(model.Generator, z, RawGan.Tensors.Tensor.FromArray(new[] { label }, new RawGan.Tensors.Shape(1)));
    }

    private static float[] Floats(byte[] npy)
    {
        int start = 10 + BitConverter.ToUInt16(npy, 8);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(npy.AsSpan(start)).ToArray();
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after()
    {
        await using TestServer server = await TestServer.StartAsync(new ServeLimits { MaxCount = 1, QueueImages = 1, MaxWait = TimeSpan.FromSeconds(1) }, ("digits", _dcgan));
        GenerationBatcher batcher = server.Serve.State.Batchers[0];
        Task<HttpResponseMessage> first = server.PostAsync("{}");
        await WaitUntil(() => batcher.QueuedImages == 1);
        HttpResponseMessage refused = await server.PostAsync("{}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        await WaitUntil(() => batcher.QueuedImages == 0); // room again
    }

    [Fact]
    public async Task Shutdown_finishes_the_request_in_flight_and_refuses_new_ones()
    {
        TestServer server = await TestServer.StartAsync(new ServeLimits { MaxWait = TimeSpan.FromSeconds(2) }, ("digits", _dcgan));
        GenerationBatcher batcher = server.Serve.State.Batchers[0];
        Task<HttpResponseMessage> inFlight = server.PostAsync("""{ "seed": 7 }""");
        await WaitUntil(() => batcher.QueuedImages == 1);

        Task stopping = server.Serve.App.StopAsync(Ct);
        using var late = new HttpClient { BaseAddress = server.Client.BaseAddress };
        try
        {
            HttpResponseMessage refused = await late.PostAsync("/generate", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }
        catch (HttpRequestException)
        {
            // Kestrel had already closed its listening socket: refused at connect, as a stopped server should.
        }

        HttpResponseMessage answered = await inFlight;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Sample(_dcgan, "--seed", "7", "--count", "1"), "sample-0000.png")), await answered.Content.ReadAsByteArrayAsync(Ct));
        await stopping;
        await server.DisposeAsync();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++) await Task.Delay(10, Ct);
        Assert.True(condition());
    }

    [Fact]
    public void Serve_needs_a_model_and_well_formed_names()
    {
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        Assert.Equal(2, Program.Main(["serve"]));
        Assert.Equal(2, Program.Main(["serve", "--model", "noequals"]));
        Assert.Equal(2, Program.Main(["serve", "--model", $"a={_dcgan}", "--max-count", "0", "--device", "cpu"]));
        Assert.Equal(2, Program.Main(["serve", "--model", $"a={_dcgan}", "--host", "example.com", "--device", "cpu"]));
    }
}
