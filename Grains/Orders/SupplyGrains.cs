using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;

namespace Procurement.Grains.Orders;

/// <summary>A distributor; the only writer of its row.</summary>
public sealed class DistributorGrain(
    SupplyTermsRepository terms,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IDistributorGrain
{
    public async Task RegisterAsync(Distributor distributor)
    {
        Check.NotNull(distributor, "distributor");
        Check.MatchesKey(Check.Id(distributor.DistributorId, "distributorId"), this.GetPrimaryKeyString(), "distributorId");
        Check.Text(distributor.Name, "name", 200);
        Check.OptionalText(distributor.NameZh, "nameZh", 200);
        await terms.RegisterDistributorAsync(distributor, ProcurementClock.Now(clock), Actor.Current($"distributor:{distributor.DistributorId}"));
    }

    public Task<Distributor?> GetAsync() => terms.GetDistributorAsync(this.GetPrimaryKeyString());
}

/// <summary>A manufacturer as a supplier: the only writer of its distributor designations.</summary>
public sealed class SupplierGrain(
    SupplyTermsRepository terms,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, ISupplierGrain
{
    private string ManufacturerId => this.GetPrimaryKeyString();

    public async Task DesignateDistributorAsync(string regionCode, string? distributorId)
    {
        Check.Id(regionCode, "regionCode");
        if (!await terms.ManufacturerExistsAsync(ManufacturerId))
        {
            throw new ProcurementException(ErrorCodes.UnknownManufacturer, $"Manufacturer {ManufacturerId} is not registered.", "manufacturerId");
        }
        if (!await terms.RegionExistsAsync(regionCode))
        {
            throw new ProcurementException(ErrorCodes.NotFound, $"Region {regionCode} does not exist.", "regionCode");
        }
        if (distributorId is not null && await terms.GetDistributorAsync(Check.Id(distributorId, "distributorId")) is null)
        {
            throw new ProcurementException(ErrorCodes.NotFound, $"Distributor {distributorId} is not registered.", "distributorId");
        }
        await terms.DesignateAsync(ManufacturerId, regionCode, distributorId, ProcurementClock.Now(clock), Actor.Current($"manufacturer:{ManufacturerId}"));
    }

    public Task<IReadOnlyDictionary<string, string>> ListDesignationsAsync() => terms.DesignationsAsync(ManufacturerId);
}
