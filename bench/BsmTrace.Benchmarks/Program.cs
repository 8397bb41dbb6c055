using BenchmarkDotNet.Running;
using BsmTrace.Benchmarks;

// "ratio" runs the 20 and 20,000 subject cases alternately, several rounds, and
// prints records/s for each with their ratio: on a shared, noisy machine the
// alternation keeps drift from favouring one case. Anything else goes to
// BenchmarkDotNet.
if (args is ["ratio", ..])
    return SubjectRatio.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
