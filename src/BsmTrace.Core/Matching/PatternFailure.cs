using BsmTrace.Policy;
using BsmTrace.Policy.Pcre;

namespace BsmTrace.Matching;

/// <summary>A pattern that could not say whether a record's path matched (it reached its limits), and so counted as matching.</summary>
public sealed record PatternFailure(SequenceDefinition Sequence, PcrePattern Pattern, int Error, long RecordIndex, long RecordOffset);
