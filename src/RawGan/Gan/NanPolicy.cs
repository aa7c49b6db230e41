using System.Text.Json.Serialization;

namespace RawGan.Gan;

/// <summary>What a run does when a loss comes out NaN or infinite.</summary>
public enum NanPolicy
{
    /// <summary>Keep the last good checkpoint and end the run.</summary>
    [JsonStringEnumMemberName("stop")] Stop,
    /// <summary>Reload the last checkpoint and go on with the next batches (up to three times in a row).</summary>
    [JsonStringEnumMemberName("rollback")] Rollback,
}
