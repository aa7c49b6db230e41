namespace RawGan.IO;

/// <summary>A whole safetensors file in memory: its metadata and its tensors in file order.</summary>
public sealed class SafeTensorsFile(string source, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafeTensorEntry> tensors)
{
    private readonly Dictionary<string, SafeTensorEntry> _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The path it was read from.</summary>
    public string Source { get; } = source;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;
    public IReadOnlyList<SafeTensorEntry> Tensors { get; } = tensors;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message names the file.</exception>
    public SafeTensorEntry Get(string name) =>
        _byName.TryGetValue(name, out SafeTensorEntry? entry) ? entry
            : throw new KeyNotFoundException($"'{Source}' has no tensor '{name}' (it has {Tensors.Count}: {Preview()}).");

    public bool TryGet(string name, out SafeTensorEntry? entry) => _byName.TryGetValue(name, out entry);

    private string Preview() => string.Join(", ", Tensors.Take(8).Select(t => t.Name)) + (Tensors.Count > 8 ? ", …" : "");
}
