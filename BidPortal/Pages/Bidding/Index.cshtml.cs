using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Bidding;

/// <summary>
/// A manufacturer's start page: batches open for bidding and those coming (hospitals still
/// reporting), each with its products and maximum prices, deadline and opening; batches past
/// bidding below.
/// </summary>
public sealed class IndexModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    /// <summary>Open for bidding, soonest deadline first.</summary>
    public IReadOnlyList<TenderBatchView> Open { get; private set; } = [];

    /// <summary>In volume reporting (or just closed): bidding opens later.</summary>
    public IReadOnlyList<TenderBatchView> Coming { get; private set; } = [];

    /// <summary>Opened, in publicity or awarded.</summary>
    public IReadOnlyList<BatchSummary> Past { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var all = await Grains.Directory().ListBatchesAsync();
        var open = all.Where(b => b.Phase == TenderBatchPhase.Bidding).OrderBy(b => b.BiddingDeadline).ToList();
        var coming = all.Where(b => b.Phase is TenderBatchPhase.VolumeReporting or TenderBatchPhase.VolumeReportingClosed).OrderBy(b => b.BiddingDeadline).ToList();
        Open = await Task.WhenAll(open.Select(b => Grains.BiddingBatchAsync(b.BatchId)));
        Coming = await Task.WhenAll(coming.Select(b => Grains.AnnouncedBatchAsync(b.BatchId)));
        Past = all.Where(b => b.Phase > TenderBatchPhase.Bidding).ToList();
    }
}
