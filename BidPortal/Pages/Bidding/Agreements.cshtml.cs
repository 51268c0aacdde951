using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Bidding;

public sealed class AgreementsModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    public IReadOnlyList<Agreement> Agreements { get; private set; } = [];

    public IReadOnlyList<SupplierVolume> Volumes { get; private set; } = [];

    /// <summary>The components of the manufacturer's product systems bought separately, per agreement of its own and component.</summary>
    public IReadOnlyList<ComponentPurchase> Components { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Agreements = await Grains.Directory().ListAgreementsForManufacturerAsync(User.Organisation());
        Volumes = await Grains.Directory().ListSupplierVolumesAsync(User.Organisation());
        Components = await Grains.Directory().ListComponentPurchasesForManufacturerAsync(User.Organisation());
    }
}
