namespace BsmTrace.Alerts;

/// <summary>
/// Opens the files and directories alerts are written to, with failures as one-line reasons that
/// name the path (never the runtime's own wording, such as "Could not find a part of the path").
/// </summary>
internal static class OutputFile
{
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates a new file at <paramref name="path"/>, refusing one that exists.</summary>
    public static FileStream CreateNew(string path, UnixFileMode mode) => Guard(path, () => new FileStream(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        UnixCreateMode = mode,
    }));

    /// <summary>Makes <paramref name="path"/> a directory (mode 0700 when new) unless it is one.</summary>
    public static void EnsureDirectory(string path) => Guard(path, () => Directory.CreateDirectory(path, PrivateDirectory));

    private static T Guard<T>(string path, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (DirectoryNotFoundException)
        {
            throw new IOException($"{path}: no such directory");
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException($"{path}: permission denied");
        }
        catch (IOException e) when (e.GetType() == typeof(IOException) && !e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
    }
}
