namespace Procurement.Optimizer.Model;

/// <summary>
/// A batch after its opening, as the award engine reads it: the rule set, the products with
/// their reported volume per region, the regions with their insurance budgets, and every bid.
/// </summary>
public sealed record AwardInput(
    string BatchId,
    string RuleSet,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<ProductInput> Products,
    IReadOnlyList<RegionInput> Regions,
    IReadOnlyList<BidInput> Bids)
{
    /// <summary>
    /// Each hospital's reported volume per product, for the <c>hospital</c> allocation mode (the
    /// region totals in <see cref="ProductInput.ReportedVolumes"/> stay the basis of the region modes).
    /// </summary>
    public IReadOnlyList<HospitalDemandInput>? Hospitals { get; init; }
}

/// <summary>
/// One hospital's reported annual volume of one product (representative units) and the brand
/// (manufacturer) it named, if any.
/// </summary>
public sealed record HospitalDemandInput(string HospitalId, string RegionCode, string ProductId, long ReportedVolume, string? PreferredManufacturerId = null);

/// <summary>A biddable specification: units per pack and strength of one unit.</summary>
public sealed record SpecificationInput(string Code, int PackCount, decimal StrengthMg);

/// <summary>
/// A product of the batch. <see cref="MaxValidUnitPrice"/> is CNY per unit of the representative
/// specification; <see cref="ReportedVolumes"/> are annual units per region.
/// </summary>
public sealed record ProductInput(
    string ProductId,
    string DosageForm,
    decimal MaxValidUnitPrice,
    SpecificationInput Representative,
    IReadOnlyList<SpecificationInput> OtherSpecifications,
    IReadOnlyDictionary<string, long> ReportedVolumes)
{
    /// <summary>
    /// For a renewal: the previous agreement year's agreed volume per region, the floor of the new
    /// agreed volume there (the agreed share of the reported volume, or this, whichever is larger).
    /// </summary>
    public IReadOnlyDictionary<string, long>? MinimumAgreedVolumes { get; init; }
}

/// <summary>A region (province) with its medical-insurance budget for the batch, in CNY.</summary>
public sealed record RegionInput(string Code, decimal? Budget);

/// <summary>
/// A bid as opened, with the qualification its bidder declared. <see cref="AcceptsRevival"/>
/// says whether the firm accepts the revival price if the rules offer it one.
/// </summary>
public sealed record BidInput(
    string BidId,
    string ManufacturerId,
    string BidderGroup,
    string ProductId,
    string SpecificationCode,
    decimal PricePerPack,
    long AnnualCapacity,
    IReadOnlyList<string> SupplyRegions,
    DateTimeOffset ReceivedAt,
    BidderQualification Qualification,
    bool AcceptsRevival = true);

public sealed record BidderQualification(bool ConsistencyEvaluationPassed, int YearsOfProduction, bool GmpViolationInLastTwoYears);
