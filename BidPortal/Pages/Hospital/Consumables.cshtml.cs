using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Hospital;

/// <summary>
/// A hospital's brand intentions for a consumables batch: per category its current intention and a
/// form to state or revise it, one category per submission (the grain takes all lines or none, so
/// one line is one revision), or every category at once from an uploaded CSV/XLSX sheet, all rows or
/// none and every bad row listed (the upload API's reading and checks).
/// </summary>
public sealed partial class ConsumablesModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer, IOptions<PortalLimits> limits) : PortalPage(grains, localizer)
{
    /// <summary>Further-choice selects shown beyond those already stated, up to the grain's limit of 10.</summary>
    public const int MaxFurtherChoices = 10;

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    public IntentionForm Form { get; set; } = new();

    public TenderBatchView View { get; private set; } = null!;

    public ReportingTerms Terms { get; private set; } = null!;

    public IReadOnlyDictionary<string, ConsumableIntention> Intentions { get; private set; } = new Dictionary<string, ConsumableIntention>();

    /// <summary>The kept revisions of the hospital's intentions per category, newest first (the current one among them).</summary>
    public ILookup<string, ConsumableIntentionRevision> Revisions { get; private set; } = Array.Empty<ConsumableIntentionRevision>().ToLookup(r => r.CategoryId);

    /// <summary>Whether older revisions than those read were left out (<see cref="ConsumableIntentionHistory.MaxRevisions"/>).</summary>
    public bool RevisionsTruncated { get; private set; }

    /// <summary>
    /// Per category, the systems or units accepted on the platform under its agreements over the two
    /// years before this month (components bought separately not counted), with their annual average.
    /// </summary>
    public IReadOnlyDictionary<string, AcceptedVolume> Accepted { get; private set; } = new Dictionary<string, AcceptedVolume>();

    /// <summary>Per category, the average annual use an intention is held to: the larger of the registered use and the accepted annual average.</summary>
    public IReadOnlyDictionary<string, long> History { get; private set; } = new Dictionary<string, long>();

    /// <summary>Every bad row of a refused upload (row 1 is the first data row).</summary>
    public IReadOnlyList<RowError> RowErrors { get; private set; } = [];

    /// <summary>The category of a refused form: only its form shows what was typed and the errors.</summary>
    public string? RefusedCategory { get; private set; }

    [TempData]
    public string? Saved { get; set; }

    public bool Open => Terms.Phase == TenderBatchPhase.VolumeReporting;

    public sealed class IntentionForm
    {
        public string? CategoryId { get; set; }
        public string? ManufacturerId { get; set; }
        public string? CertificateNumber { get; set; }
        public string? Model { get; set; }
        public string? ConsumableCode { get; set; }
        public long AnnualQuantity { get; set; }
        public List<string?> FurtherChoices { get; set; } = [];
        public string? BelowHistoryReason { get; set; }
    }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadAsync();
        if (!ModelState.IsValid)
        {
            RefusedCategory = Form.CategoryId;
            Problem = L["Nothing was saved: correct the marked fields."];
            return Page();
        }
        // An empty firm goes to the grain as empty text, so its refusal names the required field; an
        // empty certificate and model are no product (any product of the firm), one without the other refused by the grain.
        var line = new ConsumableIntentionLine(
            Form.CategoryId ?? "",
            (Form.ManufacturerId ?? "").Trim(),
            string.IsNullOrWhiteSpace(Form.CertificateNumber) ? null : Form.CertificateNumber.Trim(),
            string.IsNullOrWhiteSpace(Form.Model) ? null : Form.Model.Trim(),
            string.IsNullOrWhiteSpace(Form.ConsumableCode) ? null : Form.ConsumableCode.Trim(),
            Form.AnnualQuantity,
            Form.FurtherChoices.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!).ToList(),
            string.IsNullOrWhiteSpace(Form.BelowHistoryReason) ? null : Form.BelowHistoryReason.Trim());
        // The grain names fields of its list ("lines[0].annualQuantity"); this form is that one line.
        if (!await TryAsync(() => Grains.Hospital().SubmitConsumableIntentionsAsync(Id, [line]), "Form.", f => LinePrefix().Replace(f, "")))
        {
            RefusedCategory = Form.CategoryId;
            return Page();
        }
        Saved = L["Intention for {0} saved.", Terms.ConsumableCategories.FirstOrDefault(c => c.CategoryId == Form.CategoryId)?.Name ?? Form.CategoryId ?? ""];
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
        ConsumableIntentionUploadApi.ConsumableIntentionUploadResult? result = null;
        if (!await TryAsync(async () =>
        {
            var uploadLimits = UploadLimits.From(limits.Value);
            await using var content = file.OpenReadStream();
            await using var body = await UploadParser.BufferAsync(content, file.Length, uploadLimits, HttpContext.RequestAborted);
            result = await ConsumableIntentionUploadApi.ImportAsync(Grains.Hospital(), Id, body, UploadParser.IsXlsx(file.ContentType, file.FileName), uploadLimits);
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
        Saved = L["{0} intention(s) saved from {1}.", result.Intentions.Count, file.FileName];
        return RedirectToPage(new { id = Id });
    }

    private async Task LoadAsync()
    {
        View = await Grains.HospitalBatchAsync(Id);
        Terms = await Grains.Batch(Id).GetReportingTermsAsync(User.Organisation());
        if (Terms.ConsumableCategories.Count == 0)
        {
            return;
        }
        Intentions = (await Grains.Hospital().GetConsumableIntentionsAsync(Id)).ToDictionary(i => i.CategoryId, StringComparer.Ordinal);
        var kept = await Grains.Hospital().GetConsumableIntentionHistoryAsync(Id);
        Revisions = kept.Revisions.ToLookup(r => r.CategoryId, StringComparer.Ordinal);
        RevisionsTruncated = kept.Truncated;
        var categories = Terms.ConsumableCategories.Select(c => c.CategoryId).ToHashSet(StringComparer.Ordinal);
        Accepted = (await Grains.Orders().GetAcceptedVolumesAsync())
            .Where(v => v.Category && categories.Contains(v.ProductId))
            .ToDictionary(v => v.ProductId, StringComparer.Ordinal);
        // The floor is the grain's: the larger of the use registered under the category's id and the accepted annual average.
        var history = (await Grains.Hospital().GetUsageHistoryAsync())
            .Where(h => categories.Contains(h.ProductId))
            .ToDictionary(h => h.ProductId, h => h.AverageAnnualVolume, StringComparer.Ordinal);
        foreach (var volume in Accepted.Values)
        {
            history[volume.ProductId] = Math.Max(history.GetValueOrDefault(volume.ProductId), volume.AnnualAverage);
        }
        History = history;
    }

    [GeneratedRegex(@"^lines\[\d+\]\.?")]
    private static partial Regex LinePrefix();
}
