using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Procurement.BidPortal.Api;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Security;

/// <summary>
/// A page that loads another organisation's batch (or one that does not exist, or names a
/// malformed id) answers with the friendly status page of the refusal (403, 404, 400...) instead
/// of an error page, and the refusal is logged as one information line without a stack trace.
/// </summary>
public sealed class RefusalPageFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is ProcurementException ex && !executed.ExceptionHandled)
        {
            var request = context.HttpContext.Request;
            context.HttpContext.RequestServices.GetRequiredService<ILogger<RefusalPageFilter>>()
                .LogInformation("Refused {Method} {Path}: {Code} {Message}", request.Method, request.Path, ex.Code, ex.Message);
            executed.Result = new StatusCodeResult(Problems.StatusOf(ex.Code));
            executed.ExceptionHandled = true;
        }
    }
}
