namespace RawGan.Cli.Serve;

/// <summary>The served models' batchers, by name, and the limits requests are held to.</summary>
internal sealed class ServeState(IReadOnlyList<GenerationBatcher> batchers, ServeLimits limits)
{
    public IReadOnlyList<GenerationBatcher> Batchers { get; } = batchers;
    public ServeLimits Limits { get; } = limits;

    /// <summary>The batcher of the model a request names; with a single model the name may be left out.</summary>
    public GenerationBatcher Find(string? name)
    {
        string names = string.Join(", ", Batchers.Select(b => b.Model.Name));
        if (name is null)
            return Batchers.Count == 1 ? Batchers[0] : throw new RequestProblem("model", $"Several models are served; name one: {names}.", names);
        return Batchers.FirstOrDefault(b => b.Model.Name == name)
               ?? throw new RequestProblem("model", $"Unknown model '{name}'.", names);
    }

    /// <summary>Ready once every model has done its warm-up forward.</summary>
    public bool Ready => Batchers.All(b => b.Warm.IsCompletedSuccessfully);
}
