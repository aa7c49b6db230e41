using Spectre.Console;
using Spectre.Console.Rendering;

namespace RawGan.Cli;

/// <summary>A line Spectre prints as it is, never broken at the console's width: a message that ends in a path or
/// a command the user copies ("Resume with: rawgan train --resume …") stays one line, which the terminal may
/// soft-wrap on screen but copies whole.</summary>
internal sealed class WholeLine(string text, Style style) : IRenderable
{
    public Measurement Measure(RenderOptions options, int maxWidth) => new(text.Length, text.Length);

    public IEnumerable<Segment> Render(RenderOptions options, int maxWidth) => [new Segment(text, style), Segment.LineBreak];
}
