using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Alerts;

/// <summary>
/// Classic lines appended to files: <c>-l DIR</c> writes DIR/bsmtrace.log, or
/// the file a sequence's <c>logfile</c> names inside DIR; a file channel writes
/// its one path. Files are opened when the sink is made (or, for a reloaded policy's
/// logfiles, before the policy is used), so a path that cannot be written is found
/// then, not at the first alert. They are opened relative to their directory, held open and
/// refused when others could write it (<see cref="OutputDirectory"/>), never through a link,
/// created 0640, and opened again on <see cref="Reopen"/> (SIGHUP, after newsyslog has moved
/// them). Each line is one write(2) on an O_APPEND descriptor: whole on disk or not there, and
/// counted when it is not.
/// </summary>
public sealed class LogFileSink : AlertSink
{
    public const string DefaultFile = "bsmtrace.log";
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly OutputDirectory _directory;
    private readonly string? _file;
    private readonly string _name;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, AppendFile> _open = new(StringComparer.Ordinal);

    private LogFileSink(OutputDirectory directory, string? file, string name)
    {
        _directory = directory;
        _file = file;
        _name = name;
        try
        {
            Open(RelativePath(null));
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>The log directory of <c>-l</c> (made 0700 if it does not exist).</summary>
    public static LogFileSink ForDirectory(string directory, ServiceAccount? account = null) => new(OutputDirectory.Open(directory, create: true, account), null, "logdir");

    /// <summary>A file log channel: its directory must exist.</summary>
    public static LogFileSink ForFile(string path, string name, ServiceAccount? account = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        return new LogFileSink(OutputDirectory.Open(Path.GetDirectoryName(full)!, create: false, account), Path.GetFileName(full), name);
    }

    public override string Name => _name;

    public override string DestinationOf(SequenceDefinition sequence) =>
        "file:" + Path.GetFullPath(Path.Combine(_directory.Path, RelativePath(sequence?.LogFile)));

    public override void Prepare(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var logFile in policy.Sequences.Select(s => s.LogFile).Distinct(StringComparer.Ordinal))
            Open(RelativePath(logFile));
    }

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var file = Open(RelativePath(alert.Sequence.LogFile));
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

    /// <summary>Opens every file again by name, then closes the one before: a file newsyslog moved aside is started anew.</summary>
    public override void Reopen()
    {
        lock (_lock)
        {
            // Each file is opened anew before the old one is closed: one that cannot be opened now
            // (a directory the service's user may not write) keeps being written where it was,
            // and the failure is said.
            List<string>? failed = null;
            foreach (var name in _open.Keys.ToList())
            {
                AppendFile fresh;
                try
                {
                    fresh = _directory.OpenAppend(name, FileMode);
                }
                catch (IOException e)
                {
                    (failed ??= []).Add(e.Message);
                    continue;
                }

                _open[name].Dispose();
                _open[name] = fresh;
            }

            if (failed is not null)
                throw new IOException($"{string.Join("; ", failed)}; writing on to the file opened before");
        }
    }

    private string RelativePath(string? logFile) => _file ?? logFile ?? DefaultFile;

    private AppendFile Open(string relativePath)
    {
        lock (_lock)
        {
            if (!_open.TryGetValue(relativePath, out var file))
            {
                file = _directory.OpenAppend(relativePath, FileMode);
                _open.Add(relativePath, file);
            }

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

        _directory.Dispose();
        base.Dispose(disposing);
    }
}
