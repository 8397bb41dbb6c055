using System.Globalization;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Unix;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Alerts;

/// <summary>
/// Evidence files (<c>-B</c>, or a bsm channel): for each alert,
/// DIR/SEQUENCE/SECONDS.MSEC.ID (the alert's id) holding the raw records that matched each
/// state, in order — a trail praudit reads. The records may hold what users typed: directories
/// are made 0700 and files 0600, created exclusively (O_EXCL, O_NOFOLLOW) relative to
/// directories held open and refused when others could write them (<see cref="OutputDirectory"/>).
/// A file that cannot be written whole (a full disk) is removed, not left half there, and the
/// alert is counted as one the sink missed. The directory is made (or found) when the sink is
/// made, so that one that cannot be is refused before the policy that names it is used.
/// </summary>
public sealed class EvidenceSink : AlertSink
{
    // Evidence files written since the last sync: each is made to last then (a few at a time), not at each write.
    private const int SyncEach = 4096;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _path;
    private readonly string _name;
    private readonly ServiceAccount? _account;
    private OutputDirectory _root;
    private readonly Dictionary<string, OutputDirectory> _sequences = new(StringComparer.Ordinal);
    private readonly List<(string Sequence, string File)> _unsynced = [];
    private bool _tooManyToSync;

    /// <param name="account">The user the service becomes (<c>--user</c>), who makes the evidence files; null for none.</param>
    public EvidenceSink(string directory, string name = "evidence", ServiceAccount? account = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _path = directory;
        _name = name;
        _account = account;
        _root = OutputDirectory.Open(directory, create: true, account);
    }

    public override string Name => _name;

    public override string DestinationOf(SequenceDefinition sequence) => "evidence:" + Path.GetFullPath(_path);

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        string sequence = SafeName(alert.Sequence.Name);
        // Named by the alert's id: an alert raised again after an unclean stop finds its evidence written.
        string name = string.Create(CultureInfo.InvariantCulture, $"{alert.Seconds}.{alert.Milliseconds}.{alert.Id}");
        SafeFileHandle? file;
        OutputDirectory directory;
        try
        {
            directory = SequenceDirectory(sequence);
            file = directory.TryCreateNew(name, FileMode);
        }
        catch (IOException) when (!Directory.Exists(Path.Combine(_path, sequence)))
        {
            // Someone removed the directories (cleaning out old evidence): make them again, once.
            // (Any other failure, a full disk, is the alert's: counted, not retried here.)
            ForgetDirectories();
            directory = SequenceDirectory(sequence);
            file = directory.TryCreateNew(name, FileMode);
        }

        if (file is null)
            return; // written before this run

        using (file)
        {
            try
            {
                RandomAccess.Write(file, alert.Records, 0);
            }
            // The runtime says EFBIG (past a file size limit) as an ArgumentOutOfRangeException.
            catch (Exception e) when (e is IOException or ArgumentOutOfRangeException or UnauthorizedAccessException)
            {
                bool removed = directory.TryRemove(name);
                throw new IOException($"{Path.Combine(directory.Path, name)}: {e.Message}" +
                    (removed ? "; the part written was removed" : "; the part written could not be removed"), e);
            }
        }

        if (_unsynced.Count < SyncEach)
            _unsynced.Add((sequence, name));
        else
            _tooManyToSync = true;
    }

    /// <summary>Makes the evidence files written since the last sync last, and the directories that name them.</summary>
    public override void Sync()
    {
        try
        {
            if (_tooManyToSync)
            {
                NativeFile.SyncAll(); // more files than are worth syncing one by one
                return;
            }

            foreach (var (sequence, file) in _unsynced)
            {
                // One removed since it was written (evidence cleaned out) has nothing left to make last.
                if (_sequences.TryGetValue(sequence, out var directory) && directory.Exists(file))
                    directory.SyncFile(file);
            }

            foreach (var sequence in _unsynced.Select(u => u.Sequence).Distinct(StringComparer.Ordinal))
            {
                if (_sequences.TryGetValue(sequence, out var directory))
                    directory.Sync();
            }

            if (_unsynced.Count > 0)
                _root.Sync();
        }
        finally
        {
            // A sync that failed is counted by the queue; the same files are not tried again for ever.
            _unsynced.Clear();
            _tooManyToSync = false;
        }
    }

    private OutputDirectory SequenceDirectory(string sequence)
    {
        if (!_sequences.TryGetValue(sequence, out var directory))
        {
            directory = _root.Subdirectory(sequence, create: true);
            _sequences.Add(sequence, directory);
        }

        return directory;
    }

    private void ForgetDirectories()
    {
        foreach (var directory in _sequences.Values)
            directory.Dispose();
        _sequences.Clear();
        var root = OutputDirectory.Open(_path, create: true, _account);
        _root.Dispose();
        _root = root;
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var directory in _sequences.Values)
            directory.Dispose();
        _sequences.Clear();
        _root.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>A sequence name as one safe path component.</summary>
    private static string SafeName(string sequence)
    {
        var safe = sequence.Replace('/', '_').Replace('\0', '_');
        return safe is "" or "." or ".." ? "_" + safe : safe;
    }
}
