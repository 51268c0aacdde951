using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Bidding;

/// <summary>
/// A manufacturer's qualifications: for every product and consumables category of the batches
/// open for bidding or coming, what the firm declared (consistency evaluation, years of
/// production, GMP record) and a form to declare or replace it. Without a declaration the bidder
/// grain refuses a bid on the product; whether a declaration makes the bid eligible is the rule
/// set's decision at the award.
/// </summary>
// Writes only: the policy lets reads (GET) through (PortalExtensions); handler methods cannot carry it.
[EnableRateLimiting(PortalLimits.Bids)]
public sealed class QualificationsModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    /// <summary>A product or category a bid may be made on, with the batch that lists it.</summary>
    public sealed record Biddable(string ProductId, string Name, string BatchId, string BatchName, bool Consumable);

    public IReadOnlyList<Biddable> Items { get; private set; } = [];

    public IReadOnlyDictionary<string, Qualification> Declared { get; private set; } = new Dictionary<string, Qualification>();

    /// <summary>The product of a refused form: only that form shows what was typed, with its errors.</summary>
    public string? RefusedProduct { get; private set; }

    [BindProperty]
    public DeclarationForm Form { get; set; } = new();

    [TempData]
    public string? Saved { get; set; }

    public sealed class DeclarationForm
    {
        public string? ProductId { get; set; }
        public bool ConsistencyEvaluationPassed { get; set; }
        public int? YearsOfProduction { get; set; }
        public bool GmpViolationInLastTwoYears { get; set; }
        public string? GmpRecordReference { get; set; }
    }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostDeclareAsync()
    {
        await LoadAsync();
        RefusedProduct = Form.ProductId;
        if (!ModelState.IsValid)
        {
            Problem = L["Nothing was saved: correct the marked fields."];
            return Page();
        }
        var qualification = new Qualification(
            (Form.ProductId ?? "").Trim(),
            Form.ConsistencyEvaluationPassed,
            Form.YearsOfProduction ?? -1,
            Form.GmpViolationInLastTwoYears,
            string.IsNullOrWhiteSpace(Form.GmpRecordReference) ? null : Form.GmpRecordReference.Trim());
        if (!await TryAsync(() => Grains.Bidder().DeclareQualificationAsync(qualification), "Form."))
        {
            return Page();
        }
        Saved = qualification.ProductId;
        return RedirectToPage();
    }

    private async Task LoadAsync()
    {
        var batches = (await Grains.Directory().ListBatchesAsync())
            .Where(b => b.Phase is TenderBatchPhase.VolumeReporting or TenderBatchPhase.VolumeReportingClosed or TenderBatchPhase.Bidding)
            .OrderBy(b => b.BiddingDeadline)
            .ToList();
        var views = await Task.WhenAll(batches.Select(b => b.Phase == TenderBatchPhase.Bidding ? Grains.BiddingBatchAsync(b.BatchId) : Grains.AnnouncedBatchAsync(b.BatchId)));
        Items = views
            .Where(v => v.Definition is not null)
            .SelectMany(v => v.Definition!.Products.Select(p => new Biddable(p.ProductId, Names.Product(p.ProductId), v.BatchId, v.Definition.Name, false))
                .Concat((v.Definition.Consumables?.Categories ?? []).Select(l => new Biddable(l.CategoryId, l.Name, v.BatchId, v.Definition.Name, true))))
            .ToList();
        Declared = (await Grains.Bidder().GetQualificationsAsync()).ToDictionary(q => q.ProductId, StringComparer.Ordinal);
    }
}
