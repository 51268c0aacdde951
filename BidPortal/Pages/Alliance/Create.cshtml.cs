using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>
/// Creates a batch in Draft with what the batch API takes: products with maximum prices, regions,
/// the participating hospitals of those regions (a checklist grouped by region), rule set, windows,
/// publicity and agreement period. Region budgets are not part of a batch: they are given to each
/// award run, on the batch page.
/// </summary>
public sealed class CreateModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty]
    public string BatchId { get; set; } = "";

    [BindProperty]
    public string Name { get; set; } = "";

    [BindProperty]
    public List<string> ProductIds { get; set; } = [];

    [BindProperty]
    public Dictionary<string, decimal> MaxPrices { get; set; } = [];

    [BindProperty]
    public List<string> RegionCodes { get; set; } = [];

    [BindProperty]
    public List<string> HospitalIds { get; set; } = [];

    [BindProperty]
    public string RuleSet { get; set; } = "";

    [BindProperty]
    public DateTime ReportingCloses { get; set; }

    [BindProperty]
    public DateTime BiddingDeadline { get; set; }

    [BindProperty]
    public DateTime OpeningTime { get; set; }

    [BindProperty]
    public int PublicityDays { get; set; } = 7;

    [BindProperty]
    public int AgreementMonths { get; set; } = 24;

    public Contracts.Domain.Alliance? Alliance { get; private set; }

    public IReadOnlyList<Product> Products { get; private set; } = [];

    /// <summary>The hospitals of the alliance's regions, for the checklist.</summary>
    public IReadOnlyList<Contracts.Domain.Hospital> Hospitals { get; private set; } = [];

    public async Task OnGetAsync()
    {
        await LoadAsync();
        RuleSet = (await Grains.RuleSets().GetAsync()).Default;
        var now = clock.GetUtcNow().UtcDateTime;
        ReportingCloses = now.AddDays(14);
        BiddingDeadline = now.AddDays(30);
        OpeningTime = now.AddDays(30);
        RegionCodes = Alliance?.Regions.Select(r => r.Code).ToList() ?? [];
        HospitalIds = Hospitals.Select(h => h.Id).ToList();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadAsync();
        var regions = RegionCodes.Where(r => Alliance!.Regions.Any(a => a.Code == r)).ToList();
        // Only the ticked hospitals of the ticked regions: a hospital of a region left out does not take part.
        var chosen = HospitalIds.ToHashSet(StringComparer.Ordinal);
        var hospitals = Hospitals.Where(h => regions.Contains(h.RegionCode) && chosen.Contains(h.Id)).Select(h => h.Id).ToList();
        var definition = new TenderBatchDefinition(
            User.Organisation(),
            Name,
            ProductIds.Select(p => new BatchProduct(p, MaxPrices.GetValueOrDefault(p))).ToList(),
            regions,
            hospitals,
            new RuleSetChoice(RuleSet, new Dictionary<string, string>(), PriceConversion.National),
            new TenderWindows(Utc(ReportingCloses), Utc(BiddingDeadline), Utc(OpeningTime), PublicityDays),
            AgreementMonths);
        var id = BatchId.Trim();
        if (!await TryAsync(
            async () =>
        {
            try
            {
                var existing = await Grains.Batch(id).GetAsync();
                throw new Contracts.Errors.ProcurementException(Contracts.Errors.ErrorCodes.InvalidField, $"Batch id '{id}' is taken.", "batchId");
            }
            catch (Contracts.Errors.ProcurementException ex) when (ex.Code == Contracts.Errors.ErrorCodes.NotConfigured)
            {
                await Grains.Batch(id).ConfigureAsync(definition);
            }
        },
            field: f => f.StartsWith("windows.", StringComparison.Ordinal) ? f["windows.".Length..] : f))
        {
            return Page();
        }
        return Redirect($"/Alliance/Batch?id={Uri.EscapeDataString(id)}");
    }

    // The form's times are the browser's local wall time of the alliance, taken as UTC+8 (the business zone).
    private static DateTimeOffset Utc(DateTime local) => new(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeSpan.FromHours(8));

    private async Task LoadAsync()
    {
        Alliance = await Grains.Client.GetGrain<IAllianceGrain>(User.Organisation()).GetAsync();
        Products = await Grains.Directory().ListProductsAsync();
        Hospitals = await Grains.Directory().ListHospitalsAsync(Alliance?.Regions.Select(r => r.Code).ToList() ?? []);
    }
}
