namespace BsmTrace.Policy;

public enum LogChannelKind
{
    Stderr,
    Syslog,
    File,
    Bsm,
    Json,
}
