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

    /// <summary>Opens the FIFO (waiting for its reader), writes, and closes it.</summary>
    public static async Task WriteAsync(string path, params byte[][] records)
    {
        await using var writer = new FileStream(path, FileMode.Open, FileAccess.Write);
        foreach (var r in records)
            await writer.WriteAsync(r);
    }
}
