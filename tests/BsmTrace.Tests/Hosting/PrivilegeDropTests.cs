using System.Globalization;
using BsmTrace.Tests.Support;
using BsmTrace.Unix;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>
/// <c>--user</c>: the service opens what needs root, then becomes the user for good, and its
/// triggers run as that user. Needs root, and the system's <c>nobody</c>.
/// </summary>
public sealed class PrivilegeDropTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ServiceAccount Nobody()
    {
        OtherUser.RequireRoot();
        var nobody = ServiceAccount.Find("nobody");
        Skip.If(nobody is null, "this system has no user nobody");
        // After the change the runtime still loads assemblies now and then: the program's and the
        // runtime's directories must be open to other users (they are where an install puts them).
        string[] needed = BsmTraceExecutable.Installed is { } program
            ? [Path.GetDirectoryName(program)!]
            : [AppContext.BaseDirectory, Path.GetDirectoryName(typeof(object).Assembly.Location)!];
        Skip.IfNot(needed.All(OpenToOthers), $"{string.Join(" or ", needed)} is not readable by other users, as the service's user would need");
        return nobody!;
    }

    /// <summary>Whether every directory from / down to <paramref name="directory"/> lets other users in, and it lets them read.</summary>
    private static bool OpenToOthers(string directory)
    {
        for (string? d = Path.GetFullPath(directory); d is not null; d = Path.GetDirectoryName(d))
        {
            var mode = File.GetUnixFileMode(d);
            if ((mode & UnixFileMode.OtherExecute) == 0)
                return false;
        }

        return (File.GetUnixFileMode(directory) & UnixFileMode.OtherRead) != 0;
    }

    [SkippableFact]
    public async Task The_service_becomes_the_user_after_opening_its_source_and_directories_and_triggers_run_as_it()
    {
        var nobody = Nobody();
        // The user must be able to reach what it writes after the change.
        File.SetUnixFileMode(_dir.Root, (UnixFileMode)0x1ed); // 0755
        var output = Directory.CreateDirectory(_dir.Path("out")).FullName;
        Assert.Equal(0, Chown(output, nobody));
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", $$"""
            sequence s { subject any; state { event any; status any; trigger "/bin/sh -c \"id -ru; id -u; id -rg; id -g; cat /proc/self/status > {{output}}/status; id > {{output}}/done\" "; }; };
            """);
        var logs = _dir.Path("logs");
        var state = _dir.Path("state");
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "-l", logs, "--state-dir", state, "--user", "nobody", "--metrics-listen", ""]);

        await Fifo.WriteAsync(fifo, Make(Execve, Trails.Epoch, path: "/x"));
        await service.WaitUntilAsync(() => File.Exists(Path.Combine(output, "done")), "the trigger to run");
        await service.WaitForLineAsync(l => l.Contains("Running as {User}", StringComparison.Ordinal) && l.Contains("\"User\":\"nobody\"", StringComparison.Ordinal));

        // The trigger's ids, real and effective, and its saved ids: the user's, all of them.
        var status = await File.ReadAllLinesAsync(Path.Combine(output, "status"));
        string uid = nobody.Uid.ToString(CultureInfo.InvariantCulture), gid = nobody.Gid.ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"Uid:\t{uid}\t{uid}\t{uid}\t{uid}", status.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)));
        Assert.Equal($"Gid:\t{gid}\t{gid}\t{gid}\t{gid}", status.Single(l => l.StartsWith("Gid:", StringComparison.Ordinal)));
        // The service itself too.
        var own = await File.ReadAllLinesAsync($"/proc/{service.Pid}/status");
        Assert.Equal($"Uid:\t{uid}\t{uid}\t{uid}\t{uid}", own.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)));
        // The directories it made as root were given to the user, who writes in them from now on.
        Assert.Equal(nobody.Uid, Owner(logs));
        Assert.Equal(nobody.Uid, Owner(state));

        await service.StopCleanlyAsync(); // the last checkpoint is written as the user
        Assert.NotEmpty(Directory.GetFiles(state, "*.checkpoint"));
    }

    [SkippableFact]
    public async Task A_log_directory_that_exists_and_belongs_to_root_is_refused_with_the_command_that_fixes_it()
    {
        Nobody();
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        File.SetUnixFileMode(logs, (UnixFileMode)0x1c0);
        var policy = _dir.Write("p.conf", Policies.Pair);
        var trail = _dir.Write("t.bsm", Make(Execve, Trails.Epoch));

        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", policy, "-a", trail, "--user", "nobody", "--state-dir", ""]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"bsmtrace: {logs} belongs to user 0, but bsmtrace makes files there as nobody (--user): chown nobody {logs}\n", result.StandardError);
    }

    [Fact]
    public async Task A_user_the_system_does_not_have_is_one_line_and_exit_1()
    {
        var policy = _dir.Write("p.conf", Policies.Pair);
        var trail = _dir.Write("t.bsm", Make(Execve, Trails.Epoch));

        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", trail, "--user", "no-such-user-here"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--user (BsmTrace:User)", result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
    }

    private static uint Owner(string path) =>
        FileStatus.TryGet(path, followLinks: false, out var status) ? status.Owner : throw new IOException($"cannot stat {path}");

    private static int Chown(string path, ServiceAccount account) => chown(path, account.Uid, account.Gid);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, uint owner, uint group);
}
