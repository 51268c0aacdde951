namespace Procurement.Optimizer.Award;

public static class AwardModes
{
    public const string RankedPick = "ranked-pick";
    public const string CostOptimal = "cost-optimal";

    /// <summary>Each hospital's volume to one winner (the brand it named when that brand won).</summary>
    public const string Hospital = "hospital";

    /// <summary>The drug award's modes (the award engine's).</summary>
    public static IReadOnlyList<string> All { get; } = [RankedPick, CostOptimal, Hospital];

    /// <summary>
    /// A consumables batch's award (docs/CONSUMABLES.md, "The award from the batch"): winners by demand
    /// group, then allocation by choice, a hospital with no listed winner going to the cheapest winner with room.
    /// </summary>
    public const string Consumables = "consumables";

    /// <summary>As <see cref="Consumables"/>, hospitals with no listed winner shared in proportion to the winners' intended volume.</summary>
    public const string ConsumablesProportional = "consumables-proportional";

    /// <summary>The consumables award's modes: one per fallback rule of allocation by choice.</summary>
    public static IReadOnlyList<string> ForConsumables { get; } = [Consumables, ConsumablesProportional];

    public static bool IsConsumables(string? mode) => mode is Consumables or ConsumablesProportional;
}
