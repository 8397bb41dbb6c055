using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The service's logs: Serilog on stderr, one JSON object per event where stderr is not a
/// terminal (journald, daemon(8), launchd files), sentences where it is. No stack trace reaches
/// them unless <c>-d</c>: an event says what failed in its message.
/// </summary>
internal static class ServiceLogging
{
    public static Serilog.Core.Logger CreateLogger(IConfiguration configuration, bool debug)
    {
        var logger = new LoggerConfiguration().Enrich.FromLogContext();
        ApplyLevels(logger, configuration);
        // The host's own report of a start that failed carries the exception; bsmtrace says it in one line instead.
        logger.MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", LogEventLevel.Fatal);
        if (debug)
            logger.MinimumLevel.Debug();
        ITextFormatter format = Console.IsErrorRedirected
            ? new CompactJsonFormatter()
            : new MessageTemplateTextFormatter("{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}" + (debug ? "{Exception}" : ""));
        return logger.WriteTo.Console(debug ? format : new WithoutExceptions(format), standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger();
    }

    /// <summary>
    /// The levels of the <c>Serilog:MinimumLevel</c> section (<c>Default</c>, and <c>Override</c> by
    /// source), read here rather than by Serilog.Settings.Configuration, which finds sinks and
    /// enrichers by reflection and so cannot be compiled ahead of time; bsmtrace's sink and format
    /// are its own choice, and levels are all its settings ever held.
    /// </summary>
    /// <exception cref="SettingsException">A level that is not one: one line naming the setting.</exception>
    internal static void ApplyLevels(LoggerConfiguration logger, IConfiguration configuration)
    {
        var section = configuration.GetSection("Serilog:MinimumLevel");
        // "MinimumLevel": "Warning" is the short form of { "Default": "Warning" }.
        string? defaultLevel = section.Value ?? section["Default"];
        if (!string.IsNullOrEmpty(defaultLevel))
            logger.MinimumLevel.Is(Level(defaultLevel, section.Value is null ? "Serilog:MinimumLevel:Default" : "Serilog:MinimumLevel"));
        foreach (var source in section.GetSection("Override").GetChildren())
        {
            if (!string.IsNullOrEmpty(source.Value))
                logger.MinimumLevel.Override(source.Key, Level(source.Value, $"Serilog:MinimumLevel:Override:{source.Key}"));
        }
    }

    private static LogEventLevel Level(string text, string setting) =>
        Enum.TryParse<LogEventLevel>(text, ignoreCase: true, out var level) && Enum.IsDefined(level)
            ? level
            : throw new SettingsException($"{setting}: '{text}' is not a level (Verbose, Debug, Information, Warning, Error or Fatal)");

    /// <summary>Formats each event as if it carried no exception.</summary>
    private sealed class WithoutExceptions(ITextFormatter inner) : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output)
        {
            if (logEvent.Exception is not null)
                logEvent = new LogEvent(logEvent.Timestamp, logEvent.Level, null, logEvent.MessageTemplate, logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)));
            inner.Format(logEvent, output);
        }
    }
}
