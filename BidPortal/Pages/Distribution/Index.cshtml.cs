using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Distribution;

/// <summary>
/// A distributor's home: the order inbox of the lines the manufacturers designated it for in their
/// regions (<see cref="SupplierInboxPage"/>). It sees no batch, bid, award or agreement, and no
/// manufacturer's designations.
/// </summary>
// Writes only: the policy lets reads (GET) through (PortalExtensions); handler methods cannot carry it.
[EnableRateLimiting(PortalLimits.Orders)]
public sealed class IndexModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, IStringLocalizer<SharedResource> localizer) : SupplierInboxPage(grains, clock, localizer)
{
    public override bool ShowsManufacturer => true;
}
