using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using BsmTrace.Sources;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.State;

/// <summary>
/// The state directory (<c>--state-dir</c>): a checkpoint per source, written so that a crash at
/// any instant leaves the last one whole (a new file, fsync, rename, fsync of the directory),
/// and beside it the progress of matching between checkpoints, to tell what an unclean stop will
/// make bsmtrace read again. The directory is made 0700 and refused when a user other than root
/// and bsmtrace's own could write in it: a checkpoint says where reading resumes.
/// </summary>
public sealed class StateDirectory
{
    private const int ProgressSize = 40;

    private readonly ServiceAccount? _account;

    private StateDirectory(string path, ServiceAccount? account)
    {
        Path = path;
        _account = account;
    }

    public string Path { get; }

    /// <summary>Opens (making it, 0700, when it does not exist) the state directory at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">It cannot be made or used, or others can write in it: one line naming it.</exception>
    public static StateDirectory Open(string path, ServiceAccount? account = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool existed = Directory.Exists(path);
        try
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"state directory {path}: cannot be made ({(e is UnauthorizedAccessException ? "permission denied" : e.Message)})", e);
        }

        // Whoever may change a directory above could put a directory of their choosing at this name,
        // and feed the next start a checkpoint of theirs.
        if (FileTrust.OfDirectoriesAbove(System.IO.Path.Combine(path, "."), account) is { } above)
            throw new IOException($"state directory {path}: {above}");
        using var handle = NativeFile.TryOpen(path, OpenFlags.ReadOnly | OpenFlags.Directory, out int errno)
            ?? throw new IOException($"state directory {path}: cannot be opened ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})");
        // Made now, as root, for the user the service becomes: that user writes the checkpoints.
        if (!existed && account is not null && FileKind.EffectiveUserId == 0)
            NativeFile.GiveTo(handle, path, account);
        if (FileStatus.TryGet(handle, out var status))
        {
            if (!status.IsDirectory)
                throw new IOException($"state directory {path}: not a directory");
            if (!ServiceAccount.IsTrustedOwner(status.Owner, account))
                throw new IOException($"state directory {path}: owned by user {status.Owner}, neither root nor bsmtrace's own; refusing it");
            if (account is not null && status.Owner != account.Uid && FileKind.EffectiveUserId == 0)
                throw new IOException($"state directory {path}: belongs to user {status.Owner}, but bsmtrace writes checkpoints there as {account.Name} (--user): chown {account.Name} {path}");
            if ((status.Permissions & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                throw new IOException($"state directory {path}: others can write in it (mode {Convert.ToString((int)status.Permissions, 8)}); refusing it: chmod 0700 it");
        }

        return new StateDirectory(System.IO.Path.GetFullPath(path), account);
    }

    /// <summary>The checkpoint file of a source: its base name and a hash of its full path, so that each source has its own.</summary>
    public string CheckpointOf(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        string full = source == "-" ? "-" : System.IO.Path.GetFullPath(source);
        string name = source == "-" ? "stdin" : TrailSource.DisplayName(source);
        var safe = new StringBuilder(name.Length);
        foreach (char c in name)
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        return System.IO.Path.Combine(Path, $"{safe}-{XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(full)):x16}.checkpoint");
    }

    /// <summary>
    /// The checkpoint of <paramref name="source"/>, or null when there is none. One that cannot be
    /// read (truncated, garbage, damaged) is moved aside and said; one from a newer version gives
    /// its position alone.
    /// </summary>
    public CheckpointFile? Load(string source, ILogger logger)
    {
        string file = CheckpointOf(source);
        byte[] bytes;
        try
        {
            using var handle = NativeFile.Open(file, OpenFlags.ReadOnly | OpenFlags.NoFollow);
            long length = RandomAccess.GetLength(handle);
            if (length > CheckpointFormat.MaxSize)
                throw new CheckpointFormatException(0, $"{length} bytes, larger than any checkpoint bsmtrace writes");
            bytes = new byte[length];
            int read = 0;
            while (read < bytes.Length)
            {
                int n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
                if (n == 0)
                    break;
                read += n;
            }

            Array.Resize(ref bytes, read);
        }
        catch (IOException) when (!File.Exists(file) && new FileInfo(file).LinkTarget is null)
        {
            return null; // the first start
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointFormatException)
        {
            MoveAside(file, e.Message, logger);
            return null;
        }

        try
        {
            var checkpoint = CheckpointReader.Read(bytes);
            if (checkpoint.PositionOnly)
            {
                logger.LogWarning("{File}: a checkpoint of a newer bsmtrace (format {Version}): reading on from its position, without its instances and inode memory",
                    file, checkpoint.Version);
            }

            return checkpoint;
        }
        catch (CheckpointFormatException e)
        {
            MoveAside(file, e.Message, logger);
            return null;
        }
    }

    /// <summary>Writes a checkpoint so that the file is either the old one or the new one, whole, whatever happens.</summary>
    /// <exception cref="IOException">It could not be written (a full disk): the previous checkpoint stays.</exception>
    public void Write(string source, Checkpoint checkpoint)
    {
        string file = CheckpointOf(source);
        string temporary = file + ".new";
        var bytes = CheckpointWriter.Write(checkpoint);
        using (var handle = NativeFile.Open(temporary, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate | OpenFlags.NoFollow))
        {
            RandomAccess.Write(handle, bytes, 0);
            NativeFile.Sync(handle, temporary);
        }

        File.Move(temporary, file, overwrite: true);
        NativeFile.SyncDirectory(Path);
    }

    /// <summary>Opens the progress file of a source, where matching's position is noted between checkpoints.</summary>
    public SafeFileHandle OpenProgress(string source)
    {
        string path = CheckpointOf(source) + ".progress";
        return NativeFile.RequireOwnFile(NativeFile.Open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.NoFollow), path, _account);
    }

    /// <summary>Notes how far matching has gone (not synced: it need survive only a killed process, not the machine).</summary>
    public static void WriteProgress(SafeFileHandle progress, SourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        Span<byte> bytes = stackalloc byte[ProgressSize];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, position.Identity.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], position.Identity.Inode);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], position.Generation);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[24..], position.Offset);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[32..], XxHash64.HashToUInt64(bytes[..32]));
        RandomAccess.Write(progress, bytes, 0);
    }

    /// <summary>How far matching had gone (device, inode, generation, offset), or null when the progress file says nothing sound.</summary>
    public static (ulong Device, ulong Inode, long Generation, long Offset)? ReadProgress(SafeFileHandle progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        Span<byte> bytes = stackalloc byte[ProgressSize];
        if (RandomAccess.Read(progress, bytes, 0) != ProgressSize
            || XxHash64.HashToUInt64(bytes[..32]) != BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..]))
        {
            return null;
        }

        return (BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]));
    }

    /// <summary>Keeps a checkpoint that cannot be used for a person to look at, and says so; the run starts as if there were none.</summary>
    private static void MoveAside(string file, string why, ILogger logger)
    {
        string aside = $"{file}.damaged-{DateTime.UtcNow.ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture)}";
        try
        {
            File.Move(file, aside);
            logger.LogError("{File}: the checkpoint cannot be used ({Reason}); moved aside to {Aside}, and the run starts without it", file, why, aside);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("{File}: the checkpoint cannot be used ({Reason}) nor moved aside ({Error}); the run starts without it", file, why, e.Message);
        }
    }
}
