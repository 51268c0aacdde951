using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Hospital;

/// <summary>A hospital's volume report for one batch: a form per product, or a CSV/XLSX upload, all lines or none.</summary>
public sealed class ReportModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer, Microsoft.Extensions.Options.IOptions<PortalLimits> limits) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    public List<VolumeReportLine> Lines { get; set; } = [];

    public TenderBatchView View { get; private set; } = null!;

    public ReportingTerms Terms { get; private set; } = null!;

    public IReadOnlyList<VolumeReport> Reports { get; private set; } = [];

    public IReadOnlyList<Manufacturer> Manufacturers { get; private set; } = [];

    public IReadOnlyList<RowError> RowErrors { get; private set; } = [];

    /// <summary>The hospital's average annual use per product, beside each input with the floor it implies.</summary>
    public IReadOnlyDictionary<string, long> History { get; private set; } = new Dictionary<string, long>();

    /// <summary>Units accepted on the platform per product over the two years before this month: the floor holds the report to their annual average too.</summary>
    public IReadOnlyDictionary<string, long> Accepted { get; private set; } = new Dictionary<string, long>();

    [TempData]
    public string? Saved { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostFormAsync()
    {
        await LoadAsync();
        var lines = Lines.Where(l => !string.IsNullOrEmpty(l.ProductId)).ToList();
        if (!await TryAsync(() => Grains.Hospital().SubmitVolumeReportsAsync(Id, lines), ""))
        {
            return Page();
        }
        Saved = L["{0} report line(s) saved.", lines.Count];
        return RedirectToPage(new { id = Id });
    }

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file)
    {
        await LoadAsync();
        if (file is null || file.Length == 0)
        {
            Problem = L["Choose a CSV or XLSX file to upload."];
            return Page();
        }
        HospitalApi.VolumeUploadResult? result = null;
        if (!await TryAsync(async () =>
        {
            await using var stream = file.OpenReadStream();
            result = await HospitalApi.ImportVolumesAsync(Grains, Id, stream, file.Length, UploadParser.IsXlsx(file.ContentType, file.FileName), UploadLimits.From(limits.Value), HttpContext.RequestAborted);
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
        Saved = L["{0} report line(s) saved from {1}.", result.Lines.Count, file.FileName];
        return RedirectToPage(new { id = Id });
    }

    private async Task LoadAsync()
    {
        View = await Grains.HospitalBatchAsync(Id);
        Terms = await Grains.Batch(Id).GetReportingTermsAsync(User.Organisation());
        Reports = await Grains.Hospital().GetVolumeReportsAsync(Id);
        Manufacturers = await Grains.Directory().ListManufacturersAsync();
        var history = (await Grains.Hospital().GetUsageHistoryAsync()).ToDictionary(h => h.ProductId, h => h.AverageAnnualVolume);
        // A drug report is held to the products' volumes; a category's are its brand intentions' history.
        var accepted = (await Grains.Orders().GetAcceptedVolumesAsync()).Where(v => !v.Category).ToList();
        Accepted = accepted.ToDictionary(v => v.ProductId, v => v.AcceptedUnits);
        // The floor is the grain's: the larger of the registered average and the accepted annual average.
        foreach (var volume in accepted)
        {
            history[volume.ProductId] = Math.Max(history.GetValueOrDefault(volume.ProductId), volume.AnnualAverage);
        }
        History = history;
    }
}
