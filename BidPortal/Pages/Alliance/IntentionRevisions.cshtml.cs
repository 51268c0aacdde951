using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>
/// The kept revisions of one participating hospital's brand intentions in a consumables batch, for
/// the batch's alliance: newest first, each with when, by whom and what it said, the current one of
/// each category marked. The same read and scope as the alliance's revisions API.
/// </summary>
public sealed class IntentionRevisionsModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? HospitalId { get; set; }

    public TenderBatchView View { get; private set; } = null!;

    public ConsumableIntentionHistory History { get; private set; } = null!;

    /// <summary>The batch's categories by id, for their names.</summary>
    public IReadOnlyDictionary<string, ConsumableLot> Lots { get; private set; } = new Dictionary<string, ConsumableLot>();

    /// <summary>Per category the revision now in force: the highest kept, since each save counts a category's revision up.</summary>
    public IReadOnlyDictionary<string, int> Current { get; private set; } = new Dictionary<string, int>();

    public async Task OnGetAsync()
    {
        var (view, hospital) = await Grains.AllianceBatchHospitalAsync(Id, HospitalId);
        View = view;
        await Names.LoadHospitalsAsync(View.Definition!.RegionCodes);
        History = await hospital.GetConsumableIntentionHistoryAsync(Id);
        Lots = (View.Definition.Consumables?.Categories ?? []).ToDictionary(c => c.CategoryId, StringComparer.Ordinal);
        Current = History.Revisions.GroupBy(r => r.CategoryId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(r => r.Revision), StringComparer.Ordinal);
    }
}
