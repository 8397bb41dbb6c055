using System.Globalization;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The pidfile of <c>-p</c>: created exclusively (a second bsmtrace, or a
/// file planted by someone else, is refused rather than overwritten), mode
/// 0644, removed when the service stops.
/// </summary>
public sealed class PidFile : IDisposable
{
    private readonly string _path;

    private PidFile(string path) => _path = path;

    public static PidFile Create(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            });
            using var writer = new StreamWriter(stream);
            writer.WriteLine(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new IOException($"{path}: the pidfile exists; is another bsmtrace running? Remove it if not");
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException($"{path}: permission denied writing the pidfile");
        }

        return new PidFile(path);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Already gone.
        }
    }
}
