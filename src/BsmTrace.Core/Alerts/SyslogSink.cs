using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Alerts;

/// <summary>Alerts to syslog, as the original did when not in the foreground: LOG_AUTH|LOG_NOTICE unless a channel says otherwise.</summary>
public sealed class SyslogSink(string socket, string facility = "auth", string level = "notice", string name = "syslog") : AlertSink
{
    private readonly SyslogConnection _connection = new(socket);
    private readonly int _priority = Syslog.Facilities[facility] | Syslog.Levels[level];

    public override string Name => name;

    public override string DestinationOf(SequenceDefinition sequence) => $"syslog:{socket}:{_priority}";

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        _connection.Send(_priority, alert.ClassicLine);
    }

    protected override void Dispose(bool disposing)
    {
        _connection.Dispose();
        base.Dispose(disposing);
    }
}
