using System.Globalization;
using System.Security.Cryptography;
using BsmTrace.Matching;
using BsmTrace.Policy;

namespace BsmTrace.Alerts;

/// <summary>
/// Evidence files (<c>-B</c>, or a bsm channel): for each alert,
/// DIR/SEQUENCE/SECONDS.MSEC.RANDOM holding the raw records that matched each
/// state, in order — a trail praudit reads. Directories are made 0700 and
/// files 0600, created exclusively: the records may hold what users typed.
/// The directory is made (or found) when the sink is made, so that one that
/// cannot be is refused before the policy that names it is used.
/// </summary>
public sealed class EvidenceSink : AlertSink
{
    private readonly string _directory;
    private readonly string _name;

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

        string file = Path.Combine(sequenceDirectory, string.Create(CultureInfo.InvariantCulture,
            $"{alert.Seconds}.{alert.Milliseconds}.{RandomNumberGenerator.GetHexString(8, lowercase: true)}"));
        using var stream = OutputFile.CreateNew(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var record in alert.Records)
            stream.Write(record.Span);
    }

    /// <summary>A sequence name as one safe path component.</summary>
    private static string SafeName(string sequence)
    {
        var safe = sequence.Replace('/', '_').Replace('\0', '_');
        return safe is "" or "." or ".." ? "_" + safe : safe;
    }
}
