using Orleans.Concurrency;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Lists;

/// <summary>List reads over SQL; stateless, so every silo answers its share of index pages.</summary>
[StatelessWorker]
public sealed class DirectoryGrain(DirectoryRepository directory, AgreementRepository agreements, MonitoringRepository monitoring, AuditRepository audit) : Grain, IDirectoryGrain
{
    public Task<IReadOnlyList<BatchSummary>> ListBatchesAsync() => directory.ListBatchesAsync();

    public Task<IReadOnlyList<BatchSummary>> ListBatchesForHospitalAsync(string hospitalId) =>
        directory.ListBatchesForHospitalAsync(Check.Id(hospitalId, "hospitalId"));

    public Task<IReadOnlyList<Manufacturer>> ListManufacturersAsync() => directory.ListManufacturersAsync();

    public Task<IReadOnlyList<Region>> ListRegionsAsync() => directory.ListRegionsAsync();

    public Task<IReadOnlyList<Hospital>> ListHospitalsAsync(IReadOnlyList<string> regionCodes)
    {
        Check.NotNull(regionCodes, "regionCodes");
        return regionCodes.Count == 0 ? Task.FromResult<IReadOnlyList<Hospital>>([]) : directory.ListHospitalsAsync(regionCodes);
    }

    public Task<IReadOnlyList<Hospital>> GetHospitalsAsync(IReadOnlyList<string> hospitalIds)
    {
        Check.NotNull(hospitalIds, "hospitalIds");
        if (hospitalIds.Count > Contracts.Domain.Hospital.MaxIdsPerRead)
        {
            throw ProcurementException.Invalid("hospitalIds", $"At most {Contracts.Domain.Hospital.MaxIdsPerRead} hospital ids a read.");
        }
        return hospitalIds.Count == 0 ? Task.FromResult<IReadOnlyList<Hospital>>([]) : directory.GetHospitalsAsync(hospitalIds.Distinct(StringComparer.Ordinal).ToList());
    }

    public Task<IReadOnlyList<Product>> ListProductsAsync() => directory.ListProductsAsync();

    public Task<IReadOnlyList<Agreement>> ListAgreementsForManufacturerAsync(string manufacturerId) =>
        agreements.ListForManufacturerAsync(Check.Id(manufacturerId, "manufacturerId"));

    public async Task<IReadOnlyList<HospitalAgreementView>> ListAgreementsForHospitalAsync(string hospitalId)
    {
        Check.Id(hospitalId, "hospitalId");
        var components = (await monitoring.ComponentPurchasesOfHospitalAsync(hospitalId)).ToLookup(c => c.AgreementId, StringComparer.Ordinal);
        return (await agreements.ListForHospitalAsync(hospitalId))
            .Select(a => new HospitalAgreementView(a.Agreement, a.Part, components[a.Agreement.AgreementId.ToString()].ToList()))
            .ToList();
    }

    public Task<IReadOnlyList<SupplierVolume>> ListSupplierVolumesAsync(string manufacturerId) =>
        directory.ListSupplierVolumesAsync(Check.Id(manufacturerId, "manufacturerId"));

    public Task<IReadOnlyList<ComponentPurchase>> ListComponentPurchasesForManufacturerAsync(string manufacturerId) =>
        monitoring.ComponentPurchasesOfManufacturerAsync(Check.Id(manufacturerId, "manufacturerId"));

    public Task<ChainHead?> GetEventChainHeadAsync() => audit.HeadAsync();
}
