using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Codes;

/// <summary>
/// The consumables code master data for every business role: search by code prefix, certificate
/// number and text (in pages of <see cref="ConsumableCodeQuery.DefaultLimit"/>), each code with its
/// classes, registrant, certificate, model, whether it is in use, and the code that replaces it.
/// </summary>
public sealed class IndexModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string? Prefix { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Certificate { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Text { get; set; }

    /// <summary>"active", "inactive" or empty for both.</summary>
    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? After { get; set; }

    /// <summary>The page found; null before a search (or when it was refused).</summary>
    public ConsumableCodePage? Found { get; private set; }

    public bool Searched => !string.IsNullOrWhiteSpace(Prefix) || !string.IsNullOrWhiteSpace(Certificate) || !string.IsNullOrWhiteSpace(Text);

    public async Task OnGetAsync()
    {
        if (!Searched)
        {
            return;
        }
        var query = new ConsumableCodeQuery(Prefix, Certificate, Text, State switch { "active" => true, "inactive" => false, _ => null },
            ConsumableCodeQuery.DefaultLimit, After);
        await TryAsync(async () => Found = await ConsumableCodeApi.SearchAsync(Grains, query), field: f => f switch
        {
            "certificateNumber" => "Certificate",
            _ => f,
        });
    }

    /// <summary>The link to the next page: this search from the page's last code.</summary>
    public string NextLink(string next) =>
        Url.Page("/Codes/Index", new { Prefix, Certificate, Text, State, After = next })!;
}
