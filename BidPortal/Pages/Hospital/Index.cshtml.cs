using Microsoft.Extensions.Localization;
using Procurement.Contracts.Grains;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Hospital;

/// <summary>A hospital's start page: its batches, its agreements and suppliers, and completion against time progress.</summary>
public sealed class IndexModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    public IReadOnlyList<BatchSummary> Batches { get; private set; } = [];

    /// <summary>The hospital's batches with consumables categories: they link to the brand intentions page (the summary does not say).</summary>
    public IReadOnlySet<string> ConsumableBatchIds { get; private set; } = new HashSet<string>();

    public IReadOnlyList<HospitalAgreementView> Agreements { get; private set; } = [];

    /// <summary>The hospital's newest notices: reporting reminders, agreement notices.</summary>
    public IReadOnlyList<Notification> Notices { get; private set; } = [];

    /// <summary>Per agreement: units counted toward it this agreement year over the hospital's agreed volume, and the share of the year gone.</summary>
    public IReadOnlyList<(string Label, decimal Completion, decimal? TimeProgress)> Progress { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Batches = await Grains.Directory().ListBatchesForHospitalAsync(User.Organisation());
        // The directory lists only the hospital's batches; a plain read keeps one odd batch from refusing the whole page.
        var views = await Task.WhenAll(Batches.Select(b => Grains.Batch(b.BatchId).GetAsync()));
        ConsumableBatchIds = views.Where(v => v.Definition?.Consumables is not null).Select(v => v.BatchId).ToHashSet(StringComparer.Ordinal);
        Agreements = await Grains.Directory().ListAgreementsForHospitalAsync(User.Organisation());
        Notices = (await Grains.Monitoring().ListNotificationsAsync("hospital", User.Organisation())).Take(20).ToList();
        var usage = await Grains.Hospital().GetUsageAsync(null);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        Progress = Agreements
            .Where(a => a.Agreement.State is AgreementState.Active or AgreementState.Expiring && a.Part.AnnualVolume > 0)
            .Select(a =>
            {
                var monthsIn = Math.Max(0, (today.Year - a.Agreement.Start.Year) * 12 + today.Month - a.Agreement.Start.Month) % 12;
                var yearStart = a.Agreement.Start.AddMonths((today.Year - a.Agreement.Start.Year) * 12 + today.Month - a.Agreement.Start.Month - monthsIn);
                var counted = usage.Where(u => u.AgreementId == a.Agreement.AgreementId && string.CompareOrdinal(u.Month, yearStart.ToString("yyyy-MM")) >= 0).Sum(u => u.CountedUnits);
                var time = today < a.Agreement.Start ? 0m : (monthsIn + (today.Day - 1) / (decimal)DateTime.DaysInMonth(today.Year, today.Month)) / 12m;
                return ($"{Names.Product(a.Agreement.ProductId)} · {Names.Manufacturer(a.Agreement.ManufacturerId)}", counted / (decimal)a.Part.AnnualVolume, (decimal?)time);
            })
            .ToList();
    }
}
