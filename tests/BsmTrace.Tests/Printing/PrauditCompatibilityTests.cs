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

        foreach (var trail in ComparedTrails())
            data.Add(trail);
        return data;
    }

    /// <summary>Every trail in ../shared with praudit's output beside it, relative to ../shared.</summary>
    private static IEnumerable<string> ComparedTrails() =>
        Directory.EnumerateFiles(SharedData.Path_(), "*.praudit-n.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(file => Path.GetRelativePath(SharedData.Path_(), file[..^".praudit-n.txt".Length]));

    [SharedDataTheory]
    [MemberData(nameof(TrailsWithPrauditOutput))]
    public void Numeric_output_equals_praudit_n(string trail) =>
        AssertSame(trail, ".praudit-n.txt", new PrintOptions { NoResolve = true });

    [SharedDataTheory]
    [MemberData(nameof(TrailsWithPrauditOutput))]
    public void Raw_output_equals_praudit_r(string trail) =>
        AssertSame(trail, ".praudit-r.txt", new PrintOptions { Raw = true });

    [SkippableTheory]
    [MemberData(nameof(TrailsWithPrauditOutput))]
    public void Xml_output_equals_praudit_x_n(string trail)
    {
        Skip.IfNot(SharedData.Exists, SharedData.SkipReason);
        Skip.IfNot(File.Exists(SharedData.Path_(trail + ".praudit-xn.xml")), $"{trail}: no praudit -x -n output beside it to compare with");
        AssertSame(trail, ".praudit-xn.xml", new PrintOptions { NoResolve = true, Xml = true });
    }

    [SharedDataFact]
    public void Every_reference_token_type_is_covered()
    {
        // OpenBSM's reference set has one bare encoding per token type; each type must appear in some
        // record whose printing is compared with praudit's above, or that comparison leaves it untried.
        var referenceTypes = Directory.EnumerateFiles(SharedData.Path_("trails", "openbsm-reference"), "*_token")
            .ToDictionary(f => File.ReadAllBytes(f)[0], Path.GetFileName);
        var compared = new HashSet<byte>();
        foreach (var trail in ComparedTrails())
        {
            using var reader = new BsmTrace.Bsm.BsmRecordReader(File.OpenRead(SharedData.Path_(trail)));
            while (reader.TryReadFrame(out var frame))
            {
                var bytes = frame.Bytes.Span;
                compared.Add(bytes[0]); // a file token is one token; a record, a run of them
                for (int at = 0; frame.Kind == BsmTrace.Bsm.BsmFrameKind.Record && at < bytes.Length;)
                {
                    Assert.Equal(BsmTrace.Bsm.TokenMeasure.Ok, BsmTrace.Bsm.BsmTokenLayout.Measure(bytes[at..], out int length));
                    compared.Add(bytes[at]);
                    at += length;
                }
            }
        }

        var missing = referenceTypes.Where(t => !compared.Contains(t.Key)).Select(t => $"{t.Value} (0x{t.Key:x2})").ToArray();
        Assert.True(referenceTypes.Count >= 20, $"only {referenceTypes.Count} reference token types were found");
        Assert.True(missing.Length == 0, "token types no praudit comparison covers: " + string.Join(", ", missing));
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
