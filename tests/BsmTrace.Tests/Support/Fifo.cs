using System.Diagnostics;

namespace BsmTrace.Tests.Support;

/// <summary>A named pipe in a test directory, and writing records into it as a separate writer would.</summary>
public static class Fifo
{
    public static async Task<string> CreateAsync(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>Opens the FIFO (waiting, not forever, for its reader), writes, and closes it.</summary>
    public static async Task WriteAsync(string path, params byte[][] records)
    {
        await using var writer = await OpenAsync(path);
        foreach (var r in records)
            await writer.WriteAsync(r);
    }

    /// <summary>Opens the FIFO for writing; fails the test if no reader comes within the time (open() itself cannot be cancelled).</summary>
    public static async Task<FileStream> OpenAsync(string path, int seconds = 30)
    {
        var open = Task.Run(() => new FileStream(path, FileMode.Open, FileAccess.Write));
        try
        {
            return await open.WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            // Let the blocked open finish by being the reader it waits for, so the test run can end.
            using var unblock = new FileStream(path, FileMode.Open, FileAccess.Read);
            (await open).Dispose();
            throw new TimeoutException($"no reader opened {path} within {seconds} s: bsmtrace is not reading it");
        }
    }
}
