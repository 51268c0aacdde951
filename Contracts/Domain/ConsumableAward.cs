namespace Procurement.Contracts.Domain;

/// <summary>
/// What a consumables award holds beyond the drug award's rows (docs/CONSUMABLES.md, "The award
/// from the batch"): per category the allocation's outcome and proven bounds, per category and
/// demand group its figures, the winning bids with their set (or unit) and component prices, and
/// each hospital's supply with its choice rank. The statements of every bid, with their reason
/// codes, are the award's <see cref="AwardView.Statements"/> (product id = the category id).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableAwardView")]
public sealed record ConsumableAwardView(
    [property: Id(0)] IReadOnlyList<ConsumableAwardCategory> Categories,
    [property: Id(1)] IReadOnlyList<ConsumableAwardGroup> Groups,
    [property: Id(2)] IReadOnlyList<ConsumableAwardWinner> Winners,
    [property: Id(3)] IReadOnlyList<ConsumableAwardSupply> Supplies)
{
    /// <summary>
    /// Per bid, what its statement holds for a consumables bid beyond the drug statement's columns
    /// (its offer number, group and firm's demand), shown to whom <see cref="AwardView.Statements"/>
    /// shows the statement.
    /// </summary>
    [Id(4)]
    public IReadOnlyList<ConsumableAwardStatement> Statements { get; init; } = [];
}

/// <summary>
/// A consumables bid's statement beyond a drug statement's columns: the bid's public offer number
/// (1 to 10: each of a firm's products in a category is its own offer), the demand group it competed
/// in, and its firm's intended volume and share of the category's intended demand (to 6 decimals).
/// Group, volume and share are null for an award stored before they were (migration 0034).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableAwardStatement")]
public sealed record ConsumableAwardStatement(
    [property: Id(0)] Guid BidId,
    [property: Id(1)] string ManufacturerId,
    [property: Id(2)] int OfferNumber,
    [property: Id(3)] string? Group,
    [property: Id(4)] long? FirmIntendedVolume,
    [property: Id(5)] decimal? FirmDemandShare);

/// <summary>
/// A category's allocation by choice: its status (<c>Optimal</c> when every level equals its proven
/// bound), the gap of its first open level, and each level with its bound: units unsupplied,
/// hospitals on their first available choice, the sum of ranks, the cost in CNY.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableAwardCategory")]
public sealed record ConsumableAwardCategory(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] string SolveStatus,
    [property: Id(2)] double? Gap,
    [property: Id(3)] long UnsuppliedUnits,
    [property: Id(4)] long UnsuppliedUnitsBound,
    [property: Id(5)] int FirstChoices,
    [property: Id(6)] int FirstChoicesBound,
    [property: Id(7)] long RankSum,
    [property: Id(8)] long RankSumBound,
    [property: Id(9)] decimal Cost,
    [property: Id(10)] decimal CostBound);

/// <summary>A demand group's figures in a category: maximum valid price, firms, competing bidders, lowest and reference price, winner cap (null: none), winning bidders.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableAwardGroup")]
public sealed record ConsumableAwardGroup(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] string Group,
    [property: Id(2)] decimal MaxValidPrice,
    [property: Id(3)] int Firms,
    [property: Id(4)] int CompetingBidders,
    [property: Id(5)] decimal? LowestPrice,
    [property: Id(6)] decimal? ReferencePrice,
    [property: Id(7)] int? WinnerCap,
    [property: Id(8)] int WinningBidders);

/// <summary>A winning bid: its firm, product (certificate/model), group, awarded price (the set price of a system) and component prices, capacity and the volume hospitals intended for it.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableAwardWinner")]
public sealed record ConsumableAwardWinner(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] Guid BidId,
    [property: Id(2)] string ManufacturerId,
    [property: Id(3)] string ProductId,
    [property: Id(4)] string Group,
    [property: Id(5)] decimal AwardedPrice,
    [property: Id(6)] IReadOnlyList<ConsumableComponentPrice> ComponentPrices,
    [property: Id(7)] long AnnualCapacity,
    [property: Id(8)] long IntendedVolume);

/// <summary>
/// What a hospital buys in a category: the winning bid (null when no winner had room), its price
/// and amount a year, the place of that winner in the hospital's choice list (0 = first available
/// choice), how it was placed (<c>FirstChoice</c>, <c>FurtherChoice</c>, <c>AllianceRule</c>,
/// <c>Unsupplied</c>), the firm it intended, and why it chose again (null when it did not).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableAwardSupply")]
public sealed record ConsumableAwardSupply(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] string RegionCode,
    [property: Id(3)] Guid? BidId,
    [property: Id(4)] string? ManufacturerId,
    [property: Id(5)] long Quantity,
    [property: Id(6)] decimal? UnitPrice,
    [property: Id(7)] decimal? Amount,
    [property: Id(8)] int ChoiceRank,
    [property: Id(9)] string ChoiceKind,
    [property: Id(10)] string IntendedManufacturerId,
    [property: Id(11)] string? ChoseAgainReason);
