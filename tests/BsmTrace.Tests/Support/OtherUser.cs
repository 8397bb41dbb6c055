using System.Runtime.InteropServices;

namespace BsmTrace.Tests.Support;

/// <summary>Files given to a user who is neither root nor the tests' own: only root may give them.</summary>
public static partial class OtherUser
{
    /// <summary>nobody's id on Linux and the BSDs; any id other than root's and ours would do.</summary>
    public const uint Id = 65534;

    public static bool CanGive => geteuid() == 0;

    /// <summary>Skips the test, saying why, unless it runs as root.</summary>
    public static void RequireRoot() => Skip.IfNot(CanGive, "giving a file to another user needs root; run the tests as root to include this one");

    public static void Give(string path)
    {
        if (lchown(path, Id, uint.MaxValue) != 0)
            throw new IOException($"lchown {path}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint owner, uint group);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
