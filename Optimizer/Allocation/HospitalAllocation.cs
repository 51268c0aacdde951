namespace Procurement.Optimizer.Allocation;

/// <summary>One hospital's agreed volume of one product, the winner that supplies it and its spare.</summary>
public sealed record HospitalAllocation(
    string ProductId,
    string HospitalId,
    string RegionCode,
    string PrimaryBidId,
    string PrimaryManufacturerId,
    string? SpareBidId,
    string? SpareManufacturerId,
    long AgreedVolume,
    decimal UnitPrice,
    decimal Amount,
    bool NamedBrand);

/// <summary>A hospital left without a supplier, with the reason in words.</summary>
public sealed record UnallocatedHospital(string HospitalId, string RegionCode, long AgreedVolume, string Reason);

/// <summary>The hospital-level allocation of one product.</summary>
public sealed record ProductHospitalAllocation(
    string ProductId,
    IReadOnlyList<HospitalAllocation> Hospitals,
    IReadOnlyList<UnallocatedHospital> Unallocated,
    SolveReport Report);

/// <summary>The hospital-level allocation of a batch.</summary>
public sealed record HospitalLevelResult(IReadOnlyList<ProductHospitalAllocation> Products, SolveReport Report);
