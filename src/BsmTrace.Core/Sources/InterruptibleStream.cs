using System.Runtime.InteropServices;
using BsmTrace.Unix;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Sources;

/// <summary>
/// A FIFO, a pipe or a device read so that a stop ends a read that is waiting for data. A
/// blocked read(2) sees neither a cancellation token nor the descriptor being closed under it
/// (a FIFO whose writer is connected but quiet would hold a stopping service until it was
/// killed), so each read first waits in poll(2), a fifth of a second at a time, looking at the
/// token in between.
/// </summary>
public sealed partial class InterruptibleStream : ReadOnlyStream
{
    private const short PollIn = 1;
    private const int Eintr = 4;
    private const int PollMilliseconds = 200;

    private readonly FileStream _inner;
    private readonly CancellationToken _stop;

    static InterruptibleStream() => NativeLibraries.EnsureRegistered();

    public InterruptibleStream(FileStream inner, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _stop = stop;
    }

    /// <summary>Standard input, when it is a pipe or a terminal rather than a file read to its end.</summary>
    public static Stream StandardInput(CancellationToken stop) =>
        new InterruptibleStream(new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0), stop);

    /// <summary>The descriptor read (the audit pipe's, for its ioctls).</summary>
    public SafeFileHandle SafeFileHandle => _inner.SafeFileHandle;

    /// <exception cref="OperationCanceledException">The stop was asked for while the read waited.</exception>
    public override unsafe int Read(Span<byte> buffer)
    {
        var poll = new PollFd { Fd = (int)_inner.SafeFileHandle.DangerousGetHandle(), Events = PollIn };
        while (true)
        {
            _stop.ThrowIfCancellationRequested();
            poll.Revents = 0;
            int ready = Poll(&poll, 1, PollMilliseconds);
            if (ready > 0)
                return _inner.Read(buffer); // data, or the writer gone (POLLHUP): read says which
            if (ready < 0 && Marshal.GetLastPInvokeError() != Eintr)
                throw new IOException($"poll: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inner.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>struct pollfd: the same on Linux, FreeBSD and macOS.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(NativeLibraries.LibC, EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeout);
}
