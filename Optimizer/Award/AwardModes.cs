namespace Procurement.Optimizer.Award;

public static class AwardModes
{
    public const string RankedPick = "ranked-pick";
    public const string CostOptimal = "cost-optimal";

    public static IReadOnlyList<string> All { get; } = [RankedPick, CostOptimal];
}
