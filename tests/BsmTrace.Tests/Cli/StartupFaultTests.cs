using System.Net;
using System.Net.Sockets;
using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Cli;

/// <summary>
/// Every fault at start-up, whatever the setting's source, is one line on stderr that names the
/// setting or the file, and exit status 1: never a stack trace, never a silent exit 0.
/// </summary>
public sealed class StartupFaultTests : IDisposable
{
    private const string EachPolicy = "sequence each { subject any; state { event any; status any; }; };";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Trail() => _dir.Write("t.bsm", Make(Execve, Trails.Epoch));

    private static string OneLine(BsmTraceProcess.Result result)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.StandardError, StringComparison.Ordinal);
        return Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--workers", "abc")]
    [InlineData("--workers", "-1")]
    [InlineData("--max-instances", "99999999999")]
    [InlineData("--max-instances", "0")]
    public async Task A_bad_number_on_the_command_line_names_its_flag(string flag, string value)
    {
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", _dir.Write("p.conf", EachPolicy), "-a", Trail(), flag, value]);
        var line = OneLine(result);
        Assert.StartsWith("bsmtrace: ", line, StringComparison.Ordinal);
        Assert.Contains(flag, line, StringComparison.Ordinal);
        Assert.Contains(value, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    public async Task A_bad_setting_from_the_environment_is_refused_in_a_trail_run_and_in_the_service(string value)
    {
        var environment = new Dictionary<string, string> { ["BsmTrace__MaxInstances"] = value };
        var policy = _dir.Write("p.conf", EachPolicy);

        var trailRun = OneLine(await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", Trail()], environment: environment));
        Assert.Contains("BsmTrace:MaxInstances", trailRun, StringComparison.Ordinal);
        Assert.Contains(value, trailRun, StringComparison.Ordinal);

        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var service = OneLine(await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", fifo, "--metrics-listen", ""], environment: environment));
        Assert.Equal(trailRun, service);
    }

    [Fact]
    public async Task A_pidfile_held_by_a_running_bsmtrace_is_refused_with_exit_1()
    {
        var pid = _dir.Path("bsmtrace.pid");
        var policy = _dir.Write("p.conf", EachPolicy);
        await using var first = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", await Fifo.CreateAsync(_dir.Path("pipe1")), "-p", pid, "--metrics-listen", ""]);
        await first.WaitUntilAsync(() => PidIn(pid) == first.Pid, "the first service's pid in the pidfile");

        var second = await BsmTraceProcess.RunAsync(["-F", "--follow", "-f", policy, "-a", await Fifo.CreateAsync(_dir.Path("pipe2")), "-p", pid, "--metrics-listen", ""]);
        var line = OneLine(second);
        Assert.Contains(pid, line, StringComparison.Ordinal);
        Assert.Contains(first.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
        Assert.Equal(first.Pid, PidIn(pid)); // the running service's pidfile is left as it was

        await first.StopCleanlyAsync();
        Assert.False(File.Exists(pid));
    }

    [Fact]
    public async Task A_stale_pidfile_of_a_process_that_is_gone_is_taken_over()
    {
        var pid = _dir.Write("bsmtrace.pid", "999999\n");
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", _dir.Write("p.conf", EachPolicy), "-a", await Fifo.CreateAsync(_dir.Path("pipe")), "-p", pid, "--metrics-listen", ""]);
        await service.WaitUntilAsync(() => PidIn(pid) == service.Pid, "the service's own pid in the stale pidfile");
        await service.StopCleanlyAsync();
        Assert.False(File.Exists(pid));
    }

    [Fact]
    public async Task A_metrics_port_in_use_is_one_line_naming_the_setting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));

        var line = OneLine(await BsmTraceProcess.RunAsync(["-F", "-f", _dir.Write("p.conf", EachPolicy), "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]));
        Assert.Contains("MetricsListen", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    private static int? PidIn(string path)
    {
        try
        {
            // cat, not File.ReadAllText: a reader must not need the lock the pidfile's owner holds.
            using var cat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cat", [path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string text = cat.StandardOutput.ReadToEnd();
            cat.WaitForExit();
            return int.TryParse(text.Trim(), out int pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
