using Microsoft.Extensions.Logging;

namespace BsmTrace.Service.Cli;

/// <summary>
/// The command line's logger: one line per message on stderr, "bsmtrace: "
/// first, warnings and errors only unless <c>-d</c>. (The service logs through
/// Serilog; a trail run from a shell wants plain lines.)
/// </summary>
internal sealed class StderrLogger(TextWriter stderr, bool debug) : ILogger
{
    private readonly Lock _lock = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= (debug ? LogLevel.Debug : LogLevel.Warning);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
            return;
        string line = $"bsmtrace: {formatter(state, exception)}";
        lock (_lock)
        {
            stderr.WriteLine(line);
            if (debug && exception is not null)
                stderr.WriteLine(exception.ToString());
        }
    }
}
