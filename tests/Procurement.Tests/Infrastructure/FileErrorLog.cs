using Microsoft.Extensions.Logging;

namespace Procurement.Tests.Infrastructure;

/// <summary>
/// Warnings and errors of the test silos, appended to one file (the path is in
/// <see cref="Path"/>), so a failure whose cause stays in the silo can be read after the run.
/// </summary>
public sealed class FileErrorLog : ILoggerProvider
{
    public static string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "procurement-tests-silo.log");

    private static readonly object Gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            lock (Gate)
            {
                File.AppendAllText(Path, $"{DateTimeOffset.UtcNow:O} {logLevel} {category}: {formatter(state, exception)}{Environment.NewLine}{exception}{Environment.NewLine}");
            }
        }
    }
}
