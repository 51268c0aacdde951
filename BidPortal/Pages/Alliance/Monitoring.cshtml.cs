using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>The monitoring dashboard: completion by region × product, flagged hospitals, agreements expiring soon, notifications, supply failures.</summary>
public sealed class MonitoringModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public MonitoringResponse Dashboard { get; private set; } = null!;

    public IReadOnlyList<Agreement> Agreements { get; private set; } = [];

    public TenderBatchView View { get; private set; } = null!;

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostSupplyFailureAsync(Guid agreementId, string reason)
    {
        await LoadAsync();
        if (!await TryAsync(async () =>
        {
            await Grains.AllianceAgreementAsync(agreementId);
            await Grains.Client.GetGrain<IAgreementGrain>(agreementId).RecordSupplyFailureAsync(reason);
        }))
        {
            return Page();
        }
        return RedirectToPage(new { id = Id });
    }

    private async Task LoadAsync()
    {
        View = await Grains.AllianceBatchAsync(Id);
        await Names.LoadHospitalsAsync(View.Definition!.RegionCodes);
        Dashboard = await AgreementApi.MonitoringAsync(Grains, Id, clock);
        if (View.Phase >= TenderBatchPhase.Awarded)
        {
            Agreements = await Grains.Batch(Id).ListAgreementsAsync();
        }
    }
}
