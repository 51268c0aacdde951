namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// What the alliance does with a hospital none of whose listed firms won (or whose listed winners
/// are all full): its rule, a parameter of the round.
/// </summary>
public enum FallbackRule
{
    /// <summary>
    /// Any winner with room, the cost deciding: the hospital ends up with the cheapest winner that
    /// still has capacity once the hospitals with a listed choice are placed.
    /// </summary>
    LowestPrice,

    /// <summary>
    /// The hospitals with no listed winner are shared among the winners in proportion to the volume
    /// hospitals intended for each (largest remainder, whole hospitals, largest hospital first, each
    /// winner's share within its capacity left after the intended volume). The winner so given is the
    /// hospital's choice; if it cannot be kept, any winner with room, the cost deciding.
    /// </summary>
    ProportionalToIntendedVolume,
}

/// <summary>
/// A winning offer in a category: a product (or product system) a firm won with. A firm may win with
/// several products in a category, each an offer of its own with its own price and capacity; a
/// hospital's choices name firms, and any offer of a firm it chose is that choice (the one it named
/// first, <see cref="HospitalIntention.NamedOffers"/>).
/// </summary>
/// <param name="UnitPrice">Price per unit or per product system, CNY, at most 2 decimals.</param>
/// <param name="AnnualCapacity">Units (or systems) a year the firm committed for this product; null: unbounded.</param>
public sealed record WinningOffer(string OfferId, string FirmId, decimal UnitPrice, long? AnnualCapacity);

/// <summary>
/// A hospital's brand intention in a category: the firm it intends to buy from (which may have lost),
/// then further firms in its order of preference, and the winning offers it named among them (at most
/// one per firm: the product it intends to buy). The hospital is supplied by one offer for its whole
/// quantity in the category. Where it named an offer of a firm with several, that offer is a choice
/// of its own and the firm's other offers the next one (<see cref="HospitalAssignment.Rank"/>).
/// </summary>
public sealed record HospitalIntention(
    string HospitalId, string RegionCode, long Quantity, string IntendedFirmId, IReadOnlyList<string>? FurtherChoices = null,
    IReadOnlyList<string>? NamedOffers = null);

/// <summary>One category (lot): its winners and the hospitals' intentions.</summary>
public sealed record CategoryChoices(string CategoryId, IReadOnlyList<WinningOffer> Winners, IReadOnlyList<HospitalIntention> Intentions);

/// <summary>A batch's categories to allocate, under one fallback rule.</summary>
public sealed record ChoiceAllocationInput(IReadOnlyList<CategoryChoices> Categories, FallbackRule Fallback);

/// <summary>Explicit size limits; they also keep every cost in fen and every model weight within 64 bits.</summary>
public static class ChoiceLimits
{
    public const int MaxCategories = 1_000;
    /// <summary>Winning firms in a category.</summary>
    public const int MaxWinnersPerCategory = 200;
    /// <summary>Winning offers of one firm in a category (a firm bids at most 10 products in a category: its offer numbers).</summary>
    public const int MaxOffersPerFirm = 10;
    public const int MaxHospitalsPerCategory = 100_000;
    public const int MaxChoicesPerHospital = 20;
    public const long MaxQuantity = 10_000_000;
    /// <summary>Total quantity of a category: with <see cref="MaxUnitPrice"/>, a category costs at most 10^17 fen.</summary>
    public const long MaxCategoryQuantity = 1_000_000_000;
    public const decimal MaxUnitPrice = 1_000_000m;
    public const int MaxIdLength = 200;
}
