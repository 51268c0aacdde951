using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Bidding;

/// <summary>
/// A manufacturer's order inbox (<see cref="SupplierInboxPage"/>) and the distributors it
/// designated per region.
/// </summary>
// Writes only: the policy lets reads (GET) through (PortalExtensions); handler methods cannot carry it.
[EnableRateLimiting(PortalLimits.Orders)]
public sealed class OrdersModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, IStringLocalizer<SharedResource> localizer) : SupplierInboxPage(grains, clock, localizer)
{
    public IReadOnlyDictionary<string, string> Designations { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, Distributor?> Distributors { get; private set; } = new Dictionary<string, Distributor?>();

    public async Task<IActionResult> OnPostDesignateAsync(string regionCode, string? distributorId) =>
        await ActAsync(() => Grains.Client.GetGrain<ISupplierGrain>(User.Organisation()).DesignateDistributorAsync(regionCode, string.IsNullOrWhiteSpace(distributorId) ? null : distributorId.Trim()),
            L["The designation is saved."]);

    protected override async Task LoadMoreAsync()
    {
        Designations = await Grains.Client.GetGrain<ISupplierGrain>(User.Organisation()).ListDesignationsAsync();
        var distributors = new Dictionary<string, Distributor?>();
        foreach (var id in Designations.Values.Distinct())
        {
            distributors[id] = await Grains.Client.GetGrain<IDistributorGrain>(id).GetAsync();
        }
        Distributors = distributors;
    }
}
