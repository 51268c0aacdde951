using Procurement.Optimizer.Checking;

namespace Procurement.Optimizer.Consumables.Checking;

/// <summary>
/// The consumables rule checker's verdict on one award: <see cref="AwardCheck.Passed"/> or
/// <see cref="AwardCheck.RuleBroken"/>, each rule's outcome (checks made, how many broke), and every
/// violation with the rule and the place named.
/// </summary>
public sealed record ConsumableAwardCheck(string Verdict, IReadOnlyList<ConsumableRuleOutcome> Rules, IReadOnlyList<RuleViolation> Violations)
{
    public bool Passed => Verdict == AwardCheck.Passed;

    /// <summary>The first violations in words, for a status line.</summary>
    public string Summary(int count = 3) =>
        Violations.Count == 0
            ? $"every rule holds ({Rules.Sum(r => r.Checks):N0} checks)"
            : string.Join("; ", Violations.Take(count).Select(v => $"{v.Rule} at {v.Place}: {v.Detail}"))
              + (Violations.Count > count ? $"; and {Violations.Count - count:N0} more" : "");
}

/// <summary>One rule's outcome over the whole award: how many times it was checked and how many of those broke.</summary>
public sealed record ConsumableRuleOutcome(string Rule, int Checks, int Broken)
{
    public bool Holds => Broken == 0;
}

/// <summary>Stable codes of the rules the consumables checker holds an award to. Never rename one: they are stored with awards.</summary>
public static class ConsumableRuleCodes
{
    /// <summary>The award's shape: the batch, the rule set, every category once, one statement per bid.</summary>
    public const string Document = "DOCUMENT";

    /// <summary>A firm's intended volume, share, rank or group not what the demand split gives.</summary>
    public const string DemandGroups = "DEMAND_GROUPS";

    /// <summary>A bid's eligibility (qualification, component prices, group maximum price, affiliates) not what the rules give.</summary>
    public const string Eligibility = "ELIGIBILITY";

    /// <summary>A competing bid's rank, reference, ratio or price route (ratio, cut, no price rule, above ratio) not what the rules give.</summary>
    public const string PriceRule = "PRICE_RULE";

    /// <summary>A qualifying bid admitted beyond the group's winner cap, or refused within it.</summary>
    public const string WinnerCap = "WINNER_CAP";

    /// <summary>A bid won that should lose or lost that should win; the winners list or awarded prices not the winning statements'.</summary>
    public const string Winners = "WINNERS";

    /// <summary>A group's maximum price, firms, competing bidders, lowest, reference, cap or winning bidders not what the rules give.</summary>
    public const string GroupFigures = "GROUP_FIGURES";

    /// <summary>A winner's or winning firm's intended volume not the intentions naming it.</summary>
    public const string IntendedVolume = "INTENDED_VOLUME";

    /// <summary>The hospitals to choose again not exactly those whose intended firm or product did not win, with the reason.</summary>
    public const string ChooseAgain = "CHOOSE_AGAIN";

    public static IReadOnlyList<string> All { get; } = [Document, DemandGroups, Eligibility, PriceRule, WinnerCap, Winners, GroupFigures, IntendedVolume, ChooseAgain];
}
