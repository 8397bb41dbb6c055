namespace BsmTrace.Bsm;

/// <summary>The first token of a record that could not be walked: what was wrong, where in the record, and its id.</summary>
public readonly record struct RecordProblem(TokenMeasure Measure, int OffsetInRecord, byte TokenId)
{
    public string Describe() => Measure switch
    {
        TokenMeasure.Unknown => $"unknown token type 0x{TokenId:x2}",
        TokenMeasure.Truncated => $"token 0x{TokenId:x2} runs past the end of its record",
        _ => $"malformed token 0x{TokenId:x2}",
    };
}
