using BsmTrace.Matching;
using BsmTrace.Policy;

namespace BsmTrace.Alerts;

/// <summary>The original's alert line on standard error: under <c>-F</c> without <c>-l</c>, or a log channel of type stderr.</summary>
public sealed class ClassicLineSink(TextWriter output, string name = "stderr") : AlertSink
{
    /// <summary>The destination of every classic-line sink: there is one standard error.</summary>
    public const string StderrDestination = "stderr";

    public override string Name => name;

    public override string DestinationOf(SequenceDefinition sequence) => StderrDestination;

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        alert.WriteClassicLine(output);
    }

    public override void Flush() => output.Flush();
}
