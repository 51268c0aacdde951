using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Xunit;
using static Procurement.Tests.Domain.BatchTestData;

namespace Procurement.Tests.Domain;

/// <summary>What a renewal round continues and puts up again, and from which batch it starts.</summary>
public sealed class RenewalTests
{
    private static Agreement Agreement(string product, string region, AgreementState state, int version, decimal price, string maker = "MAKER-1") =>
        new(Guid.NewGuid(), BatchId, product, region, maker, Guid.NewGuid(), null, null, 1000, price, price * 1000,
            new DateOnly(2026, 1, 1), new DateOnly(2028, 1, 1), state, version, null, null, 3);

    [Fact]
    public void A_renewal_continues_the_newest_running_version_in_each_product_and_region()
    {
        var superseded = Agreement("ATV", "GD", AgreementState.TakenOver, 1, 0.9m);
        var successor = Agreement("ATV", "GD", AgreementState.Expiring, 2, 0.95m, "MAKER-2");
        var gx = Agreement("ATV", "GX", AgreementState.Suspended, 1, 0.8m);
        var terminated = Agreement("AML", "GD", AgreementState.Terminated, 1, 0.5m);

        var continued = Renewal.Continued([superseded, successor, gx, terminated]);

        Assert.Equal([successor, gx], continued.OrderBy(a => a.RegionCode, StringComparer.Ordinal));
    }

    [Fact]
    public void A_continued_product_is_put_up_again_at_the_highest_price_now_paid_for_it()
    {
        var definition = Definition with { Products = [new BatchProduct("ATV", 1m), new BatchProduct("AML", 2m)] };
        var request = new RenewalRequest("BATCH-R", "Batch T renewal", BatchWindows with { PublicityDays = 5 }, 12);
        var continued = new[] { Agreement("ATV", "GD", AgreementState.Expiring, 1, 0.95m), Agreement("ATV", "GX", AgreementState.Active, 1, 0.8m) };

        var renewal = Renewal.Definition(definition, request, continued, null);

        Assert.Equal([new BatchProduct("ATV", 0.95m)], renewal.Products);
        Assert.Equal(("Batch T renewal", 12, 5), (renewal.Name, renewal.AgreementMonths, renewal.Windows.PublicityDays));
        Assert.Equal((definition.AllianceId, definition.RegionCodes, definition.HospitalIds), (renewal.AllianceId, renewal.RegionCodes, renewal.HospitalIds));
    }

    [Fact]
    public void A_renewal_starts_from_an_awarded_batch_with_an_expiring_agreement_under_an_id_of_its_own()
    {
        var expiring = new[] { Agreement("ATV", "GD", AgreementState.Expiring, 1, 1m) };
        Renewal.RequireRenewable(BatchId, "BATCH-R", TenderBatchPhase.Awarded, expiring);

        Assert.Equal(ErrorCodes.InvalidField, Assert.Throws<ProcurementException>(() => Renewal.RequireRenewable(BatchId, BatchId, TenderBatchPhase.Awarded, expiring)).Code);
        Assert.Equal(ErrorCodes.NotExpiring, Assert.Throws<ProcurementException>(() =>
            Renewal.RequireRenewable(BatchId, "BATCH-R", TenderBatchPhase.Awarded, [Agreement("ATV", "GD", AgreementState.Active, 1, 1m)])).Code);
        Assert.Equal(ErrorCodes.NotExpiring, Assert.Throws<ProcurementException>(() => Renewal.RequireRenewable(BatchId, "BATCH-R", TenderBatchPhase.Publicity, expiring)).Code);
    }
}
