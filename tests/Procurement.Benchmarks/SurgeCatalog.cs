namespace Procurement.Benchmarks;

/// <summary>The demo round's products as a bid needs them.</summary>
internal static class SurgeCatalog
{
    public static readonly (string Id, string Spec, int Packs, decimal MaxUnitPrice)[] Products =
    [
        ("ATORVASTATIN-TAB", "20mgx7", 7, 0.5m),
        ("AMLODIPINE-TAB", "5mgx28", 28, 0.2m),
        ("METFORMIN-TAB", "500mgx20", 20, 0.06m),
        ("MONTELUKAST-TAB", "10mgx5", 5, 1.2m),
        ("ENTECAVIR-TAB", "0.5mgx7", 7, 1.8m),
    ];

    public static readonly string[] Regions = ["BJ", "TJ", "HE", "SX", "NM"];

    public static readonly string[] Hospitals = Regions.SelectMany(r => Enumerable.Range(1, 3).Select(n => $"H-{r}-{n:000}")).ToArray();

    public const string Alliance = "ALLIANCE-NORTH";

    public const string DemoPassword = "bid-surge-password";

    /// <summary>A price per pack of the representative specification below the maximum: 50-94 % of it, 4 decimals.</summary>
    public static decimal Price(int product, long counter)
    {
        var (_, _, packs, max) = Products[product];
        var share = 0.50m + (counter % 45) / 100m;
        return Math.Round(max * packs * share, 4, MidpointRounding.ToZero);
    }
}
