using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Pages;

/// <summary>
/// The base of the portal's pages: the grains as the user may reach them, and a refusal shown on
/// the form, next to the field it names, with its stable code.
/// </summary>
public abstract class PortalPage(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PageModel
{
    protected GrainAccess Grains { get; } = grains;

    protected IStringLocalizer<SharedResource> L { get; } = localizer;

    /// <summary>Names in the reader's language (the same instance the views inject).</summary>
    protected Names Names => HttpContext.RequestServices.GetRequiredService<Names>();

    /// <summary>Loads the catalogue's names for a signed-in user before any handler, so every view can name what it shows.</summary>
    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            await Names.LoadAsync(User);
        }
        await next();
    }

    /// <summary>The message of the last refusal, for the page's alert.</summary>
    public string? Problem { get; set; }

    /// <summary>
    /// Runs an action; a refusal becomes a model error on the form rather than an error page, next
    /// to the input the grain's field names (model-state keys ignore case, so <c>pricePerPack</c>
    /// under prefix <c>Form.</c> is the input <c>Form.PricePerPack</c>).
    /// </summary>
    protected async Task<bool> TryAsync(Func<Task> action, string? prefix = null, Func<string, string>? field = null)
    {
        try
        {
            await action();
            return true;
        }
        catch (ProcurementException ex)
        {
            Problem = $"{ex.Message} ({ex.Code})";
            ModelState.AddModelError(ex.Field is null ? "" : $"{prefix}{(field is null ? ex.Field : field(ex.Field))}", $"{ex.Message} ({ex.Code})");
            return false;
        }
    }
}
