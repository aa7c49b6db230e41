using Microsoft.AspNetCore.Http;
using RawGan.Gan;

namespace RawGan.Cli.Serve;

/// <summary>POST /generate: read and check the body, queue the job with its model's batcher, encode the images.</summary>
internal static class GenerateEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, ServeState state)
    {
        try
        {
            byte[] body = await ReadBodyAsync(http.Request, state.Limits.MaxBodyBytes, http.RequestAborted);
            GenerateRequest request = GenerateRequest.Parse(body);
            (GenerationBatcher batcher, GenerationJob job, ImageFormat format) = Plan(request, state);
            switch (batcher.TryEnqueue(job))
            {
                case Admission.QueueFull:
                    http.Response.Headers.RetryAfter = "1";
                    return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy",
                        detail: $"Model '{batcher.Model.Name}' has {state.Limits.QueueImages} images queued, its limit; retry shortly.");
                case Admission.ShuttingDown:
                    http.Response.Headers.RetryAfter = "5";
                    return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down",
                        detail: "The server is shutting down and takes no new requests.");
            }
            float[] images = await job.Images;
            return ImageFormats.Encode(format, images, job.Count, batcher.Model, request.Label);
        }
        catch (RequestProblem problem)
        {
            return problem.ToResult();
        }
    }

    /// <summary>The body, refused past <paramref name="limit"/> bytes without reading the rest.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancel)
    {
        RequestProblem tooLarge = new("body", $"The body is larger than the server's limit of {limit} bytes.", $"at most {limit} bytes");
        if (request.ContentLength > limit) throw tooLarge;
        var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancel)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit) throw tooLarge;
        }
        return buffer.ToArray();
    }

    /// <summary>Checks every field against the model and the limits; the job to queue and how to return it.</summary>
    private static (GenerationBatcher, GenerationJob, ImageFormat) Plan(GenerateRequest r, ServeState state)
    {
        GenerationBatcher batcher = state.Find(r.Model);
        ServedModel model = batcher.Model;
        int maxCount = state.Limits.MaxCount;

        if (r.Noise is not null && r.Seed is not null)
            throw new RequestProblem("noise", "Give either seed or noise, not both.", "seed or noise");
        int count = r.Count ?? r.Noise?.Length ?? 1;
        if (count < 1 || count > maxCount)
            throw new RequestProblem("count", $"count must be from 1 to {maxCount}, not {count}.", $"1 to {maxCount}");
        float[]? noise = r.Noise is null ? null : Flatten(r.Noise, count, model.Nz);

        if (r.Truncation is { } t && !(t > 0 && float.IsFinite(t)))
            throw new RequestProblem("truncation", $"truncation must be a positive finite number, not {t}.", "a number > 0");

        int[]? labels = null;
        if (model.Generator.IsConditional)
        {
            if (r.Label is { } l && (l < 0 || l >= model.Classes))
                throw new RequestProblem("label", $"label must be from 0 to {model.Classes - 1} for model '{model.Name}', not {l}.", $"0 to {model.Classes - 1}");
            labels = Enumerable.Range(0, count).Select(i => r.Label ?? i % model.Classes).ToArray();
        }
        else if (r.Label is not null)
        {
            throw new RequestProblem("label", $"Model '{model.Name}' is unconditional ({OptionNames.Name(model.Info.Config.Model)}) and takes no label.", "no label");
        }

        string formatText = r.Format ?? "png";
        if (!ImageFormats.TryParse(formatText, out ImageFormat format))
            throw new RequestProblem("format", $"Unknown format '{formatText}'.", GenerateRequest.Accepts["format"]);
        if (format == ImageFormat.Png && count != 1)
            throw new RequestProblem("format", $"format png holds one image; for count {count} ask for grid, zip or npy.", "grid, zip or npy when count > 1");

        return (batcher, new GenerationJob(count, r.Seed ?? 0, noise, r.Truncation, labels), format);
    }

    private static float[] Flatten(float[][] noise, int count, int nz)
    {
        if (noise.Length != count)
            throw new RequestProblem("noise", $"noise holds {noise.Length} vectors but count is {count}.", $"{count} lists of {nz} numbers");
        var z = new float[count * nz];
        for (int i = 0; i < count; i++)
        {
            float[]? row = noise[i];
            if (row is null || row.Length != nz)
                throw new RequestProblem("noise", $"noise[{i}] has {row?.Length ?? 0} values; the model's latent size nz is {nz}.", $"{nz} finite numbers per image");
            for (int j = 0; j < nz; j++)
                if (!float.IsFinite(row[j]))
                    throw new RequestProblem("noise", $"noise[{i}][{j}] is {row[j]}; latent values must be finite.", "finite numbers");
            row.CopyTo(z, i * nz);
        }
        return z;
    }
}
