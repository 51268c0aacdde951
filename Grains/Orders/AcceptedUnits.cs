namespace Procurement.Grains.Orders;

/// <summary>
/// Units a hospital accepted on the platform: of a drug product, or (<paramref name="Category"/>)
/// of a consumables category, whole systems and units only.
/// </summary>
public readonly record struct AcceptedUnits(string Id, bool Category, long Accepted);
