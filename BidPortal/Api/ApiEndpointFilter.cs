using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Api;

/// <summary>
/// Around every API handler: the ids in the address (batch, user...) are checked for their shape
/// before any grain is activated for them, and a refusal (<see cref="ProcurementException"/>) is
/// answered with its problem and logged as information, one line without a stack trace: a refusal
/// is the API working, not a fault.
/// </summary>
public sealed class ApiEndpointFilter(ILogger<ApiEndpointFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            foreach (var (name, value) in context.HttpContext.Request.RouteValues)
            {
                if (value is string text)
                {
                    EntityId.Require(text, name);
                }
            }
            return await next(context);
        }
        catch (ProcurementException ex)
        {
            logger.LogInformation("Refused {Method} {Path}: {Code} {Message}", context.HttpContext.Request.Method, context.HttpContext.Request.Path, ex.Code, ex.Message);
            return Problems.Result(ex);
        }
    }
}
