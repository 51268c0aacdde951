using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Alliance;

public sealed class IndexModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    public IReadOnlyList<BatchSummary> Batches { get; private set; } = [];

    public async Task OnGetAsync() =>
        Batches = (await Grains.Directory().ListBatchesAsync()).Where(b => b.AllianceId == User.Organisation()).ToList();
}
