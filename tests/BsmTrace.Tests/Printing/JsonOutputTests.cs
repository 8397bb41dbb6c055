using System.Net;
using System.Text.Json;
using BsmTrace.Bsm;
using BsmTrace.Printing;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Printing;

public sealed class JsonOutputTests
{
    [Fact]
    public void Ids_above_2_to_the_31_stay_unsigned()
    {
        var record = new BsmRecordBuilder(23, Trails.Epoch).Subject32(uint.MaxValue, 3_000_000_000, 0, 0, 0, 1, 1).Build();
        using var doc = JsonDocument.Parse(Print.Text(record, new PrintOptions { Json = true, NoResolve = true }));
        var subject = doc.RootElement.GetProperty("tokens")[1];
        Assert.Equal(uint.MaxValue, subject.GetProperty("auid").GetUInt32());
        Assert.Equal(3_000_000_000u, subject.GetProperty("euid").GetUInt32());
    }

    [Fact]
    public void Each_record_is_one_json_object_with_named_token_fields()
    {
        var trail = Trails.Concat(
            Trails.Exec(1001, "/bin/sh", status: 13),
            new BsmRecordBuilder(32800, Trails.Epoch + 1).Subject32Ex(0, 0, 0, 0, 0, 1, 1, 0, IPAddress.Parse("fe80::1")).Text("a \"quoted\"\nline").Build());
        var lines = Print.Text(trail, new PrintOptions { Json = true, NoResolve = true }).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);

        using var first = JsonDocument.Parse(lines[0]);
        var tokens = first.RootElement.GetProperty("tokens").EnumerateArray().ToList();
        Assert.Equal(0, first.RootElement.GetProperty("offset").GetInt64());
        Assert.Equal("header", tokens[0].GetProperty("type").GetString());
        Assert.Equal("AUE_EXECVE", tokens[0].GetProperty("event_name").GetString());
        Assert.Equal(Trails.Epoch, tokens[0].GetProperty("seconds").GetInt64());
        var path = tokens.Single(t => t.GetProperty("type").GetString() == "path");
        Assert.Equal("/bin/sh", path.GetProperty("path").GetString());
        var subject = tokens.Single(t => t.GetProperty("type").GetString() == "subject");
        Assert.Equal(1001, subject.GetProperty("auid").GetInt64());
        Assert.Equal("10.0.0.2", subject.GetProperty("terminal_address").GetString());
        var ret = tokens.Single(t => t.GetProperty("type").GetString() == "return");
        Assert.Equal(13, ret.GetProperty("status").GetInt32());
        Assert.Equal("Permission denied", ret.GetProperty("status_text").GetString());

        using var second = JsonDocument.Parse(lines[1]);
        var text = second.RootElement.GetProperty("tokens").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "text");
        Assert.Equal("a \"quoted\"\nline", text.GetProperty("text").GetString());
        var ids = second.RootElement.GetProperty("tokens").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "subject_ex");
        Assert.Equal("fe80::1", ids.GetProperty("terminal_address").GetString());
    }

    [Fact]
    public void A_path_that_is_not_utf8_keeps_its_exact_bytes_beside_its_text()
    {
        byte[] latin1 = [.. "/tmp/caf"u8, 0xe9];
        byte[] broken = [.. "/tmp/caf"u8, 0xff];
        var trail = Trails.Concat(
            new BsmRecordBuilder(23, Trails.Epoch).Path(latin1).Build(),
            new BsmRecordBuilder(23, Trails.Epoch).Path(broken).Build(),
            new BsmRecordBuilder(23, Trails.Epoch).Path("/tmp/café").Build());
        var paths = Print.Text(trail, new PrintOptions { Json = true, NoResolve = true })
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("tokens").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "path"))
            .ToList();

        Assert.Equal("/tmp/caf\ufffd", paths[0].GetProperty("path").GetString());
        Assert.Equal(latin1, Convert.FromHexString(paths[0].GetProperty("path_hex").GetString()!));
        Assert.Equal(broken, Convert.FromHexString(paths[1].GetProperty("path_hex").GetString()!));
        Assert.Equal("/tmp/café", paths[2].GetProperty("path").GetString());
        Assert.False(paths[2].TryGetProperty("path_hex", out _));
    }
}
