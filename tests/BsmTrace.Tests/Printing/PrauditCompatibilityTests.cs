using BsmTrace.Printing;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Printing;

/// <summary>
/// print must equal praudit, byte for byte, on every trail in ../shared that
/// has praudit's output beside it: real FreeBSD and macOS trails, OpenBSM's
/// reference records, and the differential trail.
/// </summary>
public sealed class PrauditCompatibilityTests
{
    public static TheoryData<string> TrailsWithPrauditOutput()
    {
        var data = new TheoryData<string>();
        if (!SharedData.Exists)
        {
            data.Add("(absent)");
            return data;
        }

        foreach (var file in Directory.EnumerateFiles(SharedData.Path_(), "*.praudit-n.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(SharedData.Path_(), file[..^".praudit-n.txt".Length]));
        return data;
    }

    [SharedDataTheory]
    [MemberData(nameof(TrailsWithPrauditOutput))]
    public void Numeric_output_equals_praudit_n(string trail) =>
        AssertSame(trail, ".praudit-n.txt", new PrintOptions { NoResolve = true });

    [SharedDataTheory]
    [MemberData(nameof(TrailsWithPrauditOutput))]
    public void Raw_output_equals_praudit_r(string trail) =>
        AssertSame(trail, ".praudit-r.txt", new PrintOptions { Raw = true });

    [SharedDataTheory]
    [MemberData(nameof(TrailsWithPrauditOutput))]
    public void Xml_output_equals_praudit_x_n(string trail)
    {
        if (File.Exists(SharedData.Path_(trail + ".praudit-xn.xml")))
            AssertSame(trail, ".praudit-xn.xml", new PrintOptions { NoResolve = true, Xml = true });
    }

    [SharedDataFact]
    public void Every_reference_token_type_is_covered()
    {
        // Sanity of the data itself: the comparison above must really span the token types.
        var trails = Directory.GetFiles(SharedData.Trails, "*.praudit-n.txt", SearchOption.AllDirectories);
        Assert.True(trails.Length >= 50, $"only {trails.Length} trails with praudit output were found");
    }

    [SharedDataFact]
    public void Corrupt_trail_prints_its_two_intact_records_and_reports_the_damage_at_byte_0()
    {
        var trail = File.ReadAllBytes(SharedData.Path_("trails", "real", "freebsd-corrupt-size.trail"));
        var intact = File.ReadAllText(SharedData.Path_("trails", "real", "freebsd-20211116090816.20211116125655.trail.praudit-n.txt"));

        var (output, damage) = Print.Bytes(trail, new PrintOptions { NoResolve = true });

        // The corrupt trail is the intact one with its first record's length overwritten:
        // what survives is exactly the intact trail's last two records.
        var expected = string.Join("", intact.Split("header,").Skip(2).Select(r => "header," + r));
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(output));
        var single = Assert.Single(damage);
        Assert.Equal(0, single.Offset);
        Assert.Equal(56, single.Length);
        Assert.Equal(BsmTrace.Bsm.BsmDamageKind.ImpossibleLength, single.Kind);
    }

    private static void AssertSame(string trail, string suffix, PrintOptions options)
    {
        var expectedPath = SharedData.Path_(trail + suffix);
        var expected = File.ReadAllBytes(expectedPath);
        var (actual, damage) = Print.Bytes(File.ReadAllBytes(SharedData.Path_(trail)), options);
        Assert.Empty(damage);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            var e = System.Text.Encoding.UTF8.GetString(expected).Split('\n');
            var a = System.Text.Encoding.UTF8.GetString(actual).Split('\n');
            int line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
            Assert.Fail($"{expectedPath}:{line + 1}: expected\n  {(line < e.Length ? e[line] : "<end>")}\nbut printed\n  {(line < a.Length ? a[line] : "<end>")}");
        }
    }
}
