using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Xunit;
using static Procurement.Tests.Domain.BatchTestData;

namespace Procurement.Tests.Domain;

/// <summary>What a consumables renewal continues, the maxima it sets and the volume floors it holds (ConsumableRenewal, no I/O).</summary>
public sealed class ConsumableRenewalRuleTests
{
    private static readonly ConsumableTerms Terms = new(
    [
        new ConsumableLot("STENT", "Stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
        new ConsumableLot("HIP", "Hip", "C03", 35_000m, ConsumablePurchaseUnit.System,
            [new ConsumableLotComponent("stem", "Stem", 12_000m), new ConsumableLotComponent("cup", "Cup", 9_000m), new ConsumableLotComponent("head", "Head", null)]),
        new ConsumableLot("KNEE", "Knee", "C03", 30_000m, ConsumablePurchaseUnit.System, [new ConsumableLotComponent("femoral", "Femoral", null)]),
    ], "joints2021", new Dictionary<string, string> { ["topShare"] = "0.7" });

    private static Agreement Agreement(string category, string region, string maker, AgreementState state, int version, decimal price, long volume = 100) =>
        new(Guid.NewGuid(), BatchId, category, region, maker, Guid.NewGuid(), null, null, volume, price, price * volume,
            new DateOnly(2026, 1, 1), new DateOnly(2028, 1, 1), state, version, null, null, 1);

    [Fact]
    public void Each_suppliers_newest_running_agreement_of_a_category_and_region_is_continued_and_no_drug_agreement()
    {
        var m1 = Agreement("STENT", "GD", "M1", AgreementState.Expiring, 1, 600m);
        var m2Old = Agreement("STENT", "GD", "M2", AgreementState.Expiring, 1, 450m);
        var m2New = Agreement("STENT", "GD", "M2", AgreementState.Active, 2, 460m) with { PreviousAgreementId = m2Old.AgreementId };
        var suspended = Agreement("HIP", "GX", "M2", AgreementState.Suspended, 1, 14_000m);
        var terminated = Agreement("HIP", "GD", "M1", AgreementState.Terminated, 1, 20_000m);
        var expired = Agreement("KNEE", "GD", "M1", AgreementState.Expired, 1, 9_000m);
        var drug = Agreement("ATV", "GD", "M1", AgreementState.Expiring, 1, 0.5m);

        var continued = ConsumableRenewal.Continued([m1, m2Old, m2New, suspended, terminated, expired, drug], Terms);

        Assert.Equal(new[] { m1, m2New, suspended }.Select(a => a.AgreementId).Order(), continued.Select(a => a.AgreementId).Order());
        Assert.Empty(ConsumableRenewal.Continued([m1], null));
    }

    [Fact]
    public void A_firm_that_won_a_category_with_two_products_has_both_agreements_continued()
    {
        var first = Agreement("STENT", "GD", "M1", AgreementState.Expiring, 1, 600m);
        var second = Agreement("STENT", "GD", "M1", AgreementState.Expiring, 1, 680m);

        var continued = ConsumableRenewal.Continued([first, second], Terms);

        Assert.Equal(new[] { first, second }.Select(a => a.AgreementId).Order(), continued.Select(a => a.AgreementId).Order());
        Assert.Equal(680m, ConsumableRenewal.Terms(Terms, continued, new Dictionary<Guid, IReadOnlyList<ConsumableComponentPrice>>())!.Categories.Single(c => c.CategoryId == "STENT").MaxValidPrice);
    }

    [Fact]
    public void The_continued_categories_are_put_up_at_the_highest_price_now_paid_and_each_component_at_the_highest_kept_for_it()
    {
        var stent1 = Agreement("STENT", "GD", "M1", AgreementState.Expiring, 1, 600.25m);
        var stent2 = Agreement("STENT", "GX", "M2", AgreementState.Expiring, 1, 450m);
        var hip1 = Agreement("HIP", "GD", "M1", AgreementState.Expiring, 1, 20_000m);
        var hip2 = Agreement("HIP", "GX", "M2", AgreementState.Expiring, 1, 14_000m);
        var prices = new Dictionary<Guid, IReadOnlyList<ConsumableComponentPrice>>
        {
            [hip1.AgreementId] = [new("stem", 8_000m), new("cup", 6_000m), new("head", 6_000m)],
            [hip2.AgreementId] = [new("stem", 5_000m), new("cup", 7_500m), new("head", 1_500m)],
        };

        var terms = ConsumableRenewal.Terms(Terms, [stent1, stent2, hip1, hip2], prices)!;

        // The knee has no continued agreement: it is not put up again. The rule set and its parameters are kept.
        Assert.Equal(
            [("STENT", 600.25m, ""), ("HIP", 20_000m, "stem=8000,cup=7500,head=6000")],
            terms.Categories.Select(c => (c.CategoryId, c.MaxValidPrice, string.Join(",", c.Components.Select(p => $"{p.ComponentId}={p.MaxValidPrice:0.####}")))));
        Assert.Equal(("joints2021", "0.7"), (terms.RuleSetName, terms.Parameters["topShare"]));
        Assert.True(terms.Categories[1].Components.Sum(c => c.MaxValidPrice!.Value) >= terms.Categories[1].MaxValidPrice);

        // A component no continued agreement keeps a price for stays at its previous maximum (or none).
        var bare = ConsumableRenewal.Terms(Terms, [hip1], new Dictionary<Guid, IReadOnlyList<ConsumableComponentPrice>>())!;
        Assert.Equal([12_000m, 9_000m, null], bare.Categories.Single().Components.Select(c => c.MaxValidPrice));
        Assert.Null(ConsumableRenewal.Terms(Terms, [], prices));
        Assert.Null(ConsumableRenewal.Terms(null, [hip1], prices));
    }

    [Fact]
    public void A_category_and_region_below_the_previous_agreed_volume_is_a_shortfall_and_refuses_the_award()
    {
        var previous = Guid.NewGuid();
        var floors = ConsumableRenewal.Floors(
        [
            new ConsumableRenewalReference("STENT", "GD", previous, "M1", 600m, 500),
            new ConsumableRenewalReference("STENT", "GD", Guid.NewGuid(), "M2", 450m, 200),
            new ConsumableRenewalReference("STENT", "GX", Guid.NewGuid(), "M2", 450m, 300),
            new ConsumableRenewalReference("HIP", "GX", Guid.NewGuid(), "M2", 14_000m, 30),
        ]);
        Assert.Equal(700, floors[("STENT", "GD")]);

        // Exactly at the floor passes; one unit below does not; a region with no volume at all is short by all of it.
        Assert.Empty(ConsumableRenewal.Shortfalls(floors, [("STENT", "GD", 400L), ("STENT", "GD", 300L), ("STENT", "GX", 300L), ("HIP", "GX", 30L), ("KNEE", "GX", 1L)]));
        var shortfalls = ConsumableRenewal.Shortfalls(floors, [("STENT", "GD", 699L), ("STENT", "GX", 300L)]);
        Assert.Equal([("HIP", "GX", 0L, 30L), ("STENT", "GD", 699L, 700L)], shortfalls);
        Assert.Equal("category HIP in region GX: 0 of 30; category STENT in region GD: 699 of 700", ConsumableRenewal.Describe(shortfalls));

        var error = Assert.Throws<ProcurementException>(() => ConsumableRenewal.RequireIntentionsAtFloor(BatchId, Terms, floors, [("STENT", "GD", 699L), ("STENT", "GX", 300L)]));
        Assert.Equal((ErrorCodes.RenewalVolumeBelowPrevious, "consumables.categories[1]"), (error.Code, error.Field));
        ConsumableRenewal.RequireIntentionsAtFloor(BatchId, Terms, floors, [("STENT", "GD", 700L), ("STENT", "GX", 300L), ("HIP", "GX", 31L)]);
    }
}
