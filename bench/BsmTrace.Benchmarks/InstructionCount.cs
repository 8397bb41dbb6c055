using BsmTrace.Bsm;
using BsmTrace.Matching;
using BsmTrace.Unix;

namespace BsmTrace.Benchmarks;

/// <summary>
/// The work bench/instructions counts under callgrind: decoding, or decoding
/// and matching, the first records of a trail a given number of rounds. Run
/// once with one round and once with more, the difference divided by the
/// records of the extra rounds is instructions per record, a figure that does
/// not change with the machine's load (timings on a shared machine can move by
/// a third from one hour to the next).
/// </summary>
internal static class InstructionCount
{
    public static int Run(string what, string trailPath, int byteCount, int rounds)
    {
        var trail = File.ReadAllBytes(trailPath);
        var bytes = trail.AsSpan(0, Math.Min(byteCount, trail.Length)).ToArray();
        long records = what switch
        {
            "decode" => Decode(bytes, rounds),
            "match" => Match(bytes, rounds),
            _ => throw new ArgumentException($"count what? 'decode' or 'match', not '{what}'"),
        };
        Console.WriteLine(records);
        return 0;
    }

    private static long Decode(byte[] bytes, int rounds)
    {
        long records = 0;
        for (int r = 0; r < rounds; r++)
        {
            using var reader = new BsmRecordReader(new MemoryStream(bytes, writable: false));
            while (reader.TryRead(out _))
                records++;
        }

        return records;
    }

    /// <summary>What the pipeline's two threads do between them: frame, decode into batches, match.</summary>
    private static long Match(byte[] bytes, int rounds)
    {
        using var policy = BenchSetup.Policy();
        var engine = new MatchEngine(policy, new MatchEngineOptions { Workers = 1 }, new UserDatabase());
        var batcher = new RecordBatcher(65_536);
        var batch = new RecordBatch(8192, 8192 * 256);
        long records = 0;
        for (int r = 0; r < rounds; r++)
        {
            using var reader = new BsmRecordReader(new MemoryStream(bytes, writable: false));
            while (reader.TryReadFrame(out var frame))
            {
                if (frame.Kind != BsmFrameKind.Record)
                    continue;
                if (!batch.HasRoomFor(frame.Bytes.Length))
                {
                    engine.Process(batch, "count");
                    batch.Clear();
                }

                if (batcher.TryAdd(batch, frame, out _))
                    records++;
            }

            engine.Process(batch, "count");
            batch.Clear();
        }

        return records;
    }
}
