namespace BsmTrace.Policy.Triggers;

/// <summary>The values a trigger command may use: the only three the spec allows.</summary>
public enum TriggerVariable
{
    /// <summary><c>$subject</c>: the audit user's name.</summary>
    Subject,
    /// <summary><c>$esubject</c>: the effective user's name.</summary>
    EffectiveSubject,
    /// <summary><c>$object</c>: the record's path.</summary>
    Object,
}
