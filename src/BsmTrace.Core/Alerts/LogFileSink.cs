using BsmTrace.Matching;

namespace BsmTrace.Alerts;

/// <summary>
/// Classic lines appended to files: <c>-l DIR</c> writes DIR/bsmtrace.log, or
/// the file a sequence's <c>logfile</c> names inside DIR; a file channel writes
/// its one path. Files are opened for appending (log rotation by newsyslog
/// moves them; they are reopened when they disappear) and created 0640.
/// </summary>
public sealed class LogFileSink : AlertSink
{
    public const string DefaultFile = "bsmtrace.log";

    private readonly string? _directory;
    private readonly string? _path;
    private readonly string _name;
    private readonly Dictionary<string, StreamWriter> _open = new(StringComparer.Ordinal);

    private LogFileSink(string? directory, string? path, string name)
    {
        _directory = directory;
        _path = path;
        _name = name;
    }

    /// <summary>The log directory of <c>-l</c>.</summary>
    public static LogFileSink ForDirectory(string directory) => new(directory, null, "logdir");

    /// <summary>A file log channel.</summary>
    public static LogFileSink ForFile(string path, string name) => new(null, path, name);

    public override string Name => _name;

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        string path = _path ?? Path.Combine(_directory!, alert.Sequence.LogFile ?? DefaultFile);
        var writer = Open(path);
        alert.WriteClassicLine(writer);
    }

    public override void Flush()
    {
        foreach (var w in _open.Values)
            w.Flush();
    }

    private StreamWriter Open(string path)
    {
        if (_open.TryGetValue(path, out var writer))
        {
            if (File.Exists(path))
                return writer;
            writer.Dispose(); // rotated away: start a new file
            _open.Remove(path);
        }

        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
        });
        writer = new StreamWriter(stream) { AutoFlush = false };
        _open.Add(path, writer);
        return writer;
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var w in _open.Values)
            w.Dispose();
        _open.Clear();
        base.Dispose(disposing);
    }
}
