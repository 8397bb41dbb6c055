using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.State;

/// <summary>The state directory: made private, refused when others could write where reading resumes.</summary>
public sealed class StateDirectoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<BsmTraceProcess.Result> Run(string state) => await BsmTraceProcess.RunAsync(
        ["-F", "-f", _dir.Write("p.conf", "sequence each { subject any; state { event any; status any; }; };"), "-a", _dir.Write("t.bsm", Make(Execve, Trails.Epoch)), "--state-dir", state]);

    [Fact]
    public async Task A_missing_state_directory_is_made_0700()
    {
        var state = _dir.Path("state");
        Assert.Equal(0, (await Run(state)).ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
        Assert.Single(Directory.GetFiles(state, "*.checkpoint"));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.OtherWrite)]
    public async Task A_state_directory_others_can_write_is_refused_in_one_line(UnixFileMode write)
    {
        var state = Directory.CreateDirectory(_dir.Path("state")).FullName;
        File.SetUnixFileMode(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute | write);

        var result = await Run(state);
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"bsmtrace: state directory {state}: others can write in it", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(state));
    }

    [SkippableFact]
    public async Task A_state_directory_inside_another_users_directory_is_refused()
    {
        OtherUser.RequireRoot();
        var theirs = Directory.CreateDirectory(_dir.Path("theirs")).FullName;
        var state = Directory.CreateDirectory(Path.Combine(theirs, "state")).FullName;
        File.SetUnixFileMode(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        OtherUser.Give(theirs); // they could put a directory, and a checkpoint, of their own at its name

        var result = await Run(state);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"bsmtrace: state directory {state}: {theirs}, above", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"belongs to user {OtherUser.Id}", result.StandardError, StringComparison.Ordinal);
    }
}
