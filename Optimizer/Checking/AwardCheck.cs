namespace Procurement.Optimizer.Checking;

/// <summary>
/// The independent rule checker's verdict on one award: <see cref="Passed"/> or
/// <see cref="RuleBroken"/>, how many rule checks it made, every violation with the rule and the
/// place named, and its own wall time.
/// </summary>
public sealed record AwardCheck(string Verdict, int Checks, IReadOnlyList<RuleViolation> Violations, TimeSpan WallTime)
{
    public const string Passed = "passed";
    public const string RuleBroken = "rule-broken";

    /// <summary>The first violations in words, for a status line (at most <paramref name="count"/>).</summary>
    public string Summary(int count = 3) =>
        Violations.Count == 0
            ? $"every rule holds ({Checks:N0} checks)"
            : string.Join("; ", Violations.Take(count).Select(v => $"{v.Rule} at {v.Place}: {v.Detail}"))
              + (Violations.Count > count ? $"; and {Violations.Count - count:N0} more" : "");
}

/// <summary>One broken rule: its stable code (<see cref="RuleCodes"/>), where (product, region, hospital or bid) and what is wrong.</summary>
public sealed record RuleViolation(string Rule, string Place, string Detail);

/// <summary>Stable codes of the rules the checker holds an award to. Never rename one: they are stored with awards.</summary>
public static class RuleCodes
{
    /// <summary>The award's shape: every product of the input once, its figures present.</summary>
    public const string Document = "DOCUMENT";

    /// <summary>A bid won that the rule set does not let win, or lost where it should win.</summary>
    public const string Winners = "WINNERS";

    /// <summary>A statement missing, doubled, or its reason, rank or prices not what the rules give.</summary>
    public const string Statement = "STATEMENT";

    /// <summary>The anchor, eligible firms, winner cap or agreed share of a product not what the rules give.</summary>
    public const string ProductFigures = "PRODUCT_FIGURES";

    /// <summary>A region or hospital with volume served by no winner and not listed as unallocated, or served twice.</summary>
    public const string Coverage = "COVERAGE";

    /// <summary>A supplier (primary or spare) that is not a winner of the product or does not supply the region.</summary>
    public const string Supplier = "SUPPLIER";

    /// <summary>A spare missing where another winner supplies the region, or the spare is the primary.</summary>
    public const string Spare = "SPARE";

    /// <summary>A winner's primary volume above its declared annual capacity.</summary>
    public const string Capacity = "CAPACITY";

    /// <summary>A winner without volume where the mode promises every winner some (regions or hospitals enough).</summary>
    public const string EveryWinner = "EVERY_WINNER_VOLUME";

    /// <summary>A region's spend above its medical-insurance budget (cost-optimal).</summary>
    public const string Budget = "BUDGET";

    /// <summary>A hospital that named a winning brand supplying its region not given that brand, or flagged wrongly.</summary>
    public const string NamedBrand = "NAMED_BRAND";

    /// <summary>An agreed volume not the agreed share of the reported volume (or below a renewal's floor).</summary>
    public const string AgreedVolume = "AGREED_VOLUME";

    /// <summary>A line's unit price not its supplier's awarded price, or its amount not volume x price to the fen.</summary>
    public const string Price = "PRICE";

    /// <summary>A place left unallocated although a winner that supplies it has the capacity left for it.</summary>
    public const string Unallocated = "UNALLOCATED";

    /// <summary>The objective not the sum of the amounts, the bound above it, or the gap not what they give.</summary>
    public const string Objective = "OBJECTIVE";
}
