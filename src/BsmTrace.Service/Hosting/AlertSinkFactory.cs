using BsmTrace.Alerts;
using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Service.Hosting;

/// <summary>Makes the alert sinks the settings and the policy's log channels ask for.</summary>
/// <param name="bufferStderr">
/// Buffer classic lines on stderr (a trail run, where nothing else writes there
/// at the same time); the service's logs share stderr, and only Console.Error's
/// line-at-a-time writes keep the two from interleaving inside a line.
/// </param>
public sealed class AlertSinkFactory(UserDatabase users, TextWriter stderr, bool bufferStderr = false)
{
    /// <summary>
    /// The sinks every alert goes to: classic lines on stderr under -F without
    /// -l, the log directory with -l, syslog when not in the foreground,
    /// evidence files with -B.
    /// </summary>
    public List<AlertSink> DefaultSinks(BsmTraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sinks = new List<AlertSink>();
        bool hasDirectory = !string.IsNullOrEmpty(options.LogDirectory);
        if (options.Foreground && !hasDirectory)
            sinks.Add(new ClassicLineSink(BufferedStderr()));
        if (hasDirectory)
            sinks.Add(LogFileSink.ForDirectory(options.LogDirectory!));
        if (!options.Foreground)
            sinks.Add(new SyslogSink());
        if (options.WritesEvidenceFiles)
            sinks.Add(new EvidenceSink(options.LogDirectory!));
        return sinks;
    }

    /// <summary>
    /// Standard error with a buffer of its own: Console.Error flushes every line,
    /// a system call per alert; the sink flushes when its queue runs empty.
    /// </summary>
    private TextWriter BufferedStderr() =>
        bufferStderr && ReferenceEquals(stderr, Console.Error) ? new StreamWriter(Console.OpenStandardError(), bufferSize: 64 * 1024) { AutoFlush = false } : stderr;

    /// <summary>One sink per log channel the policy defines.</summary>
    public Dictionary<string, AlertSink> ChannelSinks(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.LogChannels.ToDictionary(c => c.Name, c => c.Kind switch
        {
            LogChannelKind.Stderr => (AlertSink)new ClassicLineSink(stderr, c.Name),
            LogChannelKind.Syslog => new SyslogSink(c.SyslogFacility, c.SyslogLevel, c.Name),
            LogChannelKind.File => LogFileSink.ForFile(c.Path!, c.Name),
            LogChannelKind.Bsm => new EvidenceSink(c.Directory!, c.Name),
            _ => JsonAlertSink.Open(c.Path!, policy.Events, users, c.Name),
        }, StringComparer.Ordinal);
    }
}
