using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>
/// A consumables batch's demand for its alliance: per category the intended total, the hospitals
/// that stated an intention, and each intended firm's quantity and share, as the A/B grouping reads
/// them; then the hospitals that stated intentions, each linking to its kept revisions.
/// </summary>
public sealed class ConsumablesModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public TenderBatchView View { get; private set; } = null!;

    /// <summary>Null for a drug batch (the grain refuses its demand read) and before reporting opens.</summary>
    public ConsumableDemand? Demand { get; private set; }

    /// <summary>The participating hospitals that have stated an intention, each linking to its kept revisions.</summary>
    public IReadOnlyList<HospitalReportingStatus> Stated { get; private set; } = [];

    public async Task OnGetAsync()
    {
        View = await Grains.AllianceBatchAsync(Id);
        // The demand is read from reporting on; a draft has none to show yet.
        if (View.Definition?.Consumables is not null && View.Phase >= TenderBatchPhase.VolumeReporting)
        {
            // The page shows totals only: read without the intentions, so a national round's batch of any size has them.
            Demand = await Grains.Batch(Id).GetConsumableDemandTotalsAsync();
            Stated = (await Grains.Batch(Id).GetReportingProgressAsync()).Hospitals.Where(h => h.CategoriesReported > 0).ToList();
        }
    }
}
