namespace Procurement.Optimizer.RuleSets.Consumables;

/// <summary>A demand group: A, the firms covering the top share of a category's intended demand; B, the rest.</summary>
public enum DemandGroupName
{
    A,
    B,
}
