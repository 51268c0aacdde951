using Procurement.Optimizer.RuleSets.Consumables;

namespace Procurement.Optimizer.Consumables;

/// <summary>The winners of a consumables batch, category by category, under the resolved rule set.</summary>
public sealed record ConsumableAwardResult(string BatchId, string RuleSet, IReadOnlyList<ConsumableCategoryResult> Categories);

/// <summary>
/// One category's outcome: its firms by demand and group, each group's figures, a statement for
/// every bid (in the input's order), the winning bids (group A first, then B, each by rank), the
/// winning firms with the volume hospitals intended for them, and the intentions to be chosen again.
/// </summary>
public sealed record ConsumableCategoryResult(
    string CategoryId,
    IReadOnlyList<FirmDemand> Demand,
    IReadOnlyList<ConsumableGroupResult> Groups,
    IReadOnlyList<ConsumableBidStatement> Statements,
    IReadOnlyList<ConsumableWinner> Winners,
    IReadOnlyList<WinningFirm> WinningFirms,
    IReadOnlyList<IntentionToChooseAgain> ToChooseAgain);

/// <summary>
/// A group's figures: its maximum valid price, its firms, the bidders that competed (after
/// eligibility, affiliates as one), its lowest competing price, the reference of its ratio rule,
/// its winner cap (null: none) and how many bidders won.
/// </summary>
public sealed record ConsumableGroupResult(
    DemandGroupName Group,
    decimal MaxValidPrice,
    int Firms,
    int CompetingBidders,
    decimal? LowestPrice,
    decimal? ReferencePrice,
    int? WinnerCap,
    int WinningBidders);

/// <summary>
/// A winning bid: its awarded price (the set price for a system) and component prices, and the
/// quantity hospitals intended for this very product.
/// </summary>
public sealed record ConsumableWinner(
    string BidId,
    string FirmId,
    string ProductId,
    DemandGroupName Group,
    decimal AwardedPrice,
    IReadOnlyList<ComponentPrice> AwardedComponentPrices,
    long AnnualCapacity,
    long IntendedVolume);

/// <summary>
/// A firm with at least one winning bid, and its intended volume: the intentions naming it that
/// keep their choice (those naming no product, or a product of it that won). Allocation starts from this.
/// </summary>
public sealed record WinningFirm(string FirmId, DemandGroupName Group, IReadOnlyList<string> WinningBidIds, long IntendedVolume);

/// <summary>Stable codes for why a hospital must choose again. Never rename one.</summary>
public static class ChooseAgainReasons
{
    /// <summary>The intended firm has no winning bid in the category.</summary>
    public const string FirmLost = "INTENDED_FIRM_LOST";

    /// <summary>The intended firm won, but not with the product the hospital named.</summary>
    public const string ProductLost = "INTENDED_PRODUCT_LOST";

    /// <summary>The intended firm did not bid in the category.</summary>
    public const string FirmDidNotBid = "INTENDED_FIRM_DID_NOT_BID";
}

/// <summary>A hospital's intention whose firm or product did not win: it chooses again among the winners (allocation by choice).</summary>
public sealed record IntentionToChooseAgain(string HospitalId, string Region, string IntendedFirmId, string? IntendedProductId, long Quantity, string Reason);
