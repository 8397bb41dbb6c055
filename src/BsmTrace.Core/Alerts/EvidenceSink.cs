using System.Globalization;
using System.Security.Cryptography;
using BsmTrace.Matching;

namespace BsmTrace.Alerts;

/// <summary>
/// Evidence files (<c>-B</c>, or a bsm channel): for each alert,
/// DIR/SEQUENCE/SECONDS.MSEC.RANDOM holding the raw records that matched each
/// state, in order — a trail praudit reads. Directories are made 0700 and
/// files 0600, created exclusively: the records may hold what users typed.
/// </summary>
public sealed class EvidenceSink(string directory, string name = "evidence") : AlertSink
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public override string Name => name;

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Directory.CreateDirectory(directory, DirectoryMode);
        string sequenceDirectory = Path.Combine(directory, SafeName(alert.Sequence.Name));
        Directory.CreateDirectory(sequenceDirectory, DirectoryMode);

        string file = Path.Combine(sequenceDirectory, string.Create(CultureInfo.InvariantCulture,
            $"{alert.Seconds}.{alert.Milliseconds}.{RandomNumberGenerator.GetHexString(8, lowercase: true)}"));
        using var stream = new FileStream(file, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
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
