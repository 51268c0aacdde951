using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;

namespace Procurement.Benchmarks;

/// <summary>
/// A month of a national round bought on the platform, written straight into the tables as the
/// order grains leave them: each hospital one order in March 2027 of one line per product against
/// its agreement, answered, shipped, accepted, invoiced and paid; the platform purchases and the
/// kept completion those acceptances make; a tenth of the hospitals declaring a little bought off
/// the platform; and the next round's volume reports to hold against it. The business clock stands
/// at <see cref="Now"/>, so the supply-risk window (the last 7 days) holds the lines due at the end
/// of March, where one supplier in one region fell behind.
/// </summary>
internal static class OrderMonth
{
    public const string AllianceId = "ALLIANCE";

    public const string NextBatchId = "BENCH-NEXT";

    public static readonly DateTimeOffset Now = new(2027, 4, 6, 2, 0, 0, TimeSpan.Zero);

    public static readonly int Month = Months.Parse("2027-03", "month");

    private static readonly int YearStart = Months.Parse("2027-01", "month");

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private const long PriceE6 = 400_000;

    private const long OffPlatformPriceE6 = 450_000;

    private const int Regions = 31;

    /// <summary>One hospital's line for one product (indexes from 0).</summary>
    public readonly record struct Line(int Hospital, int Product);

    private static string HospitalId(int h) => $"H{h + 1:000000}";

    private static string Region(int h) => $"R{h % Regions + 1:00}";

    private static string ProductId(int p) => $"P{p + 1:000}";

    private static string OrderId(int h) => new Guid(h, 3, 2027, new byte[8]).ToString();

    private static string EntityId(Line l, short kind) => new Guid(l.Hospital, (short)l.Product, kind, new byte[8]).ToString();

    private static string AgreementId(Line l) => UsageBenchmark.AgreementId(ProductId(l.Product), Region(l.Hospital));

    /// <summary>Hospitals order on every day of March, spread evenly.</summary>
    private static DateTimeOffset PlacedAt(int h) => new DateTimeOffset(2027, 3, 1, 2, 0, 0, TimeSpan.Zero).AddDays(h / Regions % 31);

    private static long Quantity(Line l) => 800 + (l.Hospital + l.Product) % 400;

    private static long ResponseSeconds(Line l) => 300 + (l.Hospital * 7 + l.Product * 13) % 96 * 900;

    private static DateTimeOffset DeliverBy(Line l) => PlacedAt(l.Hospital).AddHours(72);

    /// <summary>The first product's supplier in the first region stopped shipping for the lines due in the last days of March.</summary>
    private static bool Behind(Line l) => l.Product == 0 && l.Hospital % Regions == 0 && DeliverBy(l) >= Now.AddDays(-7);

    private static bool ShippedLate(Line l) => (l.Hospital + 3 * l.Product) % 41 == 0;

    private static DateTimeOffset ShippedAt(Line l) =>
        ShippedLate(l) ? DeliverBy(l).AddHours(12) : PlacedAt(l.Hospital).AddSeconds(ResponseSeconds(l)).AddHours(24);

    private static DateTimeOffset DecidedAt(Line l) => ShippedAt(l).AddHours(20);

    private static DateTimeOffset DueAt(Line l) => DecidedAt(l).AddDays(30);

    /// <summary>Most pay within days; a quarter of the hospitals that ordered on March 1-2 paid half a day after the due date.</summary>
    private static DateTimeOffset PaidAt(Line l)
    {
        if (l.Hospital % 4 == 0 && PlacedAt(l.Hospital).Day <= 2)
        {
            return DueAt(l).AddHours(12);
        }
        var paid = DecidedAt(l).AddDays(3 + l.Hospital % 20);
        return paid < Now.AddHours(-1) ? paid : Now.AddHours(-1);
    }

    private static bool Declares(int h) => h % 10 == 0;

    public static async Task SeedAsync(ProcurementStore store, int hospitals, int products, Action<string> report)
    {
        await store.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("INSERT INTO alliance_regions (alliance_id, region_code) VALUES (@AllianceId, @Code)",
                Enumerable.Range(0, Regions).Select(r => new { AllianceId, Code = Region(r) }), t);
            await c.ExecuteAsync("""
                INSERT INTO tender_batches (batch_id, alliance_id, name, phase, rule_set_name, rule_set_parameters, pack_factor_e6, strength_factor_e6,
                                            reporting_closes_at, bidding_deadline_at, opening_at, publicity_days, agreement_months, opened_at, updated_at)
                VALUES (@NextBatchId, @AllianceId, 'Next round', 1, 'round11', '{}', 1950000, 1770000, @At, @At, @At, 7, 24, NULL, @At)
                """, new { NextBatchId, AllianceId, At = Now }, t);
        });
        var step = 2_000;
        for (var from = 0; from < hospitals; from += step)
        {
            var chunk = Enumerable.Range(from, Math.Min(step, hospitals - from)).ToList();
            var lines = chunk.SelectMany(h => Enumerable.Range(0, products).Select(p => new Line(h, p))).ToList();
            var shipped = lines.Where(l => !Behind(l)).ToList();
            await Orders.LoadAsync(store, chunk);
            await OrderLines.LoadAsync(store, lines);
            await Deliveries.LoadAsync(store, shipped);
            await Invoices.LoadAsync(store, shipped);
            await Payments.LoadAsync(store, shipped);
            await Purchases.LoadAsync(store, shipped);
            await Declarations.LoadAsync(store, lines.Where(l => Declares(l.Hospital) && l.Product < 5));
            await Reports.LoadAsync(store, lines);
            if ((from / step) % 5 == 4 || from + step >= hospitals)
            {
                report($"{Math.Min(from + step, hospitals):N0} hospitals' month written");
            }
        }
    }

    private static readonly BulkRows<int> Orders = new(
        "orders",
        ("order_id", h => OrderId(h)),
        ("hospital_id", h => HospitalId(h)),
        ("request_id", h => $"bench-{h}"),
        ("placed_at", h => PlacedAt(h)),
        ("placed_by", h => HospitalId(h)));

    private static readonly BulkRows<Line> OrderLines = new(
        "order_lines",
        ("order_id", l => OrderId(l.Hospital)),
        ("line_no", l => l.Product + 1),
        ("hospital_id", l => HospitalId(l.Hospital)),
        ("region_code", l => Region(l.Hospital)),
        ("product_id", l => ProductId(l.Product)),
        ("manufacturer_id", l => UsageBenchmark.Maker(l.Product)),
        ("kind", _ => (int)OrderLineKind.Agreed),
        ("agreement_id", l => AgreementId(l)),
        ("year_start", _ => YearStart),
        ("alliance_id", _ => AllianceId),
        ("quantity", l => Quantity(l)),
        ("surplus_units", _ => 0L),
        ("unit_price_e6", _ => PriceE6),
        ("delivery_point", _ => "Pharmacy"),
        ("urgency", _ => (int)OrderUrgency.Normal),
        ("substitute_reason", _ => null),
        ("state", l => (int)(Behind(l) ? OrderLineState.Confirmed : OrderLineState.Fulfilled)),
        ("placed_at", l => PlacedAt(l.Hospital)),
        ("respond_by", l => PlacedAt(l.Hospital).AddHours(24)),
        ("deliver_by", l => DeliverBy(l)),
        ("month", _ => Month),
        ("response_seconds", l => ResponseSeconds(l)),
        ("delivered_on_time", l => Behind(l) ? null : ShippedLate(l) ? 0 : 1),
        ("responded_at", l => PlacedAt(l.Hospital).AddSeconds(ResponseSeconds(l))),
        ("refusal_reason", _ => null),
        ("shipped_units", l => Behind(l) ? 0L : Quantity(l)),
        ("accepted_units", l => Behind(l) ? 0L : Quantity(l)));

    private static readonly BulkRows<Line> Deliveries = new(
        "deliveries",
        ("delivery_id", l => EntityId(l, 1)),
        ("order_id", l => OrderId(l.Hospital)),
        ("line_no", l => l.Product + 1),
        ("hospital_id", l => HospitalId(l.Hospital)),
        ("manufacturer_id", l => UsageBenchmark.Maker(l.Product)),
        ("shipped_by", l => UsageBenchmark.Maker(l.Product)),
        ("lot_number", l => $"L{l.Product:000}-2703"),
        ("expiry_date", _ => 20290131),
        ("quantity", l => Quantity(l)),
        ("unit_price_e6", _ => PriceE6),
        ("shipped_at", l => ShippedAt(l)),
        ("accept_by", l => ShippedAt(l).AddDays(5)),
        ("state", _ => (int)DeliveryState.Accepted),
        ("accepted_units", l => Quantity(l)),
        ("decided_at", l => DecidedAt(l)),
        ("rejection", _ => null),
        ("note", _ => null),
        ("deemed", _ => 0));

    /// <summary>With its line's month, as the write path is to set it (migration 0017).</summary>
    private static readonly BulkRows<Line> Invoices = new(
        "invoices",
        ("invoice_id", l => EntityId(l, 2)),
        ("delivery_id", l => EntityId(l, 1)),
        ("hospital_id", l => HospitalId(l.Hospital)),
        ("manufacturer_id", l => UsageBenchmark.Maker(l.Product)),
        ("alliance_id", _ => AllianceId),
        ("invoice_number", l => $"INV-{l.Hospital}-{l.Product}"),
        ("amount_e6", l => Quantity(l) * PriceE6),
        ("issued_at", l => ShippedAt(l).AddHours(1)),
        ("state", _ => (int)InvoiceState.Paid),
        ("due_at", l => DueAt(l)),
        ("paid_at", l => PaidAt(l)),
        ("month", _ => Month));

    /// <summary>The insurance fund settles directly in the last region. With the invoice's alliance and month, as the write path is to set them (migration 0017).</summary>
    private static readonly BulkRows<Line> Payments = new(
        "payments",
        ("payment_id", l => EntityId(l, 3)),
        ("invoice_id", l => EntityId(l, 2)),
        ("hospital_id", l => HospitalId(l.Hospital)),
        ("payer", l => (int)(l.Hospital % Regions == Regions - 1 ? Payer.InsuranceFund : Payer.Hospital)),
        ("amount_e6", l => Quantity(l) * PriceE6),
        ("from_prepayment_e6", _ => 0L),
        ("paid_at", l => PaidAt(l)),
        ("payable_seconds", l => (long)(PaidAt(l) - DecidedAt(l)).TotalSeconds),
        ("reference", l => $"PAY-{l.Hospital}-{l.Product}"),
        ("on_time", l => PaidAt(l) <= DueAt(l) ? 1 : 0),
        ("alliance_id", _ => AllianceId),
        ("month", _ => Month));

    /// <summary>What each acceptance adds (one line per agreement and hospital, so one row each), by the business month of acceptance.</summary>
    private static readonly BulkRows<Line> Purchases = new(
        "platform_purchases",
        ("agreement_id", l => AgreementId(l)),
        ("hospital_id", l => HospitalId(l.Hospital)),
        ("month", l => Months.Of(DecidedAt(l), Zone)),
        ("classification", _ => (int)UsageClassification.Agreed),
        ("units", l => Quantity(l)),
        ("amount_e6", l => Quantity(l) * PriceE6));

    private static readonly BulkRows<Line> Declarations = new(
        "usage_lines",
        ("hospital_id", l => HospitalId(l.Hospital)),
        ("month", _ => Month),
        ("product_id", l => ProductId(l.Product)),
        ("manufacturer_id", l => UsageBenchmark.Maker(l.Product)),
        ("units", l => 40L + l.Hospital % 30),
        ("amount_e6", l => (40L + l.Hospital % 30) * OffPlatformPriceE6),
        ("classification", _ => (int)UsageClassification.Agreed),
        ("agreement_id", l => AgreementId(l)),
        ("revision", _ => 1),
        ("reported_at", _ => Now));

    /// <summary>The next round's reports: what each hospital bought, but one in fifty reporting half of it.</summary>
    private static readonly BulkRows<Line> Reports = new(
        "volume_reports",
        ("batch_id", _ => NextBatchId),
        ("hospital_id", l => HospitalId(l.Hospital)),
        ("product_id", l => ProductId(l.Product)),
        ("annual_volume", l => (Behind(l) ? 0 : Quantity(l)) / (l.Hospital % 50 == 7 ? 2 : 1) + (Declares(l.Hospital) && l.Product < 5 ? 40L + l.Hospital % 30 : 0)),
        ("preferred_manufacturer_id", _ => null),
        ("below_history_reason", _ => null),
        ("revision", _ => 1),
        ("reported_at", _ => Now));
}
