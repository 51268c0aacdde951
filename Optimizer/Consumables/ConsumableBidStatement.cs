using Procurement.Optimizer.RuleSets.Consumables;

namespace Procurement.Optimizer.Consumables;

/// <summary>Stable codes for why a consumables bid won or lost. Never rename one: statements are published.</summary>
public static class ConsumableReasons
{
    public const string WonByRatio = "WON_WITHIN_RATIO";
    public const string WonByPriceCut = "WON_PRICE_CUT";

    /// <summary>The group has neither a ratio nor a cut route: every eligible bid qualifies, and the cap decides.</summary>
    public const string WonEligible = "WON_ELIGIBLE";
    public const string NotQualified = "LOST_NOT_QUALIFIED";

    /// <summary>
    /// The firm offers the same product (certificate and model) in another bid of the category that
    /// ranks before this one (lower price, then earlier receipt, then bid id): one bid per product
    /// competes, as a sealed offer cannot be refused for repeating another the batch cannot read.
    /// </summary>
    public const string ProductRepeated = "LOST_PRODUCT_REPEATED";
    public const string ComponentsInconsistent = "LOST_COMPONENTS_INCONSISTENT";
    public const string AboveMaximumPrice = "LOST_ABOVE_MAXIMUM_PRICE";
    public const string AffiliateNotBest = "LOST_AFFILIATE_NOT_BEST";
    public const string AboveRatio = "LOST_ABOVE_RATIO";

    /// <summary>The group has a cut route and no ratio route, and the bid's cut from the maximum valid price is too small.</summary>
    public const string CutTooSmall = "LOST_CUT_TOO_SMALL";
    public const string WinnerCapReached = "LOST_WINNER_CAP";
}

/// <summary>
/// Why one consumables bid won or lost: its group, its firm's intended demand and share, the
/// group's reference lowest price and its ratio to it, its rank among the group's competing bids,
/// the reason and the rule in words, and what was awarded (the bid's price and component prices).
/// Reference, ratio and rank are null for a bid that never competed (ineligible).
/// </summary>
public sealed record ConsumableBidStatement(
    string BidId,
    string FirmId,
    string AffiliateGroup,
    string CategoryId,
    string ProductId,
    decimal Price,
    DemandGroupName Group,
    long FirmIntendedVolume,
    decimal FirmDemandShare,
    decimal? ReferencePrice,
    decimal? RatioToReference,
    int? Rank,
    bool Won,
    string Reason,
    string Rule,
    decimal? AwardedPrice,
    IReadOnlyList<ComponentPrice> AwardedComponentPrices);
