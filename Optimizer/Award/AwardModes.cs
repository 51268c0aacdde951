namespace Procurement.Optimizer.Award;

public static class AwardModes
{
    public const string RankedPick = "ranked-pick";
    public const string CostOptimal = "cost-optimal";

    /// <summary>Each hospital's volume to one winner (the brand it named when that brand won).</summary>
    public const string Hospital = "hospital";

    public static IReadOnlyList<string> All { get; } = [RankedPick, CostOptimal, Hospital];
}
