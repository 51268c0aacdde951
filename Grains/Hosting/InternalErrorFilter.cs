using Microsoft.Extensions.Logging;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Hosting;

/// <summary>
/// The outermost filter of every grain call: an exception that may not cross the wire as it is
/// reaches the caller as an <see cref="InternalErrorException"/> with a fresh correlation id, and
/// the original is logged here, in full, under that id. Without it a database driver's exception
/// (<c>SqliteException</c>, <c>PostgresException</c>) arrives as Orleans' <c>CodecNotFoundException</c>,
/// or, where a codec exists, with its message quoting SQL or values. Orleans sends an exception
/// thrown while a grain activates back past every call filter: a grain that reads the store in
/// <c>OnActivateAsync</c> runs the read through <see cref="GuardedActivation"/>, under the same rule.
/// </summary>
/// <remarks>
/// The rule: an exception crosses as it is when it and every exception inside it (inner
/// exceptions, an aggregate's members) is a refusal (<see cref="ProcurementException"/>), an
/// internal error already reported by the grain called, Orleans' own (<see cref="OrleansException"/>:
/// a silo gone, a message rejected, which the caller acts on), or a timeout or cancellation.
/// Anything else is converted, .NET's own exceptions too: their messages are the throwing code's
/// (Dapper's name the column and value it could not convert), not text meant for a client.
/// </remarks>
public sealed partial class InternalErrorFilter(ILogger<InternalErrorFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (!CrossesAsItIs(ex))
        {
            throw Report(logger, ex, $"{context.InterfaceName}.{context.MethodName}");
        }
    }

    /// <summary>Logs <paramref name="exception"/> under a fresh correlation id and returns what the caller is told instead.</summary>
    public static InternalErrorException Report(ILogger logger, Exception exception, string where)
    {
        var correlationId = Guid.NewGuid().ToString("N");
        LogConverted(logger, exception, where, exception.GetType().FullName, correlationId);
        return new InternalErrorException(correlationId);
    }

    public static bool CrossesAsItIs(Exception? exception) => exception switch
    {
        null => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(CrossesAsItIs),
        ProcurementException or InternalErrorException or OrleansException or TimeoutException or OperationCanceledException => CrossesAsItIs(exception.InnerException),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "{Where} failed with {ExceptionType}; the caller is told INTERNAL_ERROR with correlation id {CorrelationId}.")]
    private static partial void LogConverted(ILogger logger, Exception exception, string where, string? exceptionType, string correlationId);
}
