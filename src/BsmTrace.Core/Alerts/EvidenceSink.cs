using System.Globalization;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Alerts;

/// <summary>
/// Evidence files (<c>-B</c>, or a bsm channel): for each alert,
/// DIR/SEQUENCE/SECONDS.MSEC.ID (the alert's id) holding the raw records that matched each
/// state, in order — a trail praudit reads. Directories are made 0700 and
/// files 0600, created exclusively: the records may hold what users typed.
/// The directory is made (or found) when the sink is made, so that one that
/// cannot be is refused before the policy that names it is used.
/// </summary>
public sealed class EvidenceSink : AlertSink
{
    // Evidence files written since the last sync: each is made to last then (a few at a time), not at each write.
    private const int SyncEach = 4096;
    private readonly string _directory;
    private readonly string _name;
    private readonly List<string> _unsynced = [];
    private bool _tooManyToSync;

    public EvidenceSink(string directory, string name = "evidence")
    {
        ArgumentNullException.ThrowIfNull(directory);
        _directory = directory;
        _name = name;
        OutputFile.EnsureDirectory(directory);
    }

    public override string Name => _name;

    public override string DestinationOf(SequenceDefinition sequence) => "evidence:" + Path.GetFullPath(_directory);

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        OutputFile.EnsureDirectory(_directory);
        string sequenceDirectory = Path.Combine(_directory, SafeName(alert.Sequence.Name));
        OutputFile.EnsureDirectory(sequenceDirectory);

        // Named by the alert's id: an alert raised again after an unclean stop finds its evidence written.
        string file = Path.Combine(sequenceDirectory, string.Create(CultureInfo.InvariantCulture, $"{alert.Seconds}.{alert.Milliseconds}.{alert.Id}"));
        if (File.Exists(file))
            return;
        using var stream = OutputFile.CreateNew(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var record in alert.Records)
            stream.Write(record.Span);
        if (_unsynced.Count < SyncEach)
            _unsynced.Add(file);
        else
            _tooManyToSync = true;
    }

    /// <summary>Makes the evidence files written since the last sync last, and the directories that name them.</summary>
    public override void Sync()
    {
        if (_tooManyToSync)
        {
            NativeFile.SyncAll(); // more files than are worth syncing one by one
        }
        else
        {
            foreach (var directory in _unsynced.Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal))
                NativeFile.SyncDirectory(directory!);
            foreach (var file in _unsynced)
            {
                using var handle = NativeFile.Open(file, OpenFlags.ReadOnly | OpenFlags.NoFollow);
                NativeFile.Sync(handle, file);
            }

            if (_unsynced.Count > 0)
                NativeFile.SyncDirectory(_directory);
        }

        _unsynced.Clear();
        _tooManyToSync = false;
    }

    /// <summary>A sequence name as one safe path component.</summary>
    private static string SafeName(string sequence)
    {
        var safe = sequence.Replace('/', '_').Replace('\0', '_');
        return safe is "" or "." or ".." ? "_" + safe : safe;
    }
}
