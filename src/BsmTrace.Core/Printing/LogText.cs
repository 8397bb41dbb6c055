using System.Globalization;
using System.Text;

namespace BsmTrace.Printing;

/// <summary>What a log line may carry of someone else's bytes (a file name, a command, a child's output).</summary>
public static class LogText
{
    /// <summary>
    /// Text with its control characters written as \xHH, so that a file name holding a newline
    /// cannot forge a log or syslog line.
    /// </summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl))
            return text;
        var sb = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (char.IsControl(c))
                sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else
                sb.Append(c);
        }

        return sb.ToString();
    }
}
