using BenchmarkDotNet.Running;
using BsmTrace.Benchmarks;

// "ratio" runs the 20 and 20,000 subject cases alternately, several rounds, and
// prints records/s for each with their ratio: on a shared, noisy machine the
// alternation keeps drift from favouring one case. Anything else goes to
// BenchmarkDotNet.
if (args is ["generate", var path, var count, var users])
{
    // A deterministic trail for bench/run: the same bytes every time for the same arguments.
    using var file = File.Create(path);
    foreach (var record in TrailFactory.Records(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), int.Parse(users, System.Globalization.CultureInfo.InvariantCulture)))
        file.Write(record);
    return 0;
}

if (args is ["policy", var policyPath])
{
    File.WriteAllText(policyPath, BenchPolicy.Text);
    return 0;
}

if (args is ["latency", var executable, ..])
    return LiveLatency.Run(executable, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100_000, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 10);

if (args is ["count", var what, var trailPath, var byteCount, var rounds])
    return InstructionCount.Run(what, trailPath, int.Parse(byteCount, System.Globalization.CultureInfo.InvariantCulture), int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture));

if (args is ["scaled-policy", var kind, var n, var scaledPath])
    return ScaledPolicy.Run(kind, int.Parse(n, System.Globalization.CultureInfo.InvariantCulture), scaledPath);

if (args is ["decode-rate", var decodeTrail])
    return DecodeRate.Run(decodeTrail);

if (args is ["pattern-worst-case"])
    return PatternWorstCase.Run();

if (args is ["ratio", ..])
    return SubjectRatio.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
