using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Cli;

/// <summary><c>bsmtrace -n -f FILE</c> and <c>bsmtrace check FILE</c>, run as the real executable.</summary>
public sealed class PolicyCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Good = "define set $u <auid> { 0; };\nsequence s { subject $u; state { event any; status any; }; };\n";

    [Fact]
    public async Task Dash_n_on_a_good_policy_is_silent_and_exits_0()
    {
        var path = _dir.Write("good.conf", Good);
        var result = await BsmTraceProcess.RunAsync(["-n", "-f", path]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardError);
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public async Task Dash_n_on_a_broken_policy_prints_each_error_with_its_place_and_exits_1()
    {
        var path = _dir.Write("bad.conf", "define set $u <auid> { 0; };\nsequence s {\n\tsubject $x;\n\tstate { event any; status sometimes; };\n};\n");
        var result = await BsmTraceProcess.RunAsync(["-n", "-f", path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"{path}:3:10: error: unknown set $x\n{path}:4:28: error: unknown status 'sometimes'; expected success, failure or any\n",
            result.StandardError);
    }

    [Fact]
    public async Task Dash_n_on_a_missing_file_is_one_line()
    {
        var path = _dir.Path("nope.conf");
        var result = await BsmTraceProcess.RunAsync(["-n", "-f", path]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"{path}: error: cannot read the policy: no such file\n", result.StandardError);
    }

    [Fact]
    public async Task Check_adds_warnings_and_a_summary()
    {
        var path = _dir.Write("p.conf", "define set $spare <auid> { 0; };\n" + Good);
        var result = await BsmTraceProcess.RunAsync(["check", path]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"{path}:1:1: warning: set $spare is never used\n", result.StandardError);
        Assert.Equal($"{path}: 1 sequence, 1 state, 1 file, 1 warning\n", result.StandardOutput);
    }

    [Fact]
    public async Task Check_of_a_broken_policy_exits_1()
    {
        var path = _dir.Write("p.conf", "sequence s { subject any; };\n");
        var result = await BsmTraceProcess.RunAsync(["check", path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}:1:1: error: sequence s has no states", result.StandardError, StringComparison.Ordinal);
        Assert.Equal($"{path}: 1 error, 0 warnings: the policy does not load\n", result.StandardOutput);
    }

    [Fact]
    public async Task The_repositorys_policy_checks_clean()
    {
        var result = await BsmTraceProcess.RunAsync(["check", Path.Combine(SharedData.RepositoryRoot, "bsmtrace.conf")]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardError);
        Assert.EndsWith("0 warnings\n", result.StandardOutput, StringComparison.Ordinal);
    }
}
