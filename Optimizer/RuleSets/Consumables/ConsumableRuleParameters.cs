namespace Procurement.Optimizer.RuleSets.Consumables;

/// <summary>How a category's firms are grouped before prices are compared.</summary>
public enum ConsumableGrouping
{
    /// <summary>One group (A) of every bidding firm: the round compares all bids together.</summary>
    None,

    /// <summary>Group A: the fewest top firms by intended demand that reach the top share; group B: the rest.</summary>
    ByDemand,
}

/// <summary>The lowest price a group's ratio rule is measured against.</summary>
public enum RatioReference
{
    /// <summary>The lowest eligible price of the group itself.</summary>
    GroupLowest,

    /// <summary>
    /// The lowest eligible price of group A (for group B: B may not be dearer than A's leaders allow).
    /// When group A has no eligible bid the group's own lowest is used.
    /// </summary>
    GroupALowest,
}

/// <summary>
/// The selection rule of one demand group. A bid that passed eligibility wins by the ratio route
/// (price at most <see cref="RatioLimit"/> times the reference) or the cut route (price at most
/// (1 - <see cref="PriceCut"/>) times the group's maximum valid price); with neither route set,
/// every eligible bid qualifies. Then at most <see cref="WinnerCap"/> bidders win.
/// </summary>
public sealed record GroupRule
{
    /// <summary>A bid qualifies if its price is at most this multiple of the reference; null: no ratio route.</summary>
    public decimal? RatioLimit { get; init; } = 1.8m;

    public RatioReference Reference { get; init; } = RatioReference.GroupLowest;

    /// <summary>A bid qualifies if its price is cut by at least this share from the group's maximum valid price; null: no cut route.</summary>
    public decimal? PriceCut { get; init; }

    /// <summary>At most this many bidders of the group win; null: no fixed cap.</summary>
    public int? MaxWinners { get; init; }

    /// <summary>At most this share (rounded down, at least one) of the group's competing bidders win; null: no share cap.</summary>
    public decimal? WinnerShare { get; init; }

    /// <summary>The group's maximum valid price as a share of the category's (1: the category's own).</summary>
    public decimal MaxValidPriceShare { get; init; } = 1m;

    /// <summary>The most bidders that may win out of <paramref name="competingBidders"/>; null when nothing caps them.</summary>
    public int? WinnerCap(int competingBidders)
    {
        int? byShare = WinnerShare is { } share ? Math.Max(1, (int)decimal.Floor(share * competingBidders)) : null;
        return (MaxWinners, byShare) switch
        {
            (null, null) => null,
            ({ } fixedCap, null) => fixedCap,
            (null, { } shareCap) => shareCap,
            ({ } fixedCap, { } shareCap) => Math.Min(fixedCap, shareCap),
        };
    }
}

/// <summary>
/// Everything a national consumables round decides, as data (one file per round gives the
/// defaults; a batch overrides any key of <see cref="ConsumableRuleSetCatalog.Parameters"/>).
/// DOMAIN.md gives no round's figures beyond the outcomes, so every default is unverified.
/// </summary>
public sealed record ConsumableRuleParameters
{
    public required string Name { get; init; }

    public ConsumableGrouping Grouping { get; init; } = ConsumableGrouping.ByDemand;

    /// <summary>Group A is the fewest top firms whose cumulative share of intended demand reaches this.</summary>
    public decimal TopShare { get; init; } = 0.8m;

    /// <summary>Affiliated firms count as one bidder: only the firm with the group's lowest price competes.</summary>
    public bool AffiliatesAsOneBidder { get; init; } = true;

    /// <summary>
    /// A system bid's component prices must add up to at least its set price (so no component is
    /// bought separately for less than the set implies). Our rule, unverified.
    /// </summary>
    public bool ComponentSumAtLeastSetPrice { get; init; } = true;

    public GroupRule GroupA { get; init; } = new();

    public GroupRule GroupB { get; init; } = new();

    public GroupRule RuleOf(DemandGroupName group) => group == DemandGroupName.A ? GroupA : GroupB;

    /// <summary>Applies a batch's overrides; an unknown key or a bad value is an error naming the key.</summary>
    public ConsumableRuleParameters Override(IReadOnlyDictionary<string, string> parameters)
    {
        var result = this;
        foreach (var (key, value) in parameters)
        {
            result = ConsumableRuleSetCatalog.Parameter(key).Apply(result, key, value);
        }
        return result;
    }
}
