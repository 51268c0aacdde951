using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements;
using Procurement.Grains.Agreements.Domain;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>Who is told what, in which words.</summary>
public sealed class NoticesTests
{
    private static readonly int Start = Months.Of(new DateOnly(2027, 1, 1));

    private static readonly Guid A1 = Guid.Parse("00000000-0000-0000-0000-000000000001");

    private static readonly Guid A2 = Guid.Parse("00000000-0000-0000-0000-000000000002");

    private static readonly Guid A3 = Guid.Parse("00000000-0000-0000-0000-000000000003");

    [Fact]
    public void Agreements_created_tell_the_alliance_and_each_supplier_its_products()
    {
        var notices = Notices.AgreementsCreated("B1", "ALLIANCE", Start, 24, [("M1", "ATV"), ("M2", "ATV"), ("M1", "AML"), ("M1", "ATV")]);
        Assert.Equal(
        [
            new Notice("alliance", "ALLIANCE", null, "AgreementsCreated", "4 agreement(s) of batch B1 run from 2027-01 to 2028-12."),
            new Notice("manufacturer", "M1", null, "AgreementsCreated", "You hold 3 agreement(s) of batch B1 (AML, ATV), from 2027-01."),
            new Notice("manufacturer", "M2", null, "AgreementsCreated", "You hold 1 agreement(s) of batch B1 (ATV), from 2027-01."),
        ], notices);
    }

    [Fact]
    public void The_clock_tells_once_per_kind_naming_the_agreement_when_a_supplier_has_one()
    {
        ClockChange Change(Guid id, string maker, string product, params string[] events) =>
            new(new ClockedAgreement(id.ToString(), maker, product, Start + 24, AgreementState.Active, 0), AgreementState.Expiring, events.Length, events);
        var notices = Notices.Clock("B1", "ALLIANCE",
        [
            Change(A1, "M1", "ATV", "ExpiryNotice180Days", "ExpiryNotice90Days"),
            Change(A2, "M1", "AML", "ExpiryNotice180Days"),
            Change(A3, "M2", "ATV", "ExpiryNotice180Days"),
        ]);
        Assert.Equal(
        [
            new Notice("alliance", "ALLIANCE", null, "ExpiryNotice180Days", "3 agreement(s) of batch B1 expire on 2028-12-31 (180 days' notice)."),
            new Notice("manufacturer", "M1", null, "ExpiryNotice180Days", "2 of your agreement(s) of batch B1 (AML, ATV) expire on 2028-12-31 (180 days' notice)."),
            new Notice("manufacturer", "M2", A3, "ExpiryNotice180Days", "1 of your agreement(s) of batch B1 (ATV) expire on 2028-12-31 (180 days' notice)."),
            new Notice("alliance", "ALLIANCE", null, "ExpiryNotice90Days", "1 agreement(s) of batch B1 expire on 2028-12-31 (90 days' notice)."),
            new Notice("manufacturer", "M1", A1, "ExpiryNotice90Days", "1 of your agreement(s) of batch B1 (ATV) expire on 2028-12-31 (90 days' notice)."),
        ], notices);

        var expired = Notices.Clock("B1", "ALLIANCE", [Change(A1, "M1", "ATV", "AgreementExpired")]);
        Assert.Equal(["1 agreement(s) of batch B1 expired on 2028-12-31.", "1 of your agreement(s) of batch B1 (ATV) expired on 2028-12-31."], expired.Select(n => n.Message));
    }

    [Fact]
    public void A_state_change_tells_the_alliance_and_the_supplier()
    {
        var notices = Notices.StateChanged("ALLIANCE", A1, "M1", "ATV", "R1", new StateChange(AgreementState.Expiring, Start + 24, "AgreementResumed"), "Recall closed");
        Assert.Equal(
        [
            new Notice("alliance", "ALLIANCE", A1, "AgreementResumed", $"Agreement {A1} (ATV, R1) is now Expiring: Recall closed"),
            new Notice("manufacturer", "M1", A1, "AgreementResumed", $"Agreement {A1} (ATV, R1) is now Expiring: Recall closed"),
        ], notices);
    }

    [Fact]
    public void A_supply_failure_tells_the_alliance_both_suppliers_and_every_hospital()
    {
        var successor = new Successor("M2", "BID-2", 440_000, 70_000, 0, Start + 2, Start + 24, Start, AgreementState.Active, 0, 2, "",
            [new SuccessorPart("H1", 1, 0, 0, 0), new SuccessorPart("H2", 1, 0, 0, 0)]);
        var notices = Notices.SupplyFailure("ALLIANCE", A1, "M1", "ATV", "R1", A2, successor, "Plant stopped.");
        var message = $"Supply failure on agreement {A1} (ATV, R1): M2 supplies from 2027-03 under agreement {A2}. Plant stopped.";
        Assert.Equal(
        [
            new Notice("alliance", "ALLIANCE", A1, "SupplyFailureRecorded", message),
            new Notice("manufacturer", "M1", A1, "SupplyFailureRecorded", message),
            new Notice("manufacturer", "M2", A2, "AgreementTakenOver", message),
            new Notice("hospital", "H1", A2, "SupplierChanged", message),
            new Notice("hospital", "H2", A2, "SupplierChanged", message),
        ], notices);
    }
}
