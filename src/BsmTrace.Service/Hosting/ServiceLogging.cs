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
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration)
            // The host's own report of a start that failed carries the exception; bsmtrace says it in one line instead.
            .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", LogEventLevel.Fatal)
            .Enrich.FromLogContext();
        if (debug)
            logger.MinimumLevel.Debug();
        ITextFormatter format = Console.IsErrorRedirected
            ? new CompactJsonFormatter()
            : new MessageTemplateTextFormatter("{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}" + (debug ? "{Exception}" : ""));
        return logger.WriteTo.Console(debug ? format : new WithoutExceptions(format), standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger();
    }

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
