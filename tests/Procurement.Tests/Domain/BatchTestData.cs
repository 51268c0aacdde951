using Procurement.Contracts.Domain;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Tests.Domain;

/// <summary>One batch's definition and instants for the batch-side domain tests: no database, no clock.</summary>
internal static class BatchTestData
{
    public const string BatchId = "BATCH-T";

    public static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    public static readonly DateTimeOffset ReportingCloses = new(2027, 3, 1, 10, 0, 0, TimeSpan.FromHours(8));

    public static readonly DateTimeOffset Deadline = new(2027, 4, 1, 10, 0, 0, TimeSpan.FromHours(8));

    public static readonly DateTimeOffset OpeningTime = Deadline.AddHours(1);

    public static readonly TenderWindows BatchWindows = new(ReportingCloses, Deadline, OpeningTime, 7);

    /// <summary>Atorvastatin, 20 mg x 7 the representative, 40 mg x 14 also biddable.</summary>
    public static readonly Product Atorvastatin = new("ATV", "Atorvastatin calcium", "Tablet", new Specification("20mgx7", 7, 20m), [new Specification("40mgx14", 14, 40m)]);

    public static readonly IReadOnlyDictionary<string, Product> Products = new Dictionary<string, Product> { [Atorvastatin.Id] = Atorvastatin };

    /// <summary>A maximum of 1 CNY per representative unit: 7.0000 a pack of the representative specification.</summary>
    public static readonly TenderBatchDefinition Definition = new(
        "ALLIANCE-1",
        "Batch T",
        [new BatchProduct(Atorvastatin.Id, 1m)],
        ["GD", "GX"],
        ["H-1", "H-2"],
        new RuleSetChoice(RuleSetCatalog.Round10, new Dictionary<string, string>(), new PriceConversion(1.95m, 1.7m)),
        BatchWindows,
        24);

    public static BidContent Bid(decimal pricePerPack = 7m, string specification = "20mgx7", long capacity = 1000, params string[] regions) =>
        new(BatchId, Atorvastatin.Id, specification, pricePerPack, capacity, regions.Length == 0 ? ["GD"] : regions);
}
