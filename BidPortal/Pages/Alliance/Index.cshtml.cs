using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Alliance;

public sealed class IndexModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    public IReadOnlyList<BatchSummary> Batches { get; private set; } = [];

    /// <summary>The batches with consumables categories: they link to their demand page (the summary does not say).</summary>
    public IReadOnlySet<string> ConsumableBatchIds { get; private set; } = new HashSet<string>();

    public async Task OnGetAsync()
    {
        Batches = (await Grains.Directory().ListBatchesAsync()).Where(b => b.AllianceId == User.Organisation()).ToList();
        var views = await Task.WhenAll(Batches.Select(b => Grains.Batch(b.BatchId).GetAsync()));
        ConsumableBatchIds = views.Where(v => v.Definition?.Consumables is not null).Select(v => v.BatchId).ToHashSet(StringComparer.Ordinal);
    }
}
