namespace BsmTrace.Bsm;

/// <summary>The four header token forms a record can start with.</summary>
public enum BsmHeaderForm
{
    Header32,
    Header32Ex,
    Header64,
    Header64Ex,
}
