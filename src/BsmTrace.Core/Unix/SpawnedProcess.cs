using System.Runtime.InteropServices;
using System.Text;

namespace BsmTrace.Unix;

/// <summary>
/// A child started with posix_spawn(3) in a process group of its own, so that everything it
/// leaves behind can be killed with it; its argv passed as the exact bytes given (a path need not
/// be UTF-8); standard input /dev/null; standard output and error one pipe that bsmtrace drains
/// within a deadline. Signal dispositions the runtime changed (SIGPIPE ignored, SIGHUP blocked
/// while the service starts) are put back to their defaults in the child.
/// </summary>
/// <remarks>
/// Written by hand: System.Diagnostics.Process takes arguments as strings (so bytes that are not
/// UTF-8 come out as U+FFFD), cannot make a process group, and waits for every descendant that
/// holds the output open; no package on our feed does this.
/// </remarks>
public sealed partial class SpawnedProcess : IDisposable
{
    private const int Eintr = 4;
    private const int Sigkill = 9;
    private const short PollIn = 0x1;
    private const int SpawnSetProcessGroup = 0x02;
    // The attribute buffers are opaque and sized differently by each libc (glibc's posix_spawnattr_t
    // is 336 bytes; the BSDs' and Apple's are a pointer): room for the largest.
    private const int AttributeBytes = 1024;
    // sigset_t: glibc's is 128 bytes, FreeBSD's 16, Apple's 4.
    private const int SignalSetBytes = 128;

    private readonly int _output;
    // Killing the group and reaping the child are done under one lock: once the child is reaped its
    // id (and so the group's) may belong to another process, which a late kill must not reach.
    private readonly Lock _reap = new();
    private bool _reaped;
    private int _disposed;

    static SpawnedProcess() => NativeLibraries.EnsureRegistered();

    private SpawnedProcess(int pid, int output)
    {
        Pid = pid;
        _output = output;
    }

    public int Pid { get; }

    private static int SpawnSetSignalDefault => OperatingSystem.IsFreeBSD() ? 0x10 : 0x04;

    private static int SpawnSetSignalMask => OperatingSystem.IsFreeBSD() ? 0x20 : 0x08;

    // Apple's POSIX_SPAWN_CLOEXEC_DEFAULT: the child gets only the descriptors the file actions name,
    // whatever another thread opened without close-on-exec in the meantime (macOS has no pipe2).
    private static int SpawnCloseOnExecDefault => OperatingSystem.IsMacOS() ? 0x4000 : 0;

    /// <summary>Starts <paramref name="program"/> (a path, never searched) with <paramref name="argv"/> (argv[0] first).</summary>
    /// <exception cref="IOException">It could not be started: the system's reason, naming the program.</exception>
    public static unsafe SpawnedProcess Start(string program, IReadOnlyList<byte[]> argv, IReadOnlyList<byte[]> environment)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(environment);
        var (readEnd, writeEnd) = Pipe();
        nint argvBlock = 0, envBlock = 0;
        byte* actions = (byte*)NativeMemory.AllocZeroed(AttributeBytes);
        byte* attributes = (byte*)NativeMemory.AllocZeroed(AttributeBytes);
        byte* mask = stackalloc byte[SignalSetBytes];
        byte* defaults = stackalloc byte[SignalSetBytes];
        bool actionsMade = false, attributesMade = false;
        try
        {
            argvBlock = Strings(argv);
            envBlock = Strings(environment);
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init", program);
            actionsMade = true;
            Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", OpenFlags.ReadOnly, 0), "posix_spawn_file_actions_addopen", program);
            Check(posix_spawn_file_actions_adddup2(actions, writeEnd, 1), "posix_spawn_file_actions_adddup2", program);
            Check(posix_spawn_file_actions_adddup2(actions, writeEnd, 2), "posix_spawn_file_actions_adddup2", program);

            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init", program);
            attributesMade = true;
            Check(posix_spawnattr_setflags(attributes, (short)(SpawnSetProcessGroup | SpawnSetSignalDefault | SpawnSetSignalMask | SpawnCloseOnExecDefault)), "posix_spawnattr_setflags", program);
            Check(posix_spawnattr_setpgroup(attributes, 0), "posix_spawnattr_setpgroup", program);
            _ = sigemptyset(mask);
            Check(posix_spawnattr_setsigmask(attributes, mask), "posix_spawnattr_setsigmask", program);
            _ = sigemptyset(defaults);
            // The signals whose numbers every system shares and that a runtime may ignore or catch.
            foreach (int signal in (ReadOnlySpan<int>)[1, 2, 3, 13, 15])
                _ = sigaddset(defaults, signal);
            Check(posix_spawnattr_setsigdefault(attributes, defaults), "posix_spawnattr_setsigdefault", program);

            int pid;
            int error = posix_spawn(&pid, program, actions, attributes, argvBlock, envBlock);
            if (error != 0)
                throw new IOException($"{program}: {Marshal.GetPInvokeErrorMessage(error)}");
            return new SpawnedProcess(pid, readEnd);
        }
        catch
        {
            _ = close(readEnd);
            throw;
        }
        finally
        {
            _ = close(writeEnd);
            if (actionsMade)
                _ = posix_spawn_file_actions_destroy(actions);
            if (attributesMade)
                _ = posix_spawnattr_destroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            FreeStrings(argvBlock);
            FreeStrings(envBlock);
        }
    }

    /// <summary>
    /// Waits for the child itself to end, then kills what is left of its process group while the
    /// child, not yet reaped, still holds the group's id (so the signal cannot reach a group that
    /// took the id since), and reaps it: its exit status, or 128 + the signal that ended it.
    /// </summary>
    public unsafe int WaitForExitEndingGroup()
    {
        byte* info = stackalloc byte[256];
        int rc;
        do
        {
            rc = waitid(WaitByPid, Pid, info, WaitExited | WaitNoWait);
        }
        while (rc < 0 && Marshal.GetLastPInvokeError() == Eintr);
        if (rc == 0)
            KillGroup();
        return WaitForExit();
    }

    // waitid(2)'s constants: P_PID, WEXITED, WNOWAIT (Linux; FreeBSD; macOS).
    private static int WaitByPid => OperatingSystem.IsFreeBSD() ? 0 : 1;

    private static int WaitExited => OperatingSystem.IsFreeBSD() ? 16 : 4;

    private static int WaitNoWait => OperatingSystem.IsLinux() ? 0x01000000 : OperatingSystem.IsFreeBSD() ? 8 : 0x20;

    /// <summary>Waits for the child itself to end and reaps it (waitpid); its exit status, or 128 + the signal that ended it.</summary>
    public unsafe int WaitForExit()
    {
        // Waits without reaping first (where waitid can), so that the reaping itself is quick and under the lock.
        byte* info = stackalloc byte[256];
        while (waitid(WaitByPid, Pid, info, WaitExited | WaitNoWait) < 0 && Marshal.GetLastPInvokeError() == Eintr)
        {
        }

        int status;
        lock (_reap)
        {
            while (waitpid(Pid, &status, 0) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Eintr)
                    throw new IOException($"waitpid {Pid}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            _reaped = true;
        }

        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    /// <summary>Kills the child's process group: the child and whatever it started that stayed in it.</summary>
    public void KillGroup()
    {
        lock (_reap)
        {
            if (!_reaped)
                _ = kill(-Pid, Sigkill);
        }
    }

    /// <summary>
    /// Reads the child's output until every writer has closed it or <paramref name="deadline"/>
    /// passes; keeps the first <paramref name="keep"/> bytes. Whether the end was reached says
    /// whether something (a descendant left behind) still holds the output open.
    /// </summary>
    public unsafe (string Text, bool ReachedEnd) DrainOutput(DateTime deadline, int keep)
    {
        var kept = new byte[keep];
        int have = 0;
        byte* buffer = stackalloc byte[4096];
        while (true)
        {
            int wait = (int)Math.Clamp((deadline - DateTime.UtcNow).TotalMilliseconds, 0, int.MaxValue);
            var poll = new PollFd { Fd = _output, Events = PollIn };
            int ready = Poll(&poll, 1, wait);
            if (ready < 0 && Marshal.GetLastPInvokeError() == Eintr)
                continue;
            if (ready <= 0)
                return (Encoding.UTF8.GetString(kept, 0, have), false);
            nint n = read(_output, buffer, 4096);
            if (n < 0 && Marshal.GetLastPInvokeError() == Eintr)
                continue;
            if (n <= 0)
                return (Encoding.UTF8.GetString(kept, 0, have), true);
            int take = Math.Min((int)n, keep - have);
            new ReadOnlySpan<byte>(buffer, take).CopyTo(kept.AsSpan(have));
            have += take;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _ = close(_output);
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (OperatingSystem.IsMacOS())
        {
            // No pipe2 on macOS: close-on-exec set just after (triggers are the only children
            // bsmtrace starts, one thread at a time per slot, each marking its own pipe).
            if (pipe(fds) < 0)
                throw new IOException($"pipe: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            SetCloseOnExec(fds[0]);
            SetCloseOnExec(fds[1]);
        }
        else if (pipe2(fds, OpenFlags.CloseOnExec) < 0)
        {
            throw new IOException($"pipe: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return (fds[0], fds[1]);
    }

    // fcntl(2)'s third argument is variadic: on Apple arm64 it goes on the stack (see NativeFile).
    private static void SetCloseOnExec(int fd)
    {
        const int SetDescriptorFlags = 2, CloseOnExec = 1;
        _ = RuntimeInformation.ProcessArchitecture == Architecture.Arm64
            ? fcntl_apple_arm64(fd, SetDescriptorFlags, 0, 0, 0, 0, 0, 0, CloseOnExec)
            : fcntl(fd, SetDescriptorFlags, CloseOnExec);
    }

    // A NULL-terminated array of NUL-terminated strings, in one native block: the pointers first.
    private static unsafe nint Strings(IReadOnlyList<byte[]> strings)
    {
        int bytes = (strings.Count + 1) * sizeof(nint);
        foreach (var s in strings)
            bytes += s.Length + 1;
        byte* block = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
        var pointers = (byte**)block;
        byte* text = block + ((strings.Count + 1) * sizeof(nint));
        for (int i = 0; i < strings.Count; i++)
        {
            pointers[i] = text;
            strings[i].CopyTo(new Span<byte>(text, strings[i].Length));
            text += strings[i].Length + 1; // the NUL is already there
        }

        return (nint)block;
    }

    private static unsafe void FreeStrings(nint block)
    {
        if (block != 0)
            NativeMemory.Free((void*)block);
    }

    private static void Check(int error, string call, string program)
    {
        if (error != 0)
            throw new IOException($"{program}: {call}: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int posix_spawn(int* pid, string path, byte* fileActions, byte* attributes, nint argv, nint envp);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawn_file_actions_init(byte* actions);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawn_file_actions_destroy(byte* actions);

    [LibraryImport(NativeLibraries.LibC, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int posix_spawn_file_actions_addopen(byte* actions, int fd, string path, int flags, int mode);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawn_file_actions_adddup2(byte* actions, int fd, int newFd);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawnattr_init(byte* attributes);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawnattr_destroy(byte* attributes);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawnattr_setflags(byte* attributes, short flags);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawnattr_setpgroup(byte* attributes, int processGroup);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawnattr_setsigmask(byte* attributes, byte* mask);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int posix_spawnattr_setsigdefault(byte* attributes, byte* signals);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int sigemptyset(byte* set);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial int sigaddset(byte* set, int signal);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static unsafe partial int waitpid(int pid, int* status, int options);

    // id_t is 32 bits on Linux and macOS, 64 on FreeBSD: passed in a register either way.
    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static unsafe partial int waitid(int idType, long id, byte* info, int options);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static unsafe partial int pipe(int* fds);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static unsafe partial int pipe2(int* fds, int flags);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl_apple_arm64(int fd, int command, nint r2, nint r3, nint r4, nint r5, nint r6, nint r7, nint argument);

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static unsafe partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport(NativeLibraries.LibC)]
    private static partial int close(int fd);
}
