using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Bidders.Domain;
using Xunit;
using static Procurement.Tests.Domain.BatchTestData;

namespace Procurement.Tests.Domain;

/// <summary>A sealed bid's states and why an action on it is refused, from the bid as it stands; no database.</summary>
public sealed class BidLifecycleTests
{
    private static readonly Guid BidId = Guid.Parse("00000000-0000-0000-0000-0000000000b1");

    private static readonly SealedBid Active = new(BidId, BatchId, Atorvastatin.Id, "MAKER-1", BidStatus.Active, 2, Deadline.AddDays(-1), "c0ffee");

    private static BidCommand Command(BidAction action, string manufacturerId = "MAKER-1", string batchId = BatchId, string productId = "ATV") =>
        new(BidId, manufacturerId, action, Bid() with { BatchId = batchId, ProductId = productId }, "req-1", "manufacturer:" + manufacturerId);

    [Fact]
    public void Only_the_bidder_that_submitted_a_bid_acts_on_it_and_others_learn_nothing_of_it()
    {
        Assert.True(BidLifecycle.IsOwn(Active, "MAKER-1"));
        Assert.False(BidLifecycle.IsOwn(Active, "MAKER-2"));
        Assert.False(BidLifecycle.IsOwn(null, "MAKER-2"));

        var refused = BidLifecycle.NotFound("MAKER-2", BidId);
        Assert.Equal((ErrorCodes.BidNotFound, "bidId", $"Bid {BidId} of manufacturer MAKER-2 does not exist."), (refused.Code, refused.Field, refused.Message));
    }

    [Fact]
    public void A_second_active_bid_on_the_same_product_is_refused_and_names_the_first()
    {
        var refused = BidLifecycle.AlreadyActive("MAKER-1", Bid() with { ProductId = "ATV" }, BidId.ToString());
        Assert.Equal((ErrorCodes.BidAlreadyExists, "productId"), (refused.Code, refused.Field));
        Assert.Equal($"Manufacturer MAKER-1 already has bid {BidId} on ATV; amend or withdraw it.", refused.Message);
    }

    [Fact]
    public void A_second_active_bid_under_a_later_offer_number_is_refused_naming_the_offer_number()
    {
        var refused = BidLifecycle.AlreadyActive("MAKER-1", Bid() with { ProductId = "STENT", OfferNumber = 2 }, BidId.ToString());
        Assert.Equal((ErrorCodes.BidAlreadyExists, "offerNumber"), (refused.Code, refused.Field));
        Assert.Contains("as offer 2 on STENT", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_amendment_cannot_move_a_bid_to_another_offer_number()
    {
        var command = Command(BidAction.Amended) with { Content = Bid() with { ProductId = "ATV", OfferNumber = 2 } };
        var moved = BidLifecycle.Refusal(command, Active);
        Assert.Equal((ErrorCodes.InvalidField, "offerNumber"), (moved.Code, moved.Field));
        Assert.Equal(ErrorCodes.InvalidTransition, BidLifecycle.Refusal(Command(BidAction.Amended), Active with { OfferNumber = 1 }).Code);
    }

    [Theory]
    [InlineData(BidAction.Amended)]
    [InlineData(BidAction.Withdrawn)]
    public void An_amendment_or_withdrawal_that_found_no_active_bid_says_why(BidAction action)
    {
        Assert.Equal(ErrorCodes.BidNotFound, BidLifecycle.Refusal(Command(action), null).Code);
        Assert.Equal(ErrorCodes.BidNotFound, BidLifecycle.Refusal(Command(action, manufacturerId: "MAKER-2"), Active).Code);
        Assert.Equal(ErrorCodes.BidNotFound, BidLifecycle.Refusal(Command(action, batchId: "BATCH-OTHER"), Active).Code);
        Assert.Equal(ErrorCodes.BidWithdrawn, BidLifecycle.Refusal(Command(action), Active with { Status = BidStatus.Withdrawn }).Code);

        var moved = BidLifecycle.Refusal(Command(action, productId: "AML"), Active);
        Assert.Equal((ErrorCodes.InvalidField, "productId"), (moved.Code, moved.Field));
        // The bid as it stands is active and matches: another change came first.
        Assert.Equal(ErrorCodes.InvalidTransition, BidLifecycle.Refusal(Command(action), Active).Code);
    }
}
