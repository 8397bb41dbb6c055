using System.Text;

namespace BsmTrace.Matching;

/// <summary>
/// A trigger to run: the program's file (resolved when the policy loaded; null when none was
/// found) and argv as exact bytes, argv[0] as the policy wrote it, so that a path that is not
/// UTF-8 reaches the command as the file's real name.
/// </summary>
public sealed record TriggerRequest(string Sequence, string? Program, IReadOnlyList<byte[]> Argv, long RecordIndex)
{
    /// <summary>
    /// argv for people to read (logs): arguments joined by spaces, bytes that are not UTF-8 shown as
    /// U+FFFD, control characters as \xHH, so that a file name holding a newline cannot forge a log line.
    /// </summary>
    public string CommandLine => Printing.LogText.Printable(string.Join(' ', Argv.Select(a => Encoding.UTF8.GetString(a))));

}
