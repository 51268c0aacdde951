using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Xunit;
using static Procurement.Tests.Domain.BatchTestData;

namespace Procurement.Tests.Domain;

/// <summary>Objections during publicity: the window to the millisecond, one open objection per bidder, answered once, all answered before the award is final.</summary>
public sealed class ObjectionsTests
{
    private static readonly DateTimeOffset Ends = new(2027, 5, 8, 9, 30, 0, TimeSpan.FromHours(8));

    private static Objection Filed(string manufacturerId, string? answer = null, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), BatchId, manufacturerId, "The allocation of GX is wrong.", Ends.AddDays(-3), answer, answer is null ? null : Ends.AddDays(-2));

    private static string Code(Action action) => Assert.Throws<ProcurementException>(action).Code;

    [Fact]
    public void An_objection_is_open_until_answered()
    {
        Assert.Equal(ObjectionState.Open, Objections.StateOf(Filed("MAKER-1")));
        Assert.Equal(ObjectionState.Answered, Objections.StateOf(Filed("MAKER-1", "Checked: GX is right.")));
    }

    [Fact]
    public void Objections_are_filed_in_publicity_up_to_and_including_its_last_instant()
    {
        Objections.RequireFilingOpen(BatchId, TenderBatchPhase.Publicity, Ends, Ends.AddDays(-7));
        Objections.RequireFilingOpen(BatchId, TenderBatchPhase.Publicity, Ends, Ends);

        var late = Assert.Throws<ProcurementException>(() => Objections.RequireFilingOpen(BatchId, TenderBatchPhase.Publicity, Ends, Ends + Millisecond));
        Assert.Equal((ErrorCodes.NotInPublicity, $"Batch {BatchId} is not in its publicity period; objections are not accepted."), (late.Code, late.Message));
        Assert.All(Enum.GetValues<TenderBatchPhase>().Where(p => p != TenderBatchPhase.Publicity),
            p => Assert.Equal(ErrorCodes.NotInPublicity, Code(() => Objections.RequireFilingOpen(BatchId, p, Ends, Ends.AddDays(-1)))));
    }

    [Fact]
    public void At_the_last_instant_of_publicity_an_objection_is_still_filed_and_the_award_already_finalised()
    {
        Objections.RequireFilingOpen(BatchId, TenderBatchPhase.Publicity, Ends, Ends);
        BatchLifecycle.RequireFinalisable(BatchId, TenderBatchPhase.Publicity, Ends, Ends);
    }

    [Fact]
    public void A_bidder_has_one_open_objection_at_a_time()
    {
        Objections.RequireNoneOpen(BatchId, "MAKER-1", []);
        Objections.RequireNoneOpen(BatchId, "MAKER-1", [Filed("MAKER-1", "Answered."), Filed("MAKER-2")]);

        var refused = Assert.Throws<ProcurementException>(() => Objections.RequireNoneOpen(BatchId, "MAKER-1", [Filed("MAKER-1", "Answered."), Filed("MAKER-1")]));
        Assert.Equal((ErrorCodes.ObjectionAlreadyOpen, "text"), (refused.Code, refused.Field));
    }

    [Fact]
    public void The_alliance_answers_in_publicity_each_objection_once()
    {
        var open = Filed("MAKER-1");
        var answered = Filed("MAKER-2", "Answered.");
        Objections.RequireAnswering(BatchId, TenderBatchPhase.Publicity);
        Objections.RequireAnswerable(BatchId, open.ObjectionId, [open, answered]);

        Assert.Equal(ErrorCodes.NotInPublicity, Code(() => Objections.RequireAnswering(BatchId, TenderBatchPhase.Awarded)));
        Assert.Equal(ErrorCodes.ObjectionNotFound, Code(() => Objections.RequireAnswerable(BatchId, answered.ObjectionId, [open, answered])));
        Assert.Equal(ErrorCodes.ObjectionNotFound, Code(() => Objections.RequireAnswerable(BatchId, Guid.NewGuid(), [open, answered])));
    }

    [Fact]
    public void The_award_becomes_final_only_when_no_objection_is_open()
    {
        Objections.RequireAllAnswered(BatchId, []);
        Objections.RequireAllAnswered(BatchId, [Filed("MAKER-1", "Answered.")]);

        var refused = Assert.Throws<ProcurementException>(() => Objections.RequireAllAnswered(BatchId, [Filed("MAKER-1"), Filed("MAKER-2"), Filed("MAKER-3", "Answered.")]));
        Assert.Equal((ErrorCodes.ObjectionsUnanswered, $"2 objection(s) to batch {BatchId} are unanswered; answer them before finalising."), (refused.Code, refused.Message));
    }
}
