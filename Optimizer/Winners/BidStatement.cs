using System.Text.Json.Serialization;

namespace Procurement.Optimizer.Winners;

/// <summary>Stable codes for why a bid won or lost. Never rename one: statements are published.</summary>
public static class Reasons
{
    public const string WonByRatio = "WON_WITHIN_RATIO";
    public const string WonByPriceThreshold = "WON_UNIT_PRICE_THRESHOLD";
    public const string WonByPriceCut = "WON_PRICE_CUT";
    public const string WonByDosageFormThreshold = "WON_DOSAGE_FORM_THRESHOLD";
    public const string WonByOralSolidExemption = "WON_ORAL_SOLID_EXEMPTION";
    public const string WonByRevival = "WON_BY_REVIVAL";
    public const string NotQualified = "LOST_NOT_QUALIFIED";
    public const string AboveMaximumPrice = "LOST_ABOVE_MAXIMUM_PRICE";
    public const string AffiliateNotBest = "LOST_AFFILIATE_NOT_BEST";
    public const string AboveRatio = "LOST_ABOVE_RATIO";
    public const string HighestQualifyingPrice = "LOST_HIGHEST_QUALIFYING_PRICE";
    public const string WinnerCapReached = "LOST_WINNER_CAP";
    public const string RevivalDeclined = "LOST_REVIVAL_DECLINED";
}

/// <summary>
/// Why one bid won or lost: its normalised price, the anchor and its ratio to it, its rank among
/// the eligible bids, the rule that decided, and the revival price when one was offered.
/// </summary>
public sealed record BidStatement(
    string BidId,
    string ManufacturerId,
    string BidderGroup,
    string ProductId,
    decimal PricePerPack,
    decimal UnitComparablePrice,
    decimal? Anchor,
    decimal? RatioToAnchor,
    int? Rank,
    bool Won,
    string Reason,
    string Rule,
    decimal? RevivalUnitPrice,
    decimal? AwardedUnitPrice,
    decimal? AwardedPricePerPack,
    bool CostJustificationRequired)
{
    /// <summary>
    /// The awarded unit price as the rules give it, exactly (<see cref="AwardedUnitPrice"/> is it
    /// to 6 decimals, for display): what amounts are computed from (<see cref="AwardedAmount"/>).
    /// Not part of the published document.
    /// </summary>
    [JsonIgnore]
    public ExactPrice? ExactAwardedUnitPrice { get; init; }
}

/// <summary>The outcome for one product: its statements, winners in rank order, and the agreed share.</summary>
public sealed record ProductResult(
    string ProductId,
    int EligibleFirms,
    decimal? Anchor,
    int MaxWinners,
    IReadOnlyList<BidStatement> Statements,
    IReadOnlyList<BidStatement> Winners,
    decimal AgreedShare);
