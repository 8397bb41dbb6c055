using System.Runtime.InteropServices;

namespace BsmTrace.Unix;

/// <summary>
/// SIGHUP in the calling thread's signal mask. A launcher may start bsmtrace with SIGHUP blocked,
/// so that a SIGHUP sent while the runtime itself starts waits, pending, instead of ending the
/// process; once bsmtrace handles SIGHUP it unblocks it here, and a pending one arrives.
/// </summary>
public static partial class HangupMask
{
    private const int SigHup = 1;

    static HangupMask() => NativeLibraries.EnsureRegistered();

    /// <summary>How sigprocmask(2) is told to unblock: SIG_UNBLOCK is 1 on Linux, 2 on the BSDs and macOS.</summary>
    private static int SigUnblock => OperatingSystem.IsLinux() ? 1 : 2;

    /// <summary>Unblocks SIGHUP for the calling thread; false if the system refused.</summary>
    public static unsafe bool Unblock()
    {
        // Room for the largest sigset_t (glibc's 1,024 bits); the C library fills in its own layout.
        byte* set = stackalloc byte[128];
        return sigemptyset(set) == 0 && sigaddset(set, SigHup) == 0 && sigprocmask(SigUnblock, set, null) == 0;
    }

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int sigemptyset(byte* set);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int sigaddset(byte* set, int signal);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int sigprocmask(int how, byte* set, byte* old);
}
