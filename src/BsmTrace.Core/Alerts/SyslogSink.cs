using BsmTrace.Matching;
using BsmTrace.Unix;

namespace BsmTrace.Alerts;

/// <summary>Alerts to syslog(3), as the original did when not in the foreground: LOG_AUTH|LOG_NOTICE unless a channel says otherwise.</summary>
public sealed class SyslogSink(string facility = "auth", string level = "notice", string name = "syslog") : AlertSink
{
    public override string Name => name;

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Syslog.Send(facility, level, alert.ClassicLine);
    }
}
