using System.Diagnostics;

namespace BsmTrace.Tests.Support;

/// <summary>Runs the real bsmtrace executable, as a user would, and collects what it printed.</summary>
public static class BsmTraceProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, byte[] StandardOutputBytes, string StandardError);

    /// <param name="fileSizeLimitBlocks">
    /// When given, bsmtrace runs under <c>ulimit -f</c> of this many blocks (of 512 or 1024 bytes,
    /// as the shell counts) with SIGXFSZ ignored: a write past it fails as on a full disk.
    /// </param>
    public static async Task<Result> RunAsync(IEnumerable<string> args, byte[]? stdin = null, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, int? fileSizeLimitBlocks = null)
    {
        var command = BsmTraceExecutable.Command;
        var start = new ProcessStartInfo(fileSizeLimitBlocks is null ? command[0] : "/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        if (fileSizeLimitBlocks is { } blocks)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\"");
            start.ArgumentList.Add(command[0]);
            // The runtime's W^X double mapping sizes a memory file past any such limit, and cannot start.
            start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        foreach (var word in command.Skip(1))
            start.ArgumentList.Add(word);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["TZ"] = "UTC";
        // A state directory of its own, never the system's, for a run that is the service (a FIFO).
        string state = Directory.CreateTempSubdirectory("bsmtrace-state-").FullName;
        start.Environment["BsmTrace__StateDirectory"] = state;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            start.Environment[k] = v;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bsmtrace did not start");
        var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        await copyOut;
        var bytes = stdout.ToArray();
        Directory.Delete(state, recursive: true);
        return new Result(process.ExitCode, System.Text.Encoding.UTF8.GetString(bytes), bytes, await readErr);
    }
}
