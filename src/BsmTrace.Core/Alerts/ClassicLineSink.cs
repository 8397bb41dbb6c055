using BsmTrace.Matching;

namespace BsmTrace.Alerts;

/// <summary>The original's alert line on a text stream: standard error under <c>-F</c>, or a log channel of type stderr.</summary>
public sealed class ClassicLineSink(TextWriter output, string name = "stderr") : AlertSink
{
    public override string Name => name;

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        alert.WriteClassicLine(output);
    }

    public override void Flush() => output.Flush();
}
