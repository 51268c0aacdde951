namespace Procurement.Optimizer.RuleSets.Consumables;

/// <summary>
/// National coronary stents round (2020). DOMAIN.md gives only the outcome: 26 products of 11 firms
/// bid, 10 products of 8 firms won; the average price fell from ~13,000 to ~700 CNY. The rules
/// below are unverified defaults chosen to be consistent with it: no demand groups (all bids
/// compared together), a bid qualifies at most 1.8 times the lowest price, no cut route, and at
/// most 75% of the competing bidders win (11 firms: 8 winners, as in 2020); a winning firm's
/// products above the ratio lose, which is how 10 of 26 products win.
/// </summary>
public static class Stents2020
{
    public static ConsumableRuleParameters Parameters { get; } = new()
    {
        Name = ConsumableRuleSetCatalog.Stents2020,
        Grouping = ConsumableGrouping.None,
        GroupA = new GroupRule { RatioLimit = 1.8m, WinnerShare = 0.75m },
    };
}
