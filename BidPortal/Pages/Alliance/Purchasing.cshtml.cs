using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>
/// Purchasing under the alliance over a range of months: online procurement and payment
/// timeliness per hospital, supply performance per supplier, supply-risk alerts that propose the
/// takeover by the spare supplier, the listed prices and the payment term.
/// </summary>
// Its loads read three figures of the alliance: the figures' window; its writes the purchasing
// writes' bucket (PortalExtensions); handler methods cannot carry a policy of their own.
[EnableRateLimiting(PortalLimits.Figures)]
public sealed partial class PurchasingModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, BusinessTime time, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    public IReadOnlyList<SupplyPerformance> Performance { get; private set; } = [];

    public IReadOnlyList<HospitalPurchasing> Hospitals { get; private set; } = [];

    public IReadOnlyList<SupplyRisk> Risks { get; private set; } = [];

    /// <summary>Rows each table lists at most (a national alliance has tens of thousands of hospitals; the files hold them all).</summary>
    public const int Listed = 50;

    /// <summary>Bars each chart draws at most.</summary>
    public const int Charted = 20;

    /// <summary>The hospitals the page lists: the least timely payers first, then the lowest online procurement.</summary>
    public IReadOnlyList<HospitalPurchasing> HospitalsListed { get; private set; } = [];

    /// <summary>The lowest online procurement rates, for the chart.</summary>
    public IReadOnlyList<HospitalPurchasing> LowestOnline { get; private set; } = [];

    /// <summary>The lowest on-time payment rates, for the chart.</summary>
    public IReadOnlyList<HospitalPurchasing> LowestOnTime { get; private set; } = [];

    /// <summary>The supplier x region x product rows the page lists: the lowest fill rate first, then the lowest on-time delivery.</summary>
    public IReadOnlyList<SupplyPerformance> PerformanceListed { get; private set; } = [];

    /// <summary>The alliance as a whole over the months: online procurement, payment on time, fill rate (null without a denominator).</summary>
    public (decimal? Online, decimal? OnTime, decimal? Fill) Overall { get; private set; }

    /// <summary>The lists, charts and rates above, from the figures read: each sorted once a load (a national alliance's 46,000 hospitals).</summary>
    private void Summarise()
    {
        var payers = WorstPayersFirst(Hospitals).ToList();
        HospitalsListed = [.. payers.Take(Listed)];
        LowestOnTime = [.. payers.Where(h => h.OnTimePaymentRate is not null).Take(Charted)];
        LowestOnline = [.. Hospitals.Where(h => h.OnlineProcurementRate is not null)
            .OrderBy(h => h.OnlineProcurementRate).ThenBy(h => h.HospitalId, StringComparer.Ordinal).Take(Charted)];
        PerformanceListed = [.. Performance
            .OrderBy(p => p.FillRate).ThenBy(p => p.OnTimeDeliveryRate ?? 2m)
            .ThenBy(p => p.ManufacturerId, StringComparer.Ordinal).ThenBy(p => p.RegionCode, StringComparer.Ordinal).ThenBy(p => p.ProductId, StringComparer.Ordinal)
            .Take(Listed)];
        var platform = Hospitals.Sum(h => h.PlatformAmount);
        var outside = Hospitals.Sum(h => h.OffPlatformAmount);
        var due = Hospitals.Sum(h => h.InvoicesDue);
        var ordered = Performance.Sum(p => p.OrderedUnits);
        Overall = (
            platform + outside > 0 ? platform / (platform + outside) : null,
            due > 0 ? (decimal)Hospitals.Sum(h => h.PaidOnTime) / due : null,
            ordered > 0 ? (decimal)Performance.Sum(p => p.AcceptedUnits) / ordered : null);
    }

    private static IEnumerable<HospitalPurchasing> WorstPayersFirst(IEnumerable<HospitalPurchasing> hospitals) => hospitals
        .OrderBy(h => h.OnTimePaymentRate ?? 2m).ThenBy(h => h.OnlineProcurementRate ?? 2m).ThenBy(h => h.HospitalId, StringComparer.Ordinal);

    public IReadOnlyList<ListedPrice> Prices { get; private set; } = [];

    /// <summary>The consumables categories of the alliance's batches, listable beside the drug products.</summary>
    public IReadOnlyList<ListableCategory> Categories { get; private set; } = [];

    private Dictionary<string, string> _categoryNames = new(StringComparer.Ordinal);

    /// <summary>The name of a listed product that is one of the categories, or null.</summary>
    public string? CategoryName(string productId) => _categoryNames.GetValueOrDefault(productId);

    /// <summary>The days hospitals have to pay after acceptance, as the alliance set them or by default.</summary>
    public int PaymentTermDays { get; private set; }

    [TempData]
    public string? Saved { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    /// <summary>
    /// The takeover the alert proposes, of every agreement it names: each is checked to be the
    /// alliance's own, running and with a spare supplier before any is moved, so a foreign id in
    /// the form, or one agreement already taken over or without a spare, changes nothing.
    /// </summary>
    public async Task<IActionResult> OnPostTakeoverAsync(List<Guid> agreementIds, string? reason)
    {
        if (!await TryAsync(async () =>
        {
            foreach (var id in agreementIds)
            {
                MayTakeOver(await Grains.AllianceAgreementAsync(id));
            }
            foreach (var id in agreementIds)
            {
                await Grains.Client.GetGrain<IAgreementGrain>(id).RecordSupplyFailureAsync(reason ?? "");
            }
        }))
        {
            await LoadAsync();
            return Page();
        }
        Saved = L["The supply failure is recorded: {0} agreement(s) pass to the spare supplier.", agreementIds.Count];
        return RedirectToPage(new { from = From, to = To });
    }

    /// <summary>Refuses, before anything is moved, an agreement the takeover would refuse: one not running, or without a spare supplier.</summary>
    public static void MayTakeOver(Agreement agreement)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        if (agreement.State is not (AgreementState.Active or AgreementState.Expiring or AgreementState.Suspended))
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Agreement {agreement.AgreementId} is {agreement.State}; only a running agreement can be taken over.", "agreementIds");
        }
        if (agreement.SpareBidId is null)
        {
            throw new ProcurementException(ErrorCodes.NoSpareSupplier, $"Agreement {agreement.AgreementId} has no spare supplier; the alliance must award the region anew.", "agreementIds");
        }
    }

    public async Task<IActionResult> OnPostListPriceAsync(string? productId, string? manufacturerId, decimal unitPrice)
    {
        if (!await TryAsync(() => Alliance().ListPricesAsync([new ListedPrice(productId ?? "", manufacturerId ?? "", unitPrice)])))
        {
            await LoadAsync();
            return Page();
        }
        Saved = L["The price is listed."];
        return RedirectToPage(new { from = From, to = To });
    }

    public async Task<IActionResult> OnPostPaymentTermAsync(int days)
    {
        if (!await TryAsync(() => Alliance().SetPaymentTermAsync(days)))
        {
            await LoadAsync();
            return Page();
        }
        Saved = L["Hospitals now have {0} days to pay after acceptance.", days];
        return RedirectToPage(new { from = From, to = To });
    }

    private IAllianceGrain Alliance() => Grains.Client.GetGrain<IAllianceGrain>(User.Organisation());

    private async Task LoadAsync()
    {
        // The current month in the business time zone the grains file each line's month under: in
        // the first hours of a month in Beijing it is still the last month in UTC, and the UTC month
        // would show an empty range.
        // A malformed month falls back to it rather than failing the page.
        var month = time.Month(clock.GetUtcNow());
        // Neither given: the last three months to this one (early in a month, this month alone shows
        // next to nothing); one given: that month alone.
        var threeMonths = time.Month(clock.GetUtcNow().AddMonths(-2));
        From = From is { } f && Month().IsMatch(f) ? f : To is { } only && Month().IsMatch(only) ? only : threeMonths;
        To = To is { } t && Month().IsMatch(t) ? t : From == threeMonths ? month : From;
        var figures = Grains.Client.GetGrain<IOrderFiguresGrain>(0);
        await TryAsync(async () =>
        {
            Performance = await figures.GetSupplyPerformanceAsync(User.Organisation(), From, To);
            Hospitals = await figures.GetHospitalPurchasingAsync(User.Organisation(), From, To);
        });
        Summarise();
        // Only the hospitals the page names, not every hospital of the alliance's regions.
        await Names.LoadHospitalsByIdAsync(HospitalsListed.Concat(LowestOnline).Concat(LowestOnTime).Select(h => h.HospitalId).ToHashSet(StringComparer.Ordinal));
        Risks = await figures.GetSupplyRisksAsync(User.Organisation());
        Prices = await Alliance().GetListedPricesAsync();
        Categories = await Alliance().GetListableCategoriesAsync();
        _categoryNames = Categories.ToDictionary(c => c.CategoryId, c => c.Name, StringComparer.Ordinal);
        PaymentTermDays = await Alliance().GetPaymentTermAsync();
    }

    [GeneratedRegex(@"^\d{4}-\d{2}$")]
    private static partial Regex Month();
}
