using BenchmarkDotNet.Attributes;
using BsmTrace.Bsm;
using BsmTrace.Policy;

namespace BsmTrace.Benchmarks;

/// <summary>
/// The object rules of the benchmark policy over the paths of the benchmark
/// mix: a path-prefix set (web.create's <c>not $webroot</c>), an exact path set
/// ($recon) and the pcre of tmp.exec. One operation is one path.
/// </summary>
public class PathMatcherBenchmarks
{
    private byte[][] _paths = [];
    private ObjectMatcher _prefix = null!;
    private ObjectMatcher _exact = null!;
    private ObjectMatcher _pcre = null!;
    private CompiledPolicy _policy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _paths = TrailFactory.Records(200_000, 20)
            .Select(raw => AuditRecord.TryParse(raw, 0, out var record, out _) && record.HasPath ? record.Path.ToArray() : null)
            .OfType<byte[]>()
            .Take(10_000)
            .ToArray();
        _policy = BenchSetup.Policy();
        ObjectMatcher Of(string sequence) => _policy.Sequences.Single(s => s.Name == sequence).States[0].Object!;
        _prefix = Of("web.create");
        _exact = Of("web.recon");
        _pcre = Of("tmp.exec");
    }

    [GlobalCleanup]
    public void Cleanup() => _policy.Dispose();

    [Benchmark(OperationsPerInvoke = 10_000)]
    public int PathPrefixSet() => Count(_prefix);

    [Benchmark(OperationsPerInvoke = 10_000)]
    public int ExactPathSet() => Count(_exact);

    [Benchmark(OperationsPerInvoke = 10_000)]
    public int Pcre() => Count(_pcre);

    private int Count(ObjectMatcher matcher)
    {
        int matches = 0;
        foreach (var path in _paths)
        {
            if (matcher.Matches(true, path))
                matches++;
        }

        return matches;
    }
}
