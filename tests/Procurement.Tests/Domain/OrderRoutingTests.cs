using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Orders.Domain;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>Order routing and the order state machines, with no database.</summary>
public sealed class OrderRoutingTests
{
    private const int Month = 2027 * 12;

    private static OrderableAgreement Agreement(string id, string product, string maker, long annual, AgreementState state = AgreementState.Active) =>
        new(new HospitalAgreement
        {
            AgreementId = id,
            BatchId = "B",
            ProductId = product,
            ManufacturerId = maker,
            StartMonth = Month,
            EndMonth = Month + 24,
            AnchorMonth = Month,
            PeriodEndMonth = Month + 24,
            State = (int)state,
            AnnualVolume = annual,
        }, "A", 400_000);

    private static OrderLineRequest Line(string product, long quantity, string? maker = null, string? reason = null) =>
        new(product, quantity, "Pharmacy", OrderUrgency.Normal, maker, reason);

    [Fact]
    public void Over_random_order_sequences_the_draw_down_never_exceeds_the_agreed_volume_without_the_surplus_mark()
    {
        var random = new Random(20261203);
        for (var round = 0; round < 500; round++)
        {
            var annual = random.NextInt64(0, 5_000);
            var agreements = new[] { Agreement("AG", "P", "M", annual) };
            var drawn = new Dictionary<(string, int), long>();
            var total = 0L;
            var surplus = 0L;
            // Orders one after another, each routed against what the earlier ones drew, as the hospital's grain does.
            for (var order = 0; order < random.Next(1, 8); order++)
            {
                var routing = new OrderRouting(Month + random.Next(0, 12), agreements, [], drawn);
                foreach (var quantity in Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.NextInt64(1, 2_000)))
                {
                    var routed = routing.Route(Line("P", quantity), "lines[0]");
                    Assert.Equal(OrderLineKind.Agreed, routed.Kind);
                    Assert.InRange(routed.SurplusUnits, 0, quantity);
                    total += quantity;
                    surplus += routed.SurplusUnits;
                    drawn[("AG", routed.YearStart!.Value)] = drawn.GetValueOrDefault(("AG", routed.YearStart!.Value)) + quantity - routed.SurplusUnits;
                    // Unmarked units never exceed the agreed volume, and nothing is marked surplus while agreed volume remains.
                    Assert.True(total - surplus <= annual, $"round {round}: {total - surplus} drawn of {annual}");
                    Assert.True(surplus == 0 || total - surplus == annual, $"round {round}: surplus marked with {annual - (total - surplus)} still agreed");
                }
            }
        }
    }

    [Fact]
    public void A_suspended_agreement_is_not_ordered_under_and_a_product_is_then_bought_only_at_a_listed_price()
    {
        var suspended = new[] { Agreement("AG", "P", "M", 100, AgreementState.Suspended) };
        var routing = new OrderRouting(Month, suspended, [], new Dictionary<(string, int), long>());
        Assert.Equal(ErrorCodes.ProductNotOrderable, Assert.Throws<ProcurementException>(() => routing.Route(Line("P", 1), "lines[0]")).Code);

        var listed = new OrderRouting(Month, suspended, [new ListedOffer("A", "P", "M2", 500_000), new ListedOffer("B", "P", "M3", 450_000)], new Dictionary<(string, int), long>());
        var refused = Assert.Throws<ProcurementException>(() => listed.Route(Line("P", 1), "lines[0]"));
        Assert.Equal((ErrorCodes.ManufacturerRequired, "lines[0].manufacturerId"), (refused.Code, refused.Field));
        var routed = listed.Route(Line("P", 1, "M3"), "lines[0]");
        Assert.Equal((OrderLineKind.Listed, "M3", 450_000L, "B"), (routed.Kind, routed.ManufacturerId, routed.UnitPriceE6, routed.AllianceId));
    }

    // A product of a molecule whose selected product the hospital may order is a non-selected
    // substitute: a reason, and counted apart; with the selected product not open (suspended), or
    // of another molecule, it is an ordinary listed line.
    [Fact]
    public void Another_product_of_a_selected_molecule_is_a_substitute_that_needs_a_reason()
    {
        var selected = Agreement("AG", "ATV-20", "M", 100) with { Molecule = "Atorvastatin" };
        var listed = new[] { new ListedOffer("A", "ATV-10", "M2", 300_000, "Atorvastatin"), new ListedOffer("A", "MET-500", "M3", 100_000, "Metformin") };
        var routing = new OrderRouting(Month, [selected], listed, new Dictionary<(string, int), long>());
        var refused = Assert.Throws<ProcurementException>(() => routing.Route(Line("ATV-10", 10), "lines[1]"));
        Assert.Equal((ErrorCodes.SubstituteReasonRequired, "lines[1].substituteReason"), (refused.Code, refused.Field));
        var substitute = routing.Route(Line("ATV-10", 10, reason: "pediatric strength"), "lines[1]");
        Assert.Equal((OrderLineKind.Substitute, "M2", 300_000L, (string?)null), (substitute.Kind, substitute.ManufacturerId, substitute.UnitPriceE6, substitute.AgreementId));
        Assert.Equal(OrderLineKind.Listed, routing.Route(Line("MET-500", 10), "lines[2]").Kind);

        var suspended = new OrderRouting(Month, [selected with { Part = selected.Part with { State = (int)AgreementState.Suspended } }], listed, new Dictionary<(string, int), long>());
        Assert.Equal(OrderLineKind.Listed, suspended.Route(Line("ATV-10", 10), "lines[1]").Kind);
    }

    // The clock tells a hospital once per tick, naming its overdue invoices: twenty, and how many more.
    [Fact]
    public void An_overdue_notice_names_twenty_invoices_and_counts_the_rest()
    {
        Assert.Equal("INV-1", OrderNotices.OverdueMessage(["INV-1"]));
        Assert.Equal("INV-1, INV-2", OrderNotices.OverdueMessage(["INV-1", "INV-2"]));
        var many = Enumerable.Range(1, 23).Select(i => $"INV-{i}").ToList();
        Assert.Equal(string.Join(", ", many.Take(20)) + " (+3)", OrderNotices.OverdueMessage(many));
    }

    [Fact]
    public void Moves_go_forward_only()
    {
        Assert.True(OrderMoves.Allowed(OrderLineState.Placed, OrderLineState.Confirmed));
        Assert.False(OrderMoves.Allowed(OrderLineState.Confirmed, OrderLineState.Placed));
        Assert.False(OrderMoves.Allowed(OrderLineState.Refused, OrderLineState.Confirmed));
        Assert.False(OrderMoves.Allowed(OrderLineState.Fulfilled, OrderLineState.Confirmed));
        Assert.False(OrderMoves.Allowed(DeliveryState.Accepted, DeliveryState.Rejected));
        Assert.False(OrderMoves.Allowed(DeliveryState.Rejected, DeliveryState.Accepted));
        Assert.False(OrderMoves.Allowed(InvoiceState.Paid, InvoiceState.Overdue));
        Assert.False(OrderMoves.Allowed(InvoiceState.Void, InvoiceState.Payable));
        Assert.False(OrderMoves.Allowed(InvoiceState.Issued, InvoiceState.Paid));
    }

    [Theory]
    // Wednesday 10:00 in Beijing: three working days on is Monday 10:00.
    [InlineData("2027-01-06T02:00:00Z", "2027-01-11T02:00:00Z")]
    // Friday 23:30: Monday, Tuesday, Wednesday 23:30.
    [InlineData("2027-01-08T15:30:00Z", "2027-01-13T15:30:00Z")]
    // Saturday 09:00: counted from Monday's midnight, so Thursday 00:00.
    [InlineData("2027-01-09T01:00:00Z", "2027-01-13T16:00:00Z")]
    public void The_acceptance_window_counts_working_days_in_the_business_zone(string shipped, string due)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture),
            WorkingDays.Add(DateTimeOffset.Parse(shipped, System.Globalization.CultureInfo.InvariantCulture), 3, zone));
    }
}
