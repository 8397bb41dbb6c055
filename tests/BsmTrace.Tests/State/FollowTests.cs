using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.State;

/// <summary>
/// A followed file is followed by identity, not by name or size: renamed and made anew, truncated
/// in place, copied and truncated, every record is read once.
/// </summary>
public sealed class FollowTests : IDisposable
{
    private const string Each = "sequence each { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[][] Execs(long from, int count) =>
        Enumerable.Range(0, count).Select(i => Make(Execve, from + i, auid: (uint)(i % 50))).ToArray();

    private static void Append(string path, byte[][] records)
    {
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write);
        foreach (var r in records)
            file.Write(r);
    }

    private ServiceProcess Follow(string path) =>
        ServiceProcess.Start(["-F", "--follow", "-f", _dir.Write("p.conf", Each), "-a", path, "--metrics-listen", ""]);

    /// <summary>The seconds of every alert, which the records make distinct: each must be there once.</summary>
    private static void AssertEachOnce(ServiceProcess service, IEnumerable<long> seconds)
    {
        var alerted = service.Lines.Where(l => l.Contains("state machine: each", StringComparison.Ordinal)).Select(l => long.Parse(l.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(seconds.Order(), alerted.Order());
    }

    [Fact]
    public async Task A_renamed_file_is_read_to_its_end_through_its_descriptor_then_the_new_one_from_its_start()
    {
        var path = _dir.Path("audit.bsm");
        await File.WriteAllBytesAsync(path, Trails.Concat(Execs(Trails.Epoch, 300)));
        await using var service = Follow(path);
        await service.WaitForAlertsAsync(300);

        // newsyslog: the file is renamed; its writer, still holding it, writes on for a moment; a new file takes the name.
        await using (var writer = new FileStream(path, FileMode.Append, FileAccess.Write))
        {
            File.Move(path, path + ".0");
            foreach (var r in Execs(Trails.Epoch + 1000, 200))
                writer.Write(r);
        }

        // The new file is longer than what was read of the old one: its size says nothing.
        await File.WriteAllBytesAsync(path, Trails.Concat(Execs(Trails.Epoch + 2000, 600)));
        Append(path, Execs(Trails.Epoch + 3000, 100));

        await service.WaitForAlertsAsync(1200);
        Append(path, Execs(Trails.Epoch + 4000, 1)); // a last record: anything read twice would be out before its alert
        await service.WaitForAlertsAsync(1201);
        AssertEachOnce(service, Enumerable.Range(0, 300).Concat(Enumerable.Range(1000, 200)).Concat(Enumerable.Range(2000, 600))
            .Concat(Enumerable.Range(3000, 100)).Append(4000).Select(s => Trails.Epoch + s));
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_file_truncated_in_place_and_grown_past_where_it_was_read_is_read_again_from_its_start()
    {
        var path = _dir.Path("audit.bsm");
        await File.WriteAllBytesAsync(path, Trails.Concat(Execs(Trails.Epoch, 1000)));
        await using var service = Follow(path);
        await service.WaitForAlertsAsync(1000);

        // Truncated and written again past where it had been read, at once: only its first bytes tell.
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(0);
            foreach (var r in Execs(Trails.Epoch + 10_000, 3000))
                file.Write(r);
        }

        await service.WaitForAlertsAsync(4000);
        Append(path, Execs(Trails.Epoch + 20_000, 1));
        await service.WaitForAlertsAsync(4001);
        AssertEachOnce(service, Enumerable.Range(0, 1000).Concat(Enumerable.Range(10_000, 3000)).Append(20_000).Select(s => Trails.Epoch + s));
        Assert.Contains(service.Lines, l => l.Contains("truncated", StringComparison.Ordinal));
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task Copy_and_truncate_loses_nothing_of_what_was_written_before_the_copy()
    {
        var path = _dir.Path("audit.bsm");
        await File.WriteAllBytesAsync(path, Trails.Concat(Execs(Trails.Epoch, 500)));
        await using var service = Follow(path);
        await service.WaitForAlertsAsync(500);

        // logrotate's copytruncate: more is written, the file is copied and truncated, writing goes on in it.
        Append(path, Execs(Trails.Epoch + 1000, 500));
        File.Copy(path, path + ".1");
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            file.SetLength(0);
        Append(path, Execs(Trails.Epoch + 2000, 500));

        await service.WaitForAlertsAsync(1500);
        Append(path, Execs(Trails.Epoch + 3000, 1));
        await service.WaitForAlertsAsync(1501);
        AssertEachOnce(service, Enumerable.Range(0, 500).Concat(Enumerable.Range(1000, 500)).Concat(Enumerable.Range(2000, 500)).Append(3000).Select(s => Trails.Epoch + s));
        await service.StopCleanlyAsync();
    }
}
