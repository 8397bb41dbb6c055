using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Alerts;

/// <summary>
/// Classic lines appended to files: <c>-l DIR</c> writes DIR/bsmtrace.log, or
/// the file a sequence's <c>logfile</c> names inside DIR; a file channel writes
/// its one path. Files are opened when the sink is made (or, for a reloaded policy's
/// logfiles, before the policy is used), so a path that cannot be written is found
/// then, not at the first alert; they are created 0640 and reopened when they
/// disappear (log rotation by newsyslog moves them). Each line is one write(2) on an
/// O_APPEND descriptor: whole on disk or not there, and counted when it is not.
/// </summary>
public sealed class LogFileSink : AlertSink
{
    public const string DefaultFile = "bsmtrace.log";
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly string? _directory;
    private readonly string? _path;
    private readonly string _name;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, AppendFile> _open = new(StringComparer.Ordinal);

    private LogFileSink(string? directory, string? path, string name)
    {
        _directory = directory;
        _path = path;
        _name = name;
        Open(PathFor(null));
    }

    /// <summary>The log directory of <c>-l</c> (made 0700 if it does not exist).</summary>
    public static LogFileSink ForDirectory(string directory)
    {
        OutputFile.EnsureDirectory(directory);
        return new LogFileSink(directory, null, "logdir");
    }

    /// <summary>A file log channel.</summary>
    public static LogFileSink ForFile(string path, string name) => new(null, path, name);

    public override string Name => _name;

    public override string DestinationOf(SequenceDefinition sequence) => "file:" + Path.GetFullPath(PathFor(sequence?.LogFile));

    public override void Prepare(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var logFile in policy.Sequences.Select(s => s.LogFile).Distinct(StringComparer.Ordinal))
            Open(PathFor(logFile));
    }

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var file = Open(PathFor(alert.Sequence.LogFile));
        Span<byte> line = stackalloc byte[1024];
        if (alert.TryWriteClassicLineUtf8(line, out int length))
            file.Append(line[..length]);
        else
            file.Append(alert.ClassicLineUtf8());
    }

    public override void Sync()
    {
        lock (_lock)
        {
            foreach (var file in _open.Values)
                file.Sync();
        }
    }

    private string PathFor(string? logFile) => _path ?? Path.Combine(_directory!, logFile ?? DefaultFile);

    private AppendFile Open(string path)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(path, out var file))
            {
                if (File.Exists(path))
                    return file;
                file.Dispose(); // rotated away: start a new file
                _open.Remove(path);
            }

            // A logfile naming a subdirectory of the log directory gets it made, as the directory itself was.
            if (_directory is not null && Path.GetDirectoryName(path) is { } parent && parent != _directory)
                OutputFile.EnsureDirectory(parent);
            file = AppendFile.Open(path, FileMode);
            _open.Add(path, file);
            return file;
        }
    }

    protected override void Dispose(bool disposing)
    {
        lock (_lock)
        {
            foreach (var file in _open.Values)
                file.Dispose();
            _open.Clear();
        }

        base.Dispose(disposing);
    }
}
