namespace Procurement.Contracts.Domain;

/// <summary>
/// Components of a product system bought separately (revisions) under one consumables agreement:
/// the order lines that named the component, the units accepted of them and what those cost at
/// the lines' prices. They draw nothing down and count toward no completion, so they are a figure
/// of their own (docs/CONSUMABLES.md, "Components bought separately in monitoring").
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ComponentPurchase")]
public sealed record ComponentPurchase(
    [property: Id(0)] string AgreementId,
    [property: Id(1)] string ComponentId,
    [property: Id(2)] int Lines,
    [property: Id(3)] long AcceptedUnits,
    [property: Id(4)] decimal AcceptedAmount);
