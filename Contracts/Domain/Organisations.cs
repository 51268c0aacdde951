namespace Procurement.Contracts.Domain;

/// <summary>A province (or other insurance pooling region): the unit that budgets and is allocated.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Region")]
public sealed record Region(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name)
{
    /// <summary>The name in Chinese, shown on zh-CN pages (北京, 河北); <see cref="Name"/> elsewhere and when absent.</summary>
    [Id(2)]
    public string? NameZh { get; init; }
}

/// <summary>A purchasing alliance and the regions it buys for.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Alliance")]
public sealed record Alliance(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<Region> Regions)
{
    /// <summary>The name in Chinese, shown on zh-CN pages; <see cref="Name"/> elsewhere and when absent.</summary>
    [Id(3)]
    public string? NameZh { get; init; }
}

/// <summary>A public medical institution; it belongs to exactly one region.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Hospital")]
public sealed record Hospital(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string RegionCode)
{
    /// <summary>The name in Chinese, shown on zh-CN pages; <see cref="Name"/> elsewhere and when absent.</summary>
    [Id(3)]
    public string? NameZh { get; init; }

    /// <summary>The most ids one read of hospitals by id takes (SQL Server takes at most 2,100 parameters a statement).</summary>
    public const int MaxIdsPerRead = 500;
}

/// <summary>
/// A bidder. Firms sharing an <see cref="AffiliationGroup"/> are closely related and count as one
/// bidder (round 11); a firm without a group stands alone.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.Manufacturer")]
public sealed record Manufacturer(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? AffiliationGroup)
{
    public string BidderGroup => AffiliationGroup ?? Id;

    /// <summary>The name in Chinese, shown on zh-CN pages; <see cref="Name"/> elsewhere and when absent.</summary>
    [Id(3)]
    public string? NameZh { get; init; }
}
