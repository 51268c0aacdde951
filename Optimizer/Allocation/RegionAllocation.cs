namespace Procurement.Optimizer.Allocation;

/// <summary>
/// Who supplies one product in one region: the primary winner with the agreed volume at its
/// awarded price, and the spare winner that takes over if the primary fails.
/// </summary>
public sealed record RegionAllocation(
    string ProductId,
    string RegionCode,
    string PrimaryBidId,
    string PrimaryManufacturerId,
    string? SpareBidId,
    string? SpareManufacturerId,
    long AgreedVolume,
    decimal UnitPrice,
    decimal Amount);

/// <summary>The allocation of one product, with the regions nobody could take and why.</summary>
public sealed record ProductAllocation(
    string ProductId,
    IReadOnlyList<RegionAllocation> Regions,
    IReadOnlyList<UnallocatedRegion> Unallocated);

/// <summary>A region left without a primary (or spare) supplier, with the reason in words.</summary>
public sealed record UnallocatedRegion(string RegionCode, long AgreedVolume, string Reason);
