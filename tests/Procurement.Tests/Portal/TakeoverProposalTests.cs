using Procurement.BidPortal.Pages.Alliance;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The supply-risk alert's one action takes over every agreement it names; the page checks them all
/// before moving any, as the takeover itself would refuse them, so an alert naming one agreement
/// already taken over (or without a spare supplier) moves none of them.
/// </summary>
public sealed class TakeoverProposalTests
{
    private static Agreement Agreement(AgreementState state, Guid? spare) => new(
        Guid.NewGuid(), "B-1", "ATORVASTATIN-TAB", "BJ", "M-HUAHAI", Guid.NewGuid(), spare, spare is null ? null : "M-QILU", 10_000, 0.40m, 4_000m,
        new DateOnly(2027, 1, 1), new DateOnly(2029, 1, 1), state, 1, null, null, 3);

    [Theory]
    [InlineData(AgreementState.Active)]
    [InlineData(AgreementState.Expiring)]
    [InlineData(AgreementState.Suspended)]
    public void A_running_agreement_with_a_spare_may_be_taken_over(AgreementState state) =>
        PurchasingModel.MayTakeOver(Agreement(state, Guid.NewGuid()));

    [Theory]
    [InlineData(AgreementState.TakenOver, ErrorCodes.InvalidTransition)]
    [InlineData(AgreementState.Expired, ErrorCodes.InvalidTransition)]
    [InlineData(AgreementState.Terminated, ErrorCodes.InvalidTransition)]
    public void An_agreement_no_longer_running_is_refused_before_any_is_moved(AgreementState state, string code)
    {
        var refused = Assert.Throws<ProcurementException>(() => PurchasingModel.MayTakeOver(Agreement(state, Guid.NewGuid())));
        Assert.Equal((code, "agreementIds"), (refused.Code, refused.Field));
    }

    [Fact]
    public void An_agreement_without_a_spare_supplier_is_refused_before_any_is_moved()
    {
        var refused = Assert.Throws<ProcurementException>(() => PurchasingModel.MayTakeOver(Agreement(AgreementState.Active, null)));
        Assert.Equal((ErrorCodes.NoSpareSupplier, "agreementIds"), (refused.Code, refused.Field));
    }
}
