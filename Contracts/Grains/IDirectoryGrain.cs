using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// Lists across grains, answered from SQL (a stateless worker: any silo answers). Callers scope
/// what they show: the portal passes only the signed-in user's own organisation.
/// </summary>
[Alias("Procurement.IDirectoryGrain")]
public interface IDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Every configured batch, newest reporting window first.</summary>
    [Alias("ListBatches")]
    Task<IReadOnlyList<BatchSummary>> ListBatchesAsync();

    /// <summary>The batches a hospital takes part in.</summary>
    [Alias("ListBatchesForHospital")]
    Task<IReadOnlyList<BatchSummary>> ListBatchesForHospitalAsync(string hospitalId);

    [Alias("ListManufacturers")]
    Task<IReadOnlyList<Manufacturer>> ListManufacturersAsync();

    /// <summary>Every region (province) with its names.</summary>
    [Alias("ListRegions")]
    Task<IReadOnlyList<Region>> ListRegionsAsync();

    /// <summary>The hospitals in the given regions.</summary>
    [Alias("ListHospitals")]
    Task<IReadOnlyList<Hospital>> ListHospitalsAsync(IReadOnlyList<string> regionCodes);

    /// <summary>The hospitals of these ids that exist, at most <see cref="Hospital.MaxIdsPerRead"/> ids a call.</summary>
    [Alias("GetHospitals")]
    Task<IReadOnlyList<Hospital>> GetHospitalsAsync(IReadOnlyList<string> hospitalIds);

    [Alias("ListProducts")]
    Task<IReadOnlyList<Product>> ListProductsAsync();

    [Alias("ListAgreementsForManufacturer")]
    Task<IReadOnlyList<Agreement>> ListAgreementsForManufacturerAsync(string manufacturerId);

    /// <summary>The hospital's agreements, each with the components the hospital bought separately under it.</summary>
    [Alias("ListAgreementsForHospital")]
    Task<IReadOnlyList<HospitalAgreementView>> ListAgreementsForHospitalAsync(string hospitalId);

    /// <summary>Per batch, product, region and month: what hospitals bought of the manufacturer's agreed products.</summary>
    [Alias("ListSupplierVolumes")]
    Task<IReadOnlyList<SupplierVolume>> ListSupplierVolumesAsync(string manufacturerId);

    /// <summary>Per agreement of the manufacturer (its own only) and component: the components of its product systems hospitals bought separately.</summary>
    [Alias("ListComponentPurchasesForManufacturer")]
    Task<IReadOnlyList<ComponentPurchase>> ListComponentPurchasesForManufacturerAsync(string manufacturerId);

    /// <summary>The head of the tamper-evident event log (docs/SECURITY.md), to publish; null while nothing is chained.</summary>
    [Alias("GetEventChainHead")]
    Task<ChainHead?> GetEventChainHeadAsync();
}
