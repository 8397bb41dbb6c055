using System.Globalization;
using BsmTrace.Bsm;

namespace BsmTrace.Tests.Support;

/// <summary>
/// A directory shaped as auditd keeps one: trails named START.not_terminated while written and
/// START.END once closed, a file token at each end, and the link "current" to the one written.
/// </summary>
public sealed class AuditDirectory
{
    private int _stamp;
    private string? _current;

    public AuditDirectory(string path)
    {
        Path = Directory.CreateDirectory(path).FullName;
        StartTrail();
    }

    public string Path { get; }

    public string CurrentLink => System.IO.Path.Combine(Path, "current");

    /// <summary>The trail written now.</summary>
    public string Current => _current!;

    /// <summary>Appends records to the trail written now.</summary>
    public void Append(params byte[][] records)
    {
        using var trail = new FileStream(Current, FileMode.Append, FileAccess.Write);
        foreach (var r in records)
            trail.Write(r);
    }

    /// <summary>What auditd does at a rotation: close the trail (a file token, the END name), start the next and move "current" to it.</summary>
    public void Rotate()
    {
        string start = System.IO.Path.GetFileName(Current)[..14];
        string end = Stamp(++_stamp);
        Append(BsmRecordBuilder.FileToken((uint)_stamp, 0, Current));
        File.Move(Current, System.IO.Path.Combine(Path, $"{start}.{end}"));
        StartTrail(end);
    }

    /// <summary>What auditd does when it starts after a crash: the trail left open becomes START.crash_recovery, and a new one is begun.</summary>
    public void RecoverFromCrash()
    {
        string start = System.IO.Path.GetFileName(Current)[..14];
        File.Move(Current, System.IO.Path.Combine(Path, $"{start}.crash_recovery"));
        StartTrail(Stamp(++_stamp));
    }

    /// <summary>Every trail, oldest first, read as one: what one uninterrupted run reads.</summary>
    public byte[] Everything() =>
        Directory.GetFiles(Path).Where(f => System.IO.Path.GetFileName(f) != "current").Order(StringComparer.Ordinal).SelectMany(File.ReadAllBytes).ToArray();

    private void StartTrail(string? start = null)
    {
        start ??= Stamp(_stamp);
        _current = System.IO.Path.Combine(Path, $"{start}.not_terminated");
        File.WriteAllBytes(_current, BsmRecordBuilder.FileToken((uint)_stamp, 0, _current));
        File.Delete(CurrentLink);
        File.CreateSymbolicLink(CurrentLink, _current);
    }

    private static string Stamp(int n) => new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc).AddMinutes(n).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
}
