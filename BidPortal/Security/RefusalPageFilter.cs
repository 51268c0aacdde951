using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Procurement.BidPortal.Api;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Security;

/// <summary>
/// A page that loads another organisation's batch (or one that does not exist) answers with the
/// friendly 403 or 404 page instead of an error page, and a malformed id (400) the status page.
/// </summary>
public sealed class RefusalPageFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is ProcurementException ex && !executed.ExceptionHandled)
        {
            var status = Problems.StatusOf(ex.Code);
            if (status is StatusCodes.Status400BadRequest or StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound)
            {
                executed.Result = new StatusCodeResult(status);
                executed.ExceptionHandled = true;
            }
        }
    }
}
