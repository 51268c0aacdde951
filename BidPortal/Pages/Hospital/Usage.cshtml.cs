using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.Contracts.Grains;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Hospital;

/// <summary>A month's purchases: one line by form, or the month's sheet by upload; the lines as they count.</summary>
public sealed class UsageModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, BusinessTime time, IStringLocalizer<SharedResource> localizer, Microsoft.Extensions.Options.IOptions<PortalLimits> limits) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string? Month { get; set; }

    [BindProperty]
    public UsageLine Line { get; set; } = new("", "", 0, 0);

    public IReadOnlyList<UsageRecord> Lines { get; private set; } = [];

    public IReadOnlyList<RowError> RowErrors { get; private set; } = [];

    public IReadOnlyList<HospitalAgreementView> Agreements { get; private set; } = [];

    [TempData]
    public string? Saved { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostLineAsync()
    {
        await LoadAsync();
        if (!await TryAsync(() => Grains.Hospital().ReportUsageAsync(Month!, [Line]), "Line.", f => f.Replace("lines[0].", "", StringComparison.Ordinal)))
        {
            return Page();
        }
        Saved = L["The line is saved."];
        return RedirectToPage(new { month = Month });
    }

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file)
    {
        await LoadAsync();
        if (file is null || file.Length == 0)
        {
            Problem = L["Choose a CSV or XLSX file to upload."];
            return Page();
        }
        UsageImportResult? result = null;
        if (!await TryAsync(async () =>
        {
            await using var stream = file.OpenReadStream();
            result = await HospitalApi.ImportUsageAsync(Grains, Month!, stream, file.Length, UploadParser.IsXlsx(file.ContentType, file.FileName), UploadLimits.From(limits.Value), HttpContext.RequestAborted);
        }))
        {
            return Page();
        }
        if (!result!.Accepted)
        {
            RowErrors = result.Errors;
            Problem = L["Nothing was saved: {0} row error(s).", result.Errors.Count];
            return Page();
        }
        Saved = L["{0} usage line(s) saved from {1}.", result.Lines.Count, file.FileName];
        return RedirectToPage(new { month = Month });
    }

    private async Task LoadAsync()
    {
        // The business month, as the grain files usage: in Beijing's first eight hours of a month it is still the last month in UTC.
        Month ??= time.Month(clock.GetUtcNow());
        Agreements = await Grains.Directory().ListAgreementsForHospitalAsync(User.Organisation());
        await TryAsync(async () => Lines = await Grains.Hospital().GetUsageAsync(Month));
    }
}
