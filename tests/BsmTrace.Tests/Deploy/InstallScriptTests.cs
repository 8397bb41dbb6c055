using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Deploy;

/// <summary>deploy/install.sh, run into a temporary DESTDIR for each system, and what it installed.</summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Script => Path.Combine(SharedData.RepositoryRoot, "deploy", "install.sh");

    private static async Task<string> InstallAsync(string platform, string destdir, string? publishDirectory = null)
    {
        // The program as the tests built it: what install.sh would publish, without publishing again.
        var (code, output) = await Command.RunAsync("/bin/sh", [Script, "--platform", platform, "--publish-dir", publishDirectory ?? AppContext.BaseDirectory],
            new Dictionary<string, string> { ["DESTDIR"] = destdir, ["PREFIX"] = "/usr/local" });
        Assert.True(code == 0, output);
        return output;
    }

    private static UnixFileMode Mode(string path) => File.GetUnixFileMode(path);

    [Theory]
    [InlineData("freebsd", "usr/local/etc/rc.d/bsmtrace", "usr/local/etc/newsyslog.conf.d/bsmtrace.conf", "var/db/bsmtrace")]
    [InlineData("macos", "Library/LaunchDaemons/org.bsmtrace.bsmtrace.plist", "etc/newsyslog.d/bsmtrace.conf", "var/db/bsmtrace")]
    [InlineData("linux", "etc/systemd/system/bsmtrace.service", "etc/logrotate.d/bsmtrace", "var/lib/bsmtrace")]
    public async Task Installs_the_program_launcher_man_pages_policy_service_rotation_and_private_directories(string platform, string service, string rotation, string state)
    {
        string root = _dir.Path(platform);
        await InstallAsync(platform, root);
        string At(string relative) => Path.Combine(root, relative);

        Assert.True(File.Exists(At("usr/local/lib/bsmtrace/bsmtrace.dll")));
        Assert.Empty(Directory.GetFiles(At("usr/local/lib/bsmtrace"), "*.pdb"));
        Assert.Contains("/usr/local/lib/bsmtrace/bsmtrace.dll", await File.ReadAllTextAsync(At("usr/local/bin/bsmtrace")), StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0x1ed, Mode(At("usr/local/bin/bsmtrace"))); // 0755
        Assert.True(File.Exists(At("usr/local/share/man/man8/bsmtrace.8")));
        Assert.True(File.Exists(At("usr/local/share/man/man5/bsmtrace.conf.5")));
        Assert.Equal((UnixFileMode)0x180, Mode(At("usr/local/etc/bsmtrace.conf")));        // 0600
        Assert.True(File.Exists(At("usr/local/etc/bsmtrace.conf.sample")));
        Assert.Equal((UnixFileMode)0x1c0, Mode(At("var/log/bsmtrace")));                   // 0700
        Assert.Equal((UnixFileMode)0x1c0, Mode(At(state)));
        Assert.DoesNotContain("%%", await File.ReadAllTextAsync(At(service)), StringComparison.Ordinal);
        Assert.DoesNotContain("%%", await File.ReadAllTextAsync(At(rotation)), StringComparison.Ordinal);

        // What it installed runs, and passes its own sample policy.
        var (code, output) = await Command.RunAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            [At("usr/local/lib/bsmtrace/bsmtrace.dll"), "check", At("usr/local/etc/bsmtrace.conf")]);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task The_rc_script_is_valid_sh_and_gives_bsmtraces_flags_once_after_daemon()
    {
        string root = _dir.Path("freebsd");
        await InstallAsync("freebsd", root);
        string script = Path.Combine(root, "usr/local/etc/rc.d/bsmtrace");

        var (exit, output) = await Command.RunAsync("/bin/sh", ["-n", script]);
        Assert.True(exit == 0, output);
        string text = await File.ReadAllTextAsync(script);
        Assert.Equal((UnixFileMode)0x16d, Mode(script)); // 0555
        // rc.subr takes ${name}_program as the command: a default for it would replace daemon(8).
        Assert.DoesNotContain("bsmtrace_program", text, StringComparison.Ordinal);
        Assert.Contains("command=\"/usr/sbin/daemon\"", text, StringComparison.Ordinal);
        Assert.Contains("rc_flags=\"\"", text, StringComparison.Ordinal);
        string code = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(code, @"\$\{bsmtrace_flags\}"));
        // An empty metrics setting must stay empty: ${var=default}, not ${var:=default}.
        Assert.Contains(": ${bsmtrace_metrics=\"127.0.0.1:9464\"}", text, StringComparison.Ordinal);
        Assert.Contains("extra_commands=\"reload configtest\"", text, StringComparison.Ordinal);
        Assert.Contains("sig_reload=\"HUP\"", text, StringComparison.Ordinal);
        Assert.Contains("required_files=", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_policy_and_settings_are_kept_on_a_second_install()
    {
        string root = _dir.Path("again");
        await InstallAsync("freebsd", root);
        string policy = Path.Combine(root, "usr/local/etc/bsmtrace.conf");
        string settings = Path.Combine(root, "usr/local/lib/bsmtrace/appsettings.json");
        await File.WriteAllTextAsync(policy, "# mine\n");
        await File.WriteAllTextAsync(settings, "{ \"BsmTrace\": { \"Workers\": 1 } }\n");

        string output = await InstallAsync("freebsd", root);

        Assert.Equal("# mine\n", await File.ReadAllTextAsync(policy));
        Assert.Equal("{ \"BsmTrace\": { \"Workers\": 1 } }\n", await File.ReadAllTextAsync(settings));
        Assert.True(File.Exists(settings + ".sample"));
        Assert.Contains("Kept the existing /usr/local/etc/bsmtrace.conf", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_native_build_installs_as_one_executable_that_runs_without_dotnet_and_replaces_a_portable_one()
    {
        Skip.If(BsmTraceExecutable.Installed is null, "no native build to install: BSMTRACE_EXECUTABLE names none (.ci/run gives the one deploy/publish.sh makes)");
        string native = Path.GetDirectoryName(BsmTraceExecutable.Installed)!;
        Skip.IfNot(File.Exists(Path.Combine(native, "bsmtrace")) && !File.Exists(Path.Combine(native, "bsmtrace.dll")),
            $"{native} holds no native build");
        string root = _dir.Path("native");
        string At(string relative) => Path.Combine(root, relative);
        await InstallAsync("linux", root);

        string output = await InstallAsync("linux", root, native);

        Assert.Contains("Installed bsmtrace (native build)", output, StringComparison.Ordinal);
        Assert.Equal(["appsettings.json", "bsmtrace"], Directory.GetFileSystemEntries(At("usr/local/lib/bsmtrace")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal((UnixFileMode)0x1ed, Mode(At("usr/local/lib/bsmtrace/bsmtrace"))); // 0755
        string launcher = await File.ReadAllTextAsync(At("usr/local/bin/bsmtrace"));
        Assert.Contains("exec \"/usr/local/lib/bsmtrace/bsmtrace\" \"$@\"", launcher, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet", launcher, StringComparison.Ordinal);
        var (code, checkOutput) = await Command.RunAsync(At("usr/local/lib/bsmtrace/bsmtrace"), ["check", At("usr/local/etc/bsmtrace.conf")],
            new Dictionary<string, string> { ["PATH"] = "/nonexistent", ["DOTNET_ROOT"] = "/nonexistent" });
        Assert.True(code == 0, checkOutput);
    }

    [Theory]
    [InlineData(new[] { "--build", "fast" }, "install.sh: --build must be auto, native or portable, not 'fast'")]
    [InlineData(new[] { "--platform", "OTHER", "--build", "native" }, "install.sh: a native build is made for this machine (")]
    public async Task A_build_it_cannot_make_is_refused_before_anything_is_built_or_installed(string[] args, string message)
    {
        // OTHER: a system that is not this machine's.
        args = [.. args.Select(a => a == "OTHER" ? (OperatingSystem.IsLinux() ? "freebsd" : "linux") : a)];
        string root = _dir.Path("refused");
        var (code, output) = await Command.RunAsync("/bin/sh", [Script, .. args], new Dictionary<string, string> { ["DESTDIR"] = root });

        Assert.Equal(1, code);
        Assert.StartsWith(message, output, StringComparison.Ordinal);
        Assert.Single(output.TrimEnd('\n').Split('\n'));
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task Installing_from_the_installed_programs_own_directory_is_refused_and_leaves_it_whole()
    {
        string root = _dir.Path("self");
        await InstallAsync("linux", root);
        string installed = Path.Combine(root, "usr/local/lib/bsmtrace");
        int files = Directory.GetFileSystemEntries(installed).Length;

        var (code, output) = await Command.RunAsync("/bin/sh", [Script, "--platform", "linux", "--publish-dir", installed],
            new Dictionary<string, string> { ["DESTDIR"] = root, ["PREFIX"] = "/usr/local" });

        Assert.Equal(1, code);
        Assert.Contains("which the install replaces", output, StringComparison.Ordinal);
        Assert.Equal(files, Directory.GetFileSystemEntries(installed).Length);
    }

    [Fact]
    public async Task A_build_into_a_directory_that_holds_another_is_refused()
    {
        string earlier = Directory.CreateDirectory(_dir.Path("old-build")).FullName;
        await File.WriteAllTextAsync(Path.Combine(earlier, "bsmtrace.dll"), "an earlier build");

        var (code, output) = await Command.RunAsync("/bin/sh", [Path.Combine(SharedData.RepositoryRoot, "deploy", "publish.sh"), earlier, "portable"]);

        Assert.Equal(1, code);
        Assert.Equal($"publish.sh: {earlier} is not empty; give a new or empty directory\n", output);
    }
}
