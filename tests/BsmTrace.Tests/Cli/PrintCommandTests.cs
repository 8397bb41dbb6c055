using System.Text;
using BsmTrace.Bsm;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Cli;

/// <summary><c>bsmtrace print</c>, run as the real executable.</summary>
public sealed class PrintCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bsmtrace-print-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task Prints_a_trail_file_as_praudit_n_and_exits_0()
    {
        var path = Write("t.bsm", Trails.Exec(1001, "/usr/bin/id"));
        var result = await BsmTraceProcess.RunAsync(["print", "-n", path]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardError);
        Assert.Equal(Print.Text(Trails.Exec(1001, "/usr/bin/id")), result.StandardOutput);
        Assert.Contains("path,/usr/bin/id\n", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dash_and_no_file_read_standard_input()
    {
        var trail = Trails.Concat(Trails.Exec(1, "/a"), Trails.Exec(2, "/b"));
        var dash = await BsmTraceProcess.RunAsync(["print", "-n", "-l", "-"], stdin: trail);
        var none = await BsmTraceProcess.RunAsync(["print", "-n", "-l"], stdin: trail);

        Assert.Equal(0, dash.ExitCode);
        Assert.Equal(2, dash.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(dash.StandardOutput, none.StandardOutput);
    }

    [Fact]
    public async Task Damaged_trail_prints_what_it_can_reports_the_offset_and_exits_1()
    {
        var records = Trails.Execs(3);
        records[1][^5] ^= 0xff;
        var path = Write("damaged.bsm", Trails.Concat(records));
        var result = await BsmTraceProcess.RunAsync(["print", "-n", path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("path,/usr/bin/tool0\n", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("path,/usr/bin/tool2\n", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("tool1", result.StandardOutput, StringComparison.Ordinal);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"bsmtrace: {path}: byte {records[0].Length}: ", line, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public async Task Corrupt_shared_trail_reports_byte_0_and_prints_two_records()
    {
        var result = await BsmTraceProcess.RunAsync(["print", "-n", SharedData.Path_("trails", "real", "freebsd-corrupt-size.trail")]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(": byte 0: record declares a length of 4294967295 bytes", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(2, result.StandardOutput.Split('\n').Count(l => l.StartsWith("header,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Missing_file_is_one_line_naming_it_and_the_other_files_still_print()
    {
        var good = Write("good.bsm", Trails.Exec(5, "/bin/ls"));
        var missing = Path.Combine(_dir, "missing.bsm");
        var result = await BsmTraceProcess.RunAsync(["print", "-n", missing, good]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"bsmtrace: {missing}: cannot open: no such file or directory\n", result.StandardError);
        Assert.Contains("path,/bin/ls", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--no-such-flag")]
    [InlineData("-Q")]
    public async Task Bad_flag_is_one_line_without_a_stack_trace(string flag)
    {
        var result = await BsmTraceProcess.RunAsync(["print", flag]);
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("bsmtrace print: ", line, StringComparison.Ordinal);
        Assert.Contains(flag, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_is_not_a_trail()
    {
        var result = await BsmTraceProcess.RunAsync(["print", _dir]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"bsmtrace: {_dir}: is a directory, not a trail\n", result.StandardError);
    }

    [Fact]
    public async Task Xml_output_stays_well_formed_when_a_path_holds_bytes_that_are_not_utf8_or_control_characters()
    {
        var path = Write("t.bsm", Trails.Concat(
            new BsmRecordBuilder(23, Trails.Epoch).Path([.. "/tmp/caf"u8, 0xe9, 0x01, (byte)'<', 0x1b]).Text("bell\u0007").Build(),
            new BsmRecordBuilder(23, Trails.Epoch).Path("/tmp/ok & fine").Build()));

        var result = await BsmTraceProcess.RunAsync(["print", "-x", "-n", path]);

        Assert.Equal(0, result.ExitCode);
        var doc = System.Xml.Linq.XDocument.Parse(result.StandardOutput);
        var paths = doc.Descendants("path").Select(p => p.Value).ToList();
        Assert.Equal(["/tmp/caf\\M-i\\^A<\\^[", "/tmp/ok & fine"], paths);
    }

    [Fact]
    public async Task Xml_output_is_a_whole_document()
    {
        var path = Write("x.bsm", Trails.Exec(0, "/bin/<sh>&"));
        var result = await BsmTraceProcess.RunAsync(["print", "-x", "-n", path]);

        Assert.Equal(0, result.ExitCode);
        var doc = System.Xml.Linq.XDocument.Parse(result.StandardOutput);
        Assert.Equal("audit", doc.Root!.Name.LocalName);
        Assert.Contains("/bin/<sh>&", doc.Root.Descendants("path").Single().Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_n_ids_are_printed_as_names()
    {
        var path = Write("root.bsm", new BsmRecordBuilder(23, Trails.Epoch).Subject32(0, 0, 0, 0, 0, 1, 1).Build());
        var named = await BsmTraceProcess.RunAsync(["print", path]);
        var numeric = await BsmTraceProcess.RunAsync(["print", "-n", path]);

        Assert.Contains("subject,root,root,", named.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("subject,0,0,0,0,0,1,1,0,0.0.0.0", numeric.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_lines_parse_one_record_per_line()
    {
        var path = Write("j.bsm", Trails.Concat(Trails.Exec(1, "/a"), Trails.Exec(2, "/b")));
        var result = await BsmTraceProcess.RunAsync(["print", "--json", path]);

        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
            Assert.Equal(System.Text.Json.JsonValueKind.Object, System.Text.Json.JsonDocument.Parse(line).RootElement.ValueKind);
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(Encoding.UTF8.GetBytes(result.StandardError));
    }
}
