using System.Text.RegularExpressions;

namespace BsmTrace.Sources;

/// <summary>
/// How auditd(8) names its trails (OpenBSM's libauditd): START.not_terminated while it writes one,
/// START.END once closed, START.crash_recovery for the one a crash left open, each stamp 14 digits
/// (YYYYMMDDhhmmss), and, with a host in audit_control, ".HOST" after; a link named "current" to
/// the one being written.
/// </summary>
public static partial class AuditTrailNames
{
    public const string CurrentLink = "current";
    private const string NotTerminated = "not_terminated";

    /// <summary>Whether <paramref name="name"/> (a file name, no directory) is an audit trail's.</summary>
    public static bool IsTrail(string name) => TrailName().IsMatch(name);

    /// <summary>The trail's start stamp (YYYYMMDDhhmmss): the order auditd made them in.</summary>
    public static string Start(string name) => name[..14];

    /// <summary>Whether auditd is (or was, before a crash) still writing the trail.</summary>
    public static bool IsOpen(string name) => name.AsSpan(15).StartsWith(NotTerminated, StringComparison.Ordinal);

    /// <summary>The trails in <paramref name="directory"/>, oldest first.</summary>
    public static List<string> In(string directory)
    {
        var trails = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            if (IsTrail(Path.GetFileName(path)))
                trails.Add(path);
        }

        trails.Sort((a, b) => string.CompareOrdinal(Path.GetFileName(a), Path.GetFileName(b)));
        return trails;
    }

    [GeneratedRegex(@"^\d{14}\.(\d{14}|not_terminated|crash_recovery)(\..+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailName();
}
