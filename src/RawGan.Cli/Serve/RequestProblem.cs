using Microsoft.AspNetCore.Http;

namespace RawGan.Cli.Serve;

/// <summary>A request the server refuses with 400: which field is wrong, what was wrong with it, and what it accepts.
/// Its message is written for the client and holds nothing about the server's insides.</summary>
internal sealed class RequestProblem(string field, string detail, string allowed) : Exception(detail)
{
    public string Field { get; } = field;
    public string Allowed { get; } = allowed;

    public IResult ToResult() => Results.Problem(detail: Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request",
        extensions: new Dictionary<string, object?> { ["field"] = Field, ["allowed"] = Allowed });
}
