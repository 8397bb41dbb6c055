using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Cli;

/// <summary>The command line's rough edges, each pinned: one version, defaults said once, one wording for errors, tables named by their option.</summary>
public sealed class CommandLineWordingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Dash_v_and_dash_dash_version_print_the_same_version_and_commit()
    {
        var shortForm = await BsmTraceProcess.RunAsync(["-v"]);
        var longForm = await BsmTraceProcess.RunAsync(["--version"]);

        Assert.Equal(0, shortForm.ExitCode);
        Assert.Equal(shortForm.StandardOutput, longForm.StandardOutput);
        Assert.Matches(@"^bsmtrace \d+\.\d+\.\d+ \(commit \S+\)\n$", shortForm.StandardOutput);
    }

    [Fact]
    public async Task Help_says_each_default_once()
    {
        var help = await BsmTraceProcess.RunAsync(["--help"]);
        var printHelp = await BsmTraceProcess.RunAsync(["print", "--help"]);

        foreach (var line in (help.StandardOutput + printHelp.StandardOutput).Split('\n'))
            Assert.True(line.Split("default", StringSplitOptions.None).Length <= 2, $"said twice: {line}");
        Assert.DoesNotContain("<event-file>", help.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("<d>", printHelp.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "bsmtrace: unknown option '--bogus' (see 'bsmtrace --help')\n")]
    [InlineData(new[] { "print", "--bogus" }, "bsmtrace print: unknown option '--bogus' (see 'bsmtrace print --help')\n")]
    [InlineData(new[] { "print", "--json", "-x" }, "bsmtrace print: --json cannot be combined with -x or -l (see 'bsmtrace print --help')\n")]
    public async Task Errors_on_the_command_line_are_worded_alike_and_point_to_the_commands_own_help(string[] args, string expected)
    {
        var result = await BsmTraceProcess.RunAsync(args);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(expected, result.StandardError);
    }

    [Fact]
    public async Task A_table_that_is_missing_a_directory_or_not_a_table_is_one_line_naming_the_option()
    {
        var policy = _dir.Write("p.conf", Policies.Pair);
        var notATable = _dir.Write("passwd", "root:*:0:0:Charlie &:/root:/bin/sh\n");
        var directory = Directory.CreateDirectory(_dir.Path("dir")).FullName;

        foreach (var (file, why) in new[] { (_dir.Path("missing"), "no such file"), (directory, "is a directory"),
                     (notATable, "holds no audit events (lines of NUMBER:NAME:DESCRIPTION:CLASSES); is it the right file?") })
        {
            var result = await BsmTraceProcess.RunAsync(["check", "--event-file", file, policy]);
            Assert.Equal(1, result.ExitCode);
            Assert.Equal($"bsmtrace: --event-file (BsmTrace:EventFile) {file}: {why}\n", result.StandardError);
        }
    }

    [Fact]
    public async Task Check_counts_in_words_that_agree_and_warns_about_an_empty_policy()
    {
        var one = await BsmTraceProcess.RunAsync(["check", _dir.Write("one.conf", Policies.WithState("event any; status any;"))]);
        var empty = await BsmTraceProcess.RunAsync(["check", _dir.Write("empty.conf", "# nothing yet\n")]);

        Assert.EndsWith(": 1 sequence, 1 state, 1 file, 0 warnings\n", one.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, empty.ExitCode);
        Assert.Contains("warning: the policy defines no sequence: bsmtrace would watch for nothing", empty.StandardError, StringComparison.Ordinal);
        Assert.EndsWith(": 0 sequences, 0 states, 1 file, 1 warning\n", empty.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_trail_run_on_a_terminal_ends_with_a_one_line_summary_and_none_when_stderr_is_a_file()
    {
        Skip.IfNot(File.Exists("/usr/bin/script"), "script(1) is needed to give the run a terminal");
        var policy = _dir.Write("p.conf", Policies.Pair);
        var trail = _dir.Write("t.bsm", Trails.Concat(Records.Make(Records.Execve, Trails.Epoch), Records.Make(Records.OpenRead, Trails.Epoch + 1, path: "/x")));
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        string command = $"{BsmTraceExecutable.ShellWords} -F -l '{logs}' -f '{policy}' -a '{trail}' --state-dir ''";

        var (_, onTerminal) = await Command.RunAsync("/usr/bin/script", ["-qec", command, "/dev/null"]);
        var redirected = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", policy, "-a", trail]);

        Assert.Matches(@$"bsmtrace: {System.Text.RegularExpressions.Regex.Escape(trail)}: 2 records, 1 alert, 0 pieces of damage, 0 instances evicted, in \d+\.\d s", onTerminal);
        Assert.Equal("", redirected.StandardError);
    }
}
