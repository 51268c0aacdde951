using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Api;

/// <summary>
/// Refusals as RFC 9457 problem details carrying the stable <c>code</c> (and the <c>field</c>
/// when one input is at fault). A failure inside the cluster is a 500 with <c>INTERNAL_ERROR</c> and the
/// silo's correlation id; any other unexpected failure a plain 500 without a stack trace.
/// </summary>
public static class Problems
{
    private static readonly HashSet<string> NotFound =
    [
        ErrorCodes.NotFound, ErrorCodes.NotConfigured, ErrorCodes.BidNotFound, ErrorCodes.ObjectionNotFound, ErrorCodes.AgreementNotFound,
        ErrorCodes.OrderNotFound, ErrorCodes.DeliveryNotFound, ErrorCodes.InvoiceNotFound,
    ];

    private static readonly HashSet<string> BadInput =
    [
        ErrorCodes.RequiredField, ErrorCodes.InvalidField, ErrorCodes.UnknownProduct, ErrorCodes.BelowHistoryNeedsReason,
        ErrorCodes.PriceAboveMaximum, ErrorCodes.NotQualified, ErrorCodes.UnknownReference, ErrorCodes.FutureMonth,
        ErrorCodes.NoAgreementForProduct, ErrorCodes.UnknownManufacturer, ErrorCodes.DuplicateLine, ErrorCodes.MalformedFile, ErrorCodes.FileEncoding,
        ErrorCodes.NotParticipating, ErrorCodes.AntiforgeryFailed,
        ErrorCodes.ProductNotOrderable, ErrorCodes.PriceNotListed, ErrorCodes.SubstituteReasonRequired, ErrorCodes.ManufacturerRequired,
        ErrorCodes.ComponentNotInSystem, ErrorCodes.ComponentNotOnSystem, ErrorCodes.DeliveryAboveOrdered,
        ErrorCodes.ConsumableCategoryNotInBatch, ErrorCodes.ConsumableClassMismatch, ErrorCodes.ConsumableProductIncomplete, ErrorCodes.ConsumableCodeLength, ErrorCodes.ConsumableCodeMalformed,
        ErrorCodes.ConsumableCodeCategory, ErrorCodes.BidKindMismatch, ErrorCodes.ComponentsNotPriced,
        ErrorCodes.AwardModeNotForBatch, ErrorCodes.AwardBudgetNotForBatch, ErrorCodes.RenewalVolumeBelowPrevious,
        ErrorCodes.PageLimitOutOfRange, ErrorCodes.PageCursorInvalid, ErrorCodes.PageRequired,
    ];

    public static int StatusOf(string code) => code switch
    {
        _ when NotFound.Contains(code) => StatusCodes.Status404NotFound,
        _ when BadInput.Contains(code) => StatusCodes.Status400BadRequest,
        ErrorCodes.Forbidden or ErrorCodes.CsrfRejected or ErrorCodes.NotDesignated => StatusCodes.Status403Forbidden,
        ErrorCodes.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorCodes.UploadTooLarge or ErrorCodes.TooManyRows or ErrorCodes.RequestTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.SignInDelayed => StatusCodes.Status429TooManyRequests,
        ErrorCodes.Unauthenticated or ErrorCodes.SignInFailed => StatusCodes.Status401Unauthorized,
        ErrorCodes.AccountLocked => StatusCodes.Status423Locked,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCodes.StoreFailure or ErrorCodes.ClusterUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.InternalError => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status409Conflict,
    };

    public static ProblemDetails For(string code, string message, string? field = null)
    {
        var problem = new ProblemDetails
        {
            Status = StatusOf(code),
            Title = code,
            Detail = message,
            Type = $"https://procurement.example/problems/{code.ToLowerInvariant().Replace('_', '-')}",
        };
        problem.Extensions["code"] = code;
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }
        return problem;
    }

    /// <summary>A JSON body over <c>Portal:MaxJsonBodyBytes</c>, refused from its declared length or where reading stopped.</summary>
    public static ProblemDetails RequestTooLarge(long limit) => For(ErrorCodes.RequestTooLarge,
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The request body is larger than the {limit:N0} bytes a JSON request may have (Portal:MaxJsonBodyBytes); nothing was done."));

    /// <summary>
    /// A grain call that failed inside the cluster: a 500 with the stable code and the correlation id
    /// under which the silo logged the cause, for the operator to find it; nothing of the cause itself.
    /// </summary>
    public static ProblemDetails InternalError(InternalErrorException ex)
    {
        var problem = For(ex.Code, ex.Message);
        problem.Extensions["correlationId"] = ex.CorrelationId;
        return problem;
    }

    public static ProblemHttpResult Result(ProcurementException ex) => TypedResults.Problem(For(ex.Code, ex.Message, ex.Field));

    public static ProblemHttpResult Result(string code, string message, string? field = null) => TypedResults.Problem(For(code, message, field));

    /// <summary>
    /// A silo that died or left under the call: the request may be sent again (bid actions carry a
    /// request id, usage lines sent unchanged act once), so it is a 503, not a server fault.
    /// </summary>
    public static bool IsClusterUnavailable(Exception? error) => error switch
    {
        null => false,
        SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsClusterUnavailable),
        _ => IsClusterUnavailable(error.InnerException),
    };

    /// <summary>
    /// Refusals and requests that do not bind are answered, not faults: the exception handlers
    /// write no error log with a stack trace for them.
    /// </summary>
    public static bool IsRefusal(Exception? error) =>
        error is ProcurementException or BadHttpRequestException or Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException;

    /// <summary>The exception handler of <c>/api</c>: a refusal keeps its code, anything else is a 500 that names no internals.</summary>
    public static async Task HandleAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var problem = error switch
        {
            ProcurementException ex => For(ex.Code, ex.Message, ex.Field),
            BadHttpRequestException { InnerException: System.Text.Json.JsonException json } => For(
                ErrorCodes.InvalidField, $"The JSON body is malformed or has a value of the wrong type at {json.Path ?? "$"}: {json.Message}", json.Path ?? "$"),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } when context.Items[ApiRequestGuard.JsonBodyLimitItem] is long limit => RequestTooLarge(limit),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => For(ErrorCodes.UploadTooLarge, "The request body is larger than the portal accepts."),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } bad => For(ErrorCodes.UnsupportedMediaType, bad.Message),
            BadHttpRequestException bad => For(ErrorCodes.InvalidField, bad.Message),
            Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException => For(ErrorCodes.AntiforgeryFailed, "The form's antiforgery token is missing or stale; reload the page."),
            _ when IsClusterUnavailable(error) => For(ErrorCodes.ClusterUnavailable, "The cluster is rebalancing after a silo left; send the same request again (its request id makes it act once)."),
            InternalErrorException ex => InternalError(ex),
            _ => For(ErrorCodes.InternalError, "The request failed on the server; the log has the cause."),
        };
        if (IsRefusal(error))
        {
            // The middleware writes no diagnostics for refusals (SuppressDiagnosticsCallback): one line here instead.
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Problems))
                .LogInformation("Refused {Method} {Path}: {Code} {Message}", context.Request.Method, context.Request.Path, problem.Extensions["code"], problem.Detail);
        }
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        if (error is BadHttpRequestException { StatusCode: var status } && status != StatusCodes.Status400BadRequest)
        {
            problem.Status = status;
        }
        context.Response.StatusCode = problem.Status ?? 500;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
