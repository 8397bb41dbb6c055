using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Matching;

/// <summary>
/// The original program's alerts for a trail encoded by OpenBSM's libbsm:
/// the real executable, run as the shared README says, must raise exactly
/// the same set, whatever the number of workers.
/// </summary>
public sealed class DifferentialTests
{
    [SharedDataTheory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task D101_alerts_equal_the_originals(int workers)
    {
        var directory = SharedData.Path_("differential");
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", "policy.conf", "-a", "d101.bsm", "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            workingDirectory: directory);

        Assert.Equal(0, result.ExitCode);
        var alerts = result.StandardError.Split('\n').Where(l => l.Contains("state machine:", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        var expected = File.ReadAllLines(Path.Combine(directory, "d101.expected"));
        Assert.Equal(expected.Length, alerts.Length);
        Assert.Equal(expected, alerts);
    }
}
