using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Alerts;

/// <summary>
/// Makes the alert sinks the settings and a policy's log channels ask for. Each is opened as it
/// is made, so that a path that cannot be written fails here, with a line naming it, before
/// anything uses the outputs.
/// </summary>
public sealed class AlertSinkFactory(AlertOutputSettings settings, UserDatabase users)
{
    /// <summary>
    /// The sinks every alert goes to: classic lines on stderr under -F without
    /// -l, the log directory with -l, syslog when not in the foreground,
    /// evidence files with -B.
    /// </summary>
    public List<AlertSink> DefaultSinks()
    {
        var sinks = new List<AlertSink>();
        try
        {
            bool hasDirectory = !string.IsNullOrEmpty(settings.LogDirectory);
            if (settings.Foreground && !hasDirectory)
                sinks.Add(new ClassicLineSink(BufferedStderr()));
            if (hasDirectory)
                sinks.Add(LogFileSink.ForDirectory(settings.LogDirectory!, settings.Account));
            if (!settings.Foreground)
                sinks.Add(new SyslogSink(settings.SyslogSocket));
            if (settings.WritesEvidenceFiles)
                sinks.Add(new EvidenceSink(settings.LogDirectory!, account: settings.Account));
            return sinks;
        }
        catch
        {
            Close(sinks);
            throw;
        }
    }

    /// <summary>
    /// Standard error with a buffer of its own: Console.Error flushes every line,
    /// a system call per alert; the sink flushes when its queue runs empty.
    /// </summary>
    private TextWriter BufferedStderr() =>
        settings.BufferStderr && ReferenceEquals(settings.Stderr, Console.Error)
            ? new StreamWriter(Console.OpenStandardError(), bufferSize: 64 * 1024) { AutoFlush = false }
            : settings.Stderr;

    /// <summary>One sink per log channel the policy defines, all opened; if one cannot be, none is left open.</summary>
    /// <exception cref="IOException">A channel's file or directory cannot be opened: the message names the channel and the path.</exception>
    public Dictionary<string, AlertSink> ChannelSinks(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var sinks = new Dictionary<string, AlertSink>(StringComparer.Ordinal);
        foreach (var c in policy.LogChannels)
        {
            try
            {
                sinks.Add(c.Name, c.Kind switch
                {
                    LogChannelKind.Stderr => new ClassicLineSink(settings.Stderr, c.Name),
                    LogChannelKind.Syslog => new SyslogSink(settings.SyslogSocket, c.SyslogFacility, c.SyslogLevel, c.Name),
                    LogChannelKind.File => LogFileSink.ForFile(c.Path!, c.Name, settings.Account),
                    LogChannelKind.Bsm => new EvidenceSink(c.Directory!, c.Name, settings.Account),
                    _ => JsonAlertSink.Open(c.Path!, policy.Events, users, c.Name, settings.Account),
                });
            }
            catch (IOException e)
            {
                Close(sinks.Values);
                throw new IOException($"log channel {c.Name} ({c.Location}): {e.Message}", e);
            }
        }

        return sinks;
    }

    private static void Close(IEnumerable<AlertSink> sinks)
    {
        foreach (var sink in sinks)
        {
            try
            {
                sink.Dispose();
            }
            catch (IOException)
            {
                // Closing what was opened for nothing: its own failure changes nothing.
            }
        }
    }
}
