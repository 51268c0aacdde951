using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Awards;
using Procurement.Optimizer.Consumables;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>An opened consumables batch mapped to its award input, worked by hand.</summary>
public sealed class ConsumableAwardInputMappingTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly ConsumableTerms Terms = new(
        [
            new ConsumableLot("STENT", "Stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
            new ConsumableLot("HIP", "Hip", null, 35_000m, ConsumablePurchaseUnit.System,
                [new ConsumableLotComponent("stem", "Stem", 12_000m), new ConsumableLotComponent("cup", "Cup", null)]),
        ],
        "joints2021",
        new Dictionary<string, string> { ["topShare"] = "0.7" });

    private static OpenedBid Opened(string bidId, string maker, string group, BidContent content) =>
        new(Guid.Parse(bidId), maker, group, content, content.PricePerPack, 1, At, "hash", "nonce");

    [Fact]
    public void Lots_opened_consumables_bids_declared_qualifications_and_intentions_map_to_the_award_input()
    {
        var stent = new BidContent("B", "STENT", "", 700.5m, 90_000, ["RA"]) { Consumable = new ConsumableOffer("C1", "M-1", "C02010300412345067890123456", []) };
        var hip = new BidContent("B", "HIP", "", 30_000m, 7_000, ["RA", "RB"])
        {
            Consumable = new ConsumableOffer("C2", "H-1", null, [new ConsumableComponentPrice("cup", 9_000m), new ConsumableComponentPrice("stem", 11_000m)]),
        };
        var undeclared = new BidContent("B", "STENT", "", 690m, 10_000, ["RB"]) { Consumable = new ConsumableOffer("C3", "M-3", null, []) };
        var drug = new BidContent("B", "ATV", "20mgx7", 0.4m, 1_000, ["RA"]);
        var bids = new[]
        {
            Opened("00000000-0000-0000-0000-000000000001", "F1", "F1", stent),
            Opened("00000000-0000-0000-0000-000000000002", "F2", "G", hip),
            Opened("00000000-0000-0000-0000-000000000003", "F3", "G", undeclared),
            Opened("00000000-0000-0000-0000-000000000004", "F1", "F1", drug),
        };
        var qualifications = new Dictionary<(string, string), Qualification>
        {
            [("F1", "STENT")] = new("STENT", true, 0, false, null),
            [("F2", "HIP")] = new("HIP", true, 5, true, "credit: barred"),
            [("F1", "ATV")] = new("ATV", true, 3, false, null),
        };
        var intentions = new[]
        {
            new ConsumableIntention("B", "H1", "STENT", "F1", "C1", "M-1", null, 500, ["F3"], null, 2, At),
            new ConsumableIntention("B", "H2", "HIP", "F2", "C2", "H-1", null, 40, [], null, 1, At),
        };
        var regions = new Dictionary<string, string> { ["H1"] = "RA", ["H2"] = "RB" };

        var input = ConsumableAwardInputMapping.Map("B", Terms, bids, qualifications, intentions, regions);

        Assert.Equal(("B", "joints2021", "0.7"), (input.BatchId, input.RuleSet, input.Parameters["topShare"]));
        Assert.Equal(
            [("STENT", "Stent", (string?)"C0201", 848m, PurchaseUnit.Unit, 0), ("HIP", "Hip", null, 35_000m, PurchaseUnit.System, 2)],
            input.Categories.Select(c => (c.CategoryId, c.Name, c.ClassPrefix, c.MaxValidPrice, c.PurchaseUnit, c.Components.Count)));
        Assert.Equal([new SystemComponentInput("stem", "Stem", 12_000m), new SystemComponentInput("cup", "Cup", null)], input.Categories[1].Components);

        // The drug bid is the drug award's; the bidder without a declaration is unqualified.
        Assert.Equal(
            [
                ("00000000-0000-0000-0000-000000000001", "F1", "F1", "STENT", "C1/M-1", 700.5m, 90_000L, new ConsumableQualification(true, false)),
                ("00000000-0000-0000-0000-000000000002", "F2", "G", "HIP", "C2/H-1", 30_000m, 7_000L, new ConsumableQualification(true, true)),
                ("00000000-0000-0000-0000-000000000003", "F3", "G", "STENT", "C3/M-3", 690m, 10_000L, new ConsumableQualification(false, true)),
            ],
            input.Bids.Select(b => (b.BidId, b.FirmId, b.AffiliateGroup, b.CategoryId, b.Product.ProductId, b.Price, b.AnnualCapacity, b.Qualification)));
        Assert.Equal("C02010300412345067890123456", input.Bids[0].Product.ConsumableCode);
        Assert.Empty(input.Bids[0].ComponentPrices);
        Assert.Equal([new ComponentPrice("cup", 9_000m), new ComponentPrice("stem", 11_000m)], input.Bids[1].ComponentPrices);
        Assert.All(input.Bids, b => Assert.Equal(At, b.ReceivedAt));

        Assert.Equal(
            [("H1", "RA", "STENT", "F1", (string?)"C1/M-1", 500L, "F3"), ("H2", "RB", "HIP", "F2", "C2/H-1", 40L, "")],
            input.Intentions.Select(i => (i.HospitalId, i.Region, i.CategoryId, i.IntendedFirmId, i.IntendedProductId, i.Quantity, string.Join(",", i.FurtherChoices))));
        Assert.Empty(ConsumableInputValidator.Problems(input));
    }

    [Fact]
    public void An_intention_of_a_firm_alone_maps_to_no_product_id_and_passes_the_validator()
    {
        var intentions = new[]
        {
            new ConsumableIntention("B", "H1", "STENT", "F1", null, null, null, 500, ["F3"], null, 1, At),
            new ConsumableIntention("B", "H2", "STENT", "F3", "C3", "M-3", null, 200, [], null, 1, At),
        };
        var regions = new Dictionary<string, string> { ["H1"] = "RA", ["H2"] = "RB" };

        var input = ConsumableAwardInputMapping.Map("B", Terms, [], new Dictionary<(string, string), Qualification>(), intentions, regions);

        Assert.Equal([("H1", "F1", (string?)null), ("H2", "F3", "C3/M-3")], input.Intentions.Select(i => (i.HospitalId, i.IntendedFirmId, i.IntendedProductId)));
        Assert.Empty(ConsumableInputValidator.Problems(input));
    }

    [Fact]
    public void An_intention_of_a_hospital_without_a_region_is_a_store_failure()
    {
        var intention = new ConsumableIntention("B", "H9", "STENT", "F1", "C1", "M-1", null, 5, [], null, 1, At);
        var error = Assert.Throws<ProcurementException>(() => ConsumableAwardInputMapping.Map("B", Terms, [], new Dictionary<(string, string), Qualification>(), [intention], new Dictionary<string, string>()));
        Assert.Equal(ErrorCodes.StoreFailure, error.Code);
    }
}
