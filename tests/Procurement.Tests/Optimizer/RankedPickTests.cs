using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

public sealed class RankedPickTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static ProductInput Product(params (string Region, long Volume)[] volumes) => new(
        "P", "Tablet", 5m, new SpecificationInput("7", 7, 10m), [], volumes.ToDictionary(v => v.Region, v => v.Volume));

    private static BidInput Bid(string id, decimal unit, long capacity, params string[] regions) =>
        new(id, $"M-{id}", $"M-{id}", "P", "7", unit * 7, capacity, regions, T0, new BidderQualification(true, 5, false));

    private static (ProductAllocation Allocation, ProductResult Result) Run(ProductInput product, BidInput[] bids, IReadOnlyDictionary<string, IReadOnlyList<string>>? preferences = null)
    {
        var result = new WinnerDetermination(RuleSetCatalog.Resolve("custom", new Dictionary<string, string>())).Determine(product, bids);
        return (RankedPick.Allocate(product, result, bids.ToDictionary(b => b.BidId), preferences), result);
    }

    [Fact]
    public void A_renewal_keeps_at_least_the_previous_agreed_volume_of_each_region()
    {
        // Reported volume fell in R1; the previous year's agreed 700 there is the floor.
        var product = Product(("R1", 1000), ("R2", 800)) with { MinimumAgreedVolumes = new Dictionary<string, long> { ["R1"] = 700, ["R2"] = 100 } };
        var bids = new[] { Bid("A", 1.0m, 10_000, "R1", "R2"), Bid("B", 1.2m, 10_000, "R1", "R2") };

        var (allocation, result) = Run(product, bids);

        Assert.Equal(0.6m, result.AgreedShare);
        var byRegion = allocation.Regions.ToDictionary(r => r.RegionCode);
        Assert.Equal(700, byRegion["R1"].AgreedVolume);
        Assert.Equal(480, byRegion["R2"].AgreedVolume);
    }

    [Fact]
    public void Winners_pick_the_largest_region_in_rank_order_then_spares_differ_from_their_primaries()
    {
        var product = Product(("R1", 1000), ("R2", 800), ("R3", 600), ("R4", 400));
        var bids = new[] { Bid("A", 1.0m, 10_000, "R1", "R2", "R3", "R4"), Bid("B", 1.2m, 10_000, "R1", "R2", "R3", "R4") };

        var (allocation, result) = Run(product, bids);

        // 2 winners: agreed share 60%. A picks R1, B picks R2, A picks R3, B picks R4.
        Assert.Equal(0.6m, result.AgreedShare);
        var byRegion = allocation.Regions.ToDictionary(r => r.RegionCode);
        Assert.Equal(("A", "B"), (byRegion["R1"].PrimaryBidId, byRegion["R1"].SpareBidId));
        Assert.Equal(("B", "A"), (byRegion["R2"].PrimaryBidId, byRegion["R2"].SpareBidId));
        Assert.Equal("A", byRegion["R3"].PrimaryBidId);
        Assert.Equal("B", byRegion["R4"].PrimaryBidId);
        Assert.Equal(600, byRegion["R1"].AgreedVolume);
        Assert.Equal(600m, byRegion["R1"].Amount);
        Assert.Equal(576m, byRegion["R2"].Amount);
        Assert.Empty(allocation.Unallocated);
        Assert.All(allocation.Regions, r => Assert.NotEqual(r.PrimaryBidId, r.SpareBidId));
    }

    [Fact]
    public void A_pick_beyond_the_declared_capacity_is_not_allowed()
    {
        var product = Product(("R1", 1000), ("R2", 500));
        var bids = new[] { Bid("A", 1.0m, 400, "R1", "R2"), Bid("B", 1.2m, 10_000, "R1", "R2") };

        var (allocation, _) = Run(product, bids);

        // A can carry 400: R1 needs 600 and R2 needs 300, so A takes R2 and B takes R1.
        var byRegion = allocation.Regions.ToDictionary(r => r.RegionCode);
        Assert.Equal("A", byRegion["R2"].PrimaryBidId);
        Assert.Equal("B", byRegion["R1"].PrimaryBidId);
        Assert.True(allocation.Regions.Where(r => r.PrimaryBidId == "A").Sum(r => r.AgreedVolume) <= 400);
    }

    [Fact]
    public void A_stated_preference_is_followed_and_a_region_nobody_can_take_is_reported()
    {
        var product = Product(("R1", 1000), ("R2", 500), ("R3", 100));
        var bids = new[] { Bid("A", 1.0m, 10_000, "R1", "R2"), Bid("B", 1.2m, 10_000, "R1", "R2") };
        var preferences = new Dictionary<string, IReadOnlyList<string>> { ["A"] = ["R2", "R1"] };

        var (allocation, _) = Run(product, bids, preferences);

        Assert.Equal("A", allocation.Regions.Single(r => r.RegionCode == "R2").PrimaryBidId);
        Assert.Equal("B", allocation.Regions.Single(r => r.RegionCode == "R1").PrimaryBidId);
        var left = Assert.Single(allocation.Unallocated);
        Assert.Equal("R3", left.RegionCode);
    }
}
