namespace BsmTrace.Alerts;

/// <summary>The outputs every alert goes to, as the command line and settings choose them.</summary>
public sealed record AlertOutputSettings
{
    /// <summary><c>-F</c>: classic lines on standard error (unless a log directory is set) instead of syslog.</summary>
    public bool Foreground { get; init; }

    /// <summary><c>-l</c>: the directory for bsmtrace.log (and evidence with <c>-B</c>); null for none.</summary>
    public string? LogDirectory { get; init; }

    /// <summary><c>-B</c>: evidence files under the log directory.</summary>
    public bool Evidence { get; init; }

    /// <summary>The syslog daemon's local socket.</summary>
    public string SyslogSocket { get; init; } = Unix.Syslog.DefaultSocket;

    /// <summary>Standard error, where classic lines go in the foreground.</summary>
    public TextWriter Stderr { get; init; } = Console.Error;

    /// <summary>
    /// Buffer classic lines on standard error (a trail run, where nothing else writes there at the
    /// same time). The service's logs share stderr, and only Console.Error's line-at-a-time writes
    /// keep the two from interleaving inside a line.
    /// </summary>
    public bool BufferStderr { get; init; }

    /// <summary>Bytes of alerts (their records included) each output's queue may hold while the output is behind.</summary>
    public long QueueBudgetBytes { get; init; } = AlertDispatcher.DefaultQueueBytes;

    /// <summary>The user the service becomes (<c>--user</c>), who writes the outputs after the change; null for none.</summary>
    public Unix.ServiceAccount? Account { get; init; }

    /// <summary>Whether evidence files are written for every alert (<c>-B</c> needs a log directory to put them in).</summary>
    public bool WritesEvidenceFiles => Evidence && !string.IsNullOrEmpty(LogDirectory);
}
