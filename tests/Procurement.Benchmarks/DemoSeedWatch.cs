using Microsoft.Extensions.Logging;

namespace Procurement.Benchmarks;

/// <summary>
/// Tells when the demo seed has finished. Its accounts exist within seconds, but it goes on
/// replaying earlier rounds on a business clock set back (about half a minute): a load measured
/// meanwhile shares the machine with it and, worse, its writes would be stamped in the past.
/// The seed says when it is done only in its log, so this reads the log.
/// </summary>
internal sealed class DemoSeedWatch : ILoggerProvider
{
    public const string Category = "Procurement.Silo.Seeding.DemoSeeder";

    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the seed logs its summary; fails when it logs an error.</summary>
    public Task Done => _done.Task;

    public ILogger CreateLogger(string categoryName) => categoryName == Category ? new Watcher(_done) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Watcher(TaskCompletionSource done) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (logLevel >= LogLevel.Error)
            {
                done.TrySetException(new InvalidOperationException($"The demo seed failed: {message}", exception));
            }
            else if (message.StartsWith("Demo seed: alliance", StringComparison.Ordinal))
            {
                done.TrySetResult();
            }
        }
    }
}
