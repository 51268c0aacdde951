using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Xunit;
using static Procurement.Tests.Domain.BatchTestData;

namespace Procurement.Tests.Domain;

/// <summary>When a bid is accepted, what it must offer, when bids are sealed and when the opening is due: at the exact instants, no database, no clock.</summary>
public sealed class SealedBiddingTests
{
    private static readonly TenderBatchPhase[] Phases = Enum.GetValues<TenderBatchPhase>();

    private static ProcurementException Refused(Action action) => Assert.Throws<ProcurementException>(action);

    private static ProcurementException RefusedBid(BidContent bid) =>
        Refused(() => SealedBidding.Validate(BatchId, Definition, Products, bid));

    [Fact]
    public void A_bid_received_exactly_at_the_deadline_is_on_time_and_one_millisecond_later_is_not()
    {
        SealedBidding.RequireAccepting(BatchId, TenderBatchPhase.Bidding, BatchWindows, Deadline - Millisecond);
        SealedBidding.RequireAccepting(BatchId, TenderBatchPhase.Bidding, BatchWindows, Deadline);

        var late = Refused(() => SealedBidding.RequireAccepting(BatchId, TenderBatchPhase.Bidding, BatchWindows, Deadline + Millisecond));
        Assert.Equal(ErrorCodes.DeadlinePassed, late.Code);
        Assert.Equal($"The bid reached the server at {Deadline + Millisecond:O}, after the deadline {Deadline:O}.", late.Message);
        Assert.Equal(ErrorCodes.DeadlinePassed, Refused(() => SealedBidding.RequireAccepting(BatchId, TenderBatchPhase.Bidding, BatchWindows, Deadline.AddTicks(1))).Code);
    }

    [Fact]
    public void Before_bidding_a_bid_is_early_and_after_it_late_whatever_its_time()
    {
        foreach (var phase in Phases.Where(p => p < TenderBatchPhase.Bidding))
        {
            Assert.Equal(ErrorCodes.BiddingNotOpen, Refused(() => SealedBidding.RequireAccepting(BatchId, phase, BatchWindows, Deadline.AddDays(-1))).Code);
        }
        foreach (var phase in Phases.Where(p => p > TenderBatchPhase.Bidding))
        {
            var closed = Refused(() => SealedBidding.RequireAccepting(BatchId, phase, BatchWindows, Deadline.AddDays(-1)));
            Assert.Equal((ErrorCodes.DeadlinePassed, $"Bidding for batch {BatchId} closed at {Deadline:O}."), (closed.Code, closed.Message));
        }
    }

    [Fact]
    public void A_bid_at_the_maximum_valid_price_is_accepted_exactly_and_above_it_refused_without_naming_the_price()
    {
        Assert.Equal(7m, SealedBidding.Validate(BatchId, Definition, Products, Bid(7.0000m)).PricePerPack);
        // 40 mg x 14 converts by 1.95 x 1.7: 23.2050 a pack is exactly 1 CNY a representative unit.
        SealedBidding.Validate(BatchId, Definition, Products, Bid(23.2050m, "40mgx14"));

        var above = RefusedBid(Bid(7.0001m));
        Assert.Equal((ErrorCodes.PriceAboveMaximum, "pricePerPack"), (above.Code, above.Field));
        Assert.DoesNotContain("7.0001", above.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.PriceAboveMaximum, RefusedBid(Bid(23.2051m, "40mgx14")).Code);
    }

    [Fact]
    public void A_price_with_too_many_decimals_is_refused_without_naming_it()
    {
        var precise = RefusedBid(Bid(6.12345m));

        Assert.Equal((ErrorCodes.InvalidField, "pricePerPack"), (precise.Code, precise.Field));
        Assert.DoesNotContain("6.1234", precise.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_price_whose_six_decimal_unit_price_equals_the_maximum_but_lies_above_it_is_refused()
    {
        // 1.0000 a pack of 7 is 0.142857142... a unit: shown as 0.142857, above a maximum of 0.142857.
        var definition = Definition with { Products = [new BatchProduct(Atorvastatin.Id, 0.142857m)] };
        Assert.Equal(ErrorCodes.PriceAboveMaximum, Refused(() => SealedBidding.Validate(BatchId, definition, Products, Bid(1m))).Code);
        SealedBidding.Validate(BatchId, definition with { Products = [new BatchProduct(Atorvastatin.Id, 0.142858m)] }, Products, Bid(1m));
    }

    [Fact]
    public void A_bid_offers_a_product_and_specification_of_the_batch_with_price_capacity_and_its_regions()
    {
        Assert.Equal((ErrorCodes.UnknownProduct, "productId"), Pair(RefusedBid(Bid() with { ProductId = "AML" })));
        Assert.Equal((ErrorCodes.InvalidField, "specificationCode"), Pair(RefusedBid(Bid(specification: "80mgx28"))));
        Assert.Equal((ErrorCodes.InvalidField, "pricePerPack"), Pair(RefusedBid(Bid(0m))));
        Assert.Equal((ErrorCodes.InvalidField, "pricePerPack"), Pair(RefusedBid(Bid(-1m))));
        Assert.Equal((ErrorCodes.InvalidField, "pricePerPack"), Pair(RefusedBid(Bid(1.00001m))));
        Assert.Equal((ErrorCodes.InvalidField, "annualCapacity"), Pair(RefusedBid(Bid(capacity: 0))));
        Assert.Equal((ErrorCodes.InvalidField, "supplyRegions"), Pair(RefusedBid(Bid() with { SupplyRegions = [] })));
        Assert.Equal((ErrorCodes.InvalidField, "supplyRegions[1]"), Pair(RefusedBid(Bid(regions: ["GD", "GD"]))));
        Assert.Equal((ErrorCodes.InvalidField, "supplyRegions[1]"), Pair(RefusedBid(Bid(regions: ["GD", "HN"]))));
        Assert.Equal((ErrorCodes.RequiredField, "content"), Pair(Refused(() => SealedBidding.Validate(BatchId, Definition, Products, null))));
        SealedBidding.Validate(BatchId, Definition, Products, Bid(regions: ["GX", "GD"]));
    }

    private static (string, string?) Pair(ProcurementException refused) => (refused.Code, refused.Field);

    [Fact]
    public void A_submission_adds_an_active_bid_a_withdrawal_takes_one_away_an_amendment_neither()
    {
        Assert.Equal([1, 0, -1], new[] { BidAction.Submitted, BidAction.Amended, BidAction.Withdrawn }.Select(SealedBidding.ActiveBidChange));
    }

    [Fact]
    public void Bids_are_sealed_in_every_phase_before_the_opening()
    {
        Assert.Equal(
            [TenderBatchPhase.Draft, TenderBatchPhase.VolumeReporting, TenderBatchPhase.VolumeReportingClosed, TenderBatchPhase.Bidding],
            Phases.Where(SealedBidding.IsSealed));
    }

    [Fact]
    public void The_opening_is_due_at_the_opening_time_to_the_millisecond()
    {
        Assert.False(SealedBidding.IsOpeningDue(BatchWindows, OpeningTime - Millisecond));
        Assert.True(SealedBidding.IsOpeningDue(BatchWindows, OpeningTime));
        Assert.Equal(OpeningTime, SealedBidding.OpeningReminderDue(BatchWindows));

        var refused = Refused(() => SealedBidding.RequireOpeningDue(BatchId, BatchWindows, OpeningTime - Millisecond));
        Assert.Equal(ErrorCodes.OpeningNotDue, refused.Code);
        SealedBidding.RequireOpeningDue(BatchId, BatchWindows, OpeningTime);
    }

    [Fact]
    public void An_opening_at_the_deadline_waits_until_the_deadline_has_passed_so_a_bid_at_the_deadline_is_in_it()
    {
        var windows = BatchWindows with { OpeningTime = Deadline };
        Assert.False(SealedBidding.IsOpeningDue(windows, Deadline));
        Assert.True(SealedBidding.IsOpeningDue(windows, Deadline.AddTicks(1)));
        Assert.Equal(Deadline + Millisecond, SealedBidding.OpeningReminderDue(windows));
        Assert.True(SealedBidding.IsOpeningDue(windows, SealedBidding.OpeningReminderDue(windows)));
    }

    [Fact]
    public void The_key_is_released_automatically_or_by_the_threshold_of_officers()
    {
        var committee = new OpeningCommittee([new OpeningOfficer("a", ""), new OpeningOfficer("b", ""), new OpeningOfficer("c", "")], 2);
        Assert.True(SealedBidding.CanRelease(null, 0));
        Assert.False(SealedBidding.CanRelease(committee, 1));
        Assert.True(SealedBidding.CanRelease(committee, 2));

        var refused = Refused(() => SealedBidding.RequireReleasable(BatchId, committee, 1));
        Assert.Equal((ErrorCodes.OpeningSharesRequired, $"Batch {BatchId} is opened by 2 of its 3 opening officers; 1 presented a share."), (refused.Code, refused.Message));
        SealedBidding.RequireReleasable(BatchId, null, 0);
    }

    [Fact]
    public void Officers_present_shares_only_in_bidding_once_the_opening_is_due()
    {
        SealedBidding.RequireSharesTaken(BatchId, TenderBatchPhase.Bidding, BatchWindows, OpeningTime);
        Assert.Equal(ErrorCodes.OpeningNotDue, Refused(() => SealedBidding.RequireSharesTaken(BatchId, TenderBatchPhase.Bidding, BatchWindows, OpeningTime - Millisecond)).Code);
        Assert.All(Phases.Where(p => p != TenderBatchPhase.Bidding),
            p => Assert.Equal(ErrorCodes.InvalidTransition, Refused(() => SealedBidding.RequireSharesTaken(BatchId, p, BatchWindows, OpeningTime)).Code));
    }

    [Fact]
    public void The_sealed_rows_must_be_exactly_the_actions_the_event_log_recorded()
    {
        (string, int)[] logged = [("b-1", 1), ("b-1", 2), ("b-2", 1)];
        SealedBidding.RequireSameActions(logged, logged.Reverse());
        SealedBidding.RequireSameActions([], []);

        var gone = Refused(() => SealedBidding.RequireSameActions(logged, [("b-1", 1), ("b-2", 1)]));
        Assert.Equal((ErrorCodes.SealBroken, "Version 2 of bid b-1 is in the event log but its sealed record is gone: the store was altered."), (gone.Code, gone.Message));
        var added = Refused(() => SealedBidding.RequireSameActions(logged, [.. logged, ("b-3", 1)]));
        Assert.Equal((ErrorCodes.SealBroken, "Version 1 of bid b-3 is sealed but was never recorded in the event log: the store was altered."), (added.Code, added.Message));
    }
}
