using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Awards;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Consumables;
using Procurement.Tests.Infrastructure;
using Procurement.Tests.Security;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Sealed bids on a consumables batch through the grains, on each database: submitted, amended,
/// withdrawn and refused after the deadline; every refusal at the edge with its code and nothing
/// written; before the opening no table, event, SQLite file or log line holds a price, a component
/// price, the certificate or the model; after it the bids read back exactly and map to the award input.
/// </summary>
public abstract class ConsumableBidTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";
    private const string StentCode = "C02010300412345067890123456";
    private const string OrthopaedicCode = "C03010300412345067890123456";

    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private ProcurementStore Store => fixture.Cluster.Database;

    private static ConsumableTerms Terms() => new(
        [
            new ConsumableLot(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
            new ConsumableLot(Hip, "Ceramic-on-ceramic hip", "C03", 35_000.5m, ConsumablePurchaseUnit.System,
            [
                new ConsumableLotComponent("stem", "Femoral stem", 12_000m),
                new ConsumableLotComponent("cup", "Acetabular cup", null),
                new ConsumableLotComponent("liner", "Liner", 4_000.1234m),
                new ConsumableLotComponent("head", "Femoral head", null),
            ]),
        ],
        "joints2021",
        new Dictionary<string, string>());

    /// <summary>A consumables batch (no drug products: configuration refuses them beside categories), in Bidding, with intentions from both hospitals and every maker qualified for both categories.</summary>
    private static async Task OpenConsumablesBiddingAsync(Scenario s)
    {
        await s.RegisterAsync();
        var definition = s.Definition();
        await s.Batch.ConfigureAsync(definition with { Products = [], Consumables = Terms() });
        await s.Batch.OpenVolumeReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId,
        [
            new ConsumableIntentionLine(Stent, s.Maker1, "INTENDED-CERT-1", "INTENDED-MODEL-1", null, 500, [s.Maker2], null),
            new ConsumableIntentionLine(Hip, s.Maker2, "INTENDED-CERT-2", "INTENDED-MODEL-2", null, 40, [], null),
        ]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId,
            [new ConsumableIntentionLine(Stent, s.Maker2, "INTENDED-CERT-3", "INTENDED-MODEL-3", null, 300, [], null)]);
        await s.Batch.CloseVolumeReportingAsync();
        await s.Batch.OpenBiddingAsync();
        foreach (var maker in new[] { s.Maker1, s.Maker2, s.Maker3 })
        {
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(Stent, true, 0, false, null));
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(Hip, maker != s.Maker3, 0, false, null));
        }
    }

    private static BidContent StentBid(Scenario s, decimal price, string certificate, string model, string? code = StentCode, long capacity = 90_000) =>
        new(s.BatchId, Stent, "", price, capacity, [s.RegionA, s.RegionB]) { Consumable = new ConsumableOffer(certificate, model, code, []) };

    private static BidContent HipBid(Scenario s, decimal price, string certificate, string model, params (string Id, decimal Price)[] components) =>
        new(s.BatchId, Hip, "", price, 7_000, [s.RegionA])
        {
            Consumable = new ConsumableOffer(certificate, model, OrthopaedicCode, components.Select(c => new ConsumableComponentPrice(c.Id, c.Price)).ToList()),
        };

    private static readonly (string, decimal)[] HipComponents = [("stem", 3_111.1111m), ("cup", 2_222.2222m), ("liner", 1_333.3333m), ("head", 1_444.4444m)];

    [Fact]
    public async Task A_consumables_bid_is_submitted_amended_withdrawn_refused_after_the_deadline_and_opens_exactly()
    {
        var s = NewScenario();
        await OpenConsumablesBiddingAsync(s);
        var m1 = s.Bidder(s.Maker1);
        var first = await m1.SubmitBidAsync("s1", StentBid(s, 700.1234m, "CERT-ALPHA-7781", "MODEL-ALPHA-7781"));
        Assert.Equal((1, BidAction.Submitted, Stent), (first.Version, first.Action, first.ProductId));
        // The same request again is answered with the same receipt; one active bid per category.
        Assert.Equal(first, await m1.SubmitBidAsync("s1", StentBid(s, 700.1234m, "CERT-ALPHA-7781", "MODEL-ALPHA-7781")));
        await Refused.WithAsync(ErrorCodes.BidAlreadyExists, () => m1.SubmitBidAsync("s1-again", StentBid(s, 650m, "CERT-ALPHA-7781", "MODEL-ALPHA-7781")), "productId");
        var amendedContent = StentBid(s, 688.5m, "CERT-ALPHA-7781", "MODEL-ALPHA-7782", code: null, capacity: 80_000);
        var amended = await m1.AmendBidAsync("s1-a", first.BidId, amendedContent);
        Assert.Equal((2, BidAction.Amended), (amended.Version, amended.Action));

        var hipContent = HipBid(s, 30_000m, "CERT-HIP-5151", "MODEL-HIP-5151", HipComponents);
        var hip = await m1.SubmitBidAsync("h1", hipContent);
        var withdrawn = await s.Bidder(s.Maker2).SubmitBidAsync("w1", StentBid(s, 720m, "CERT-BETA", "MODEL-BETA"));
        Assert.Equal(BidAction.Withdrawn, (await s.Bidder(s.Maker2).WithdrawBidAsync("w1-x", withdrawn.BidId)).Action);
        var mine = await m1.ListBidsAsync();
        Assert.Equal([BidStatus.Active, BidStatus.Active], mine.Where(b => b.BatchId == s.BatchId).Select(b => b.Status));

        fixture.Clock.SetUtcNow(s.Windows.BiddingDeadline.AddMilliseconds(1));
        var before = await TableCounts.ReadAsync(Store);
        await Refused.WithAsync(ErrorCodes.DeadlinePassed, () => s.Bidder(s.Maker3).SubmitBidAsync("late", StentBid(s, 600m, "CERT-LATE", "MODEL-LATE")));
        await Refused.WithAsync(ErrorCodes.DeadlinePassed, () => m1.AmendBidAsync("late-a", first.BidId, StentBid(s, 600m, "CERT-LATE", "MODEL-LATE")));
        await Refused.WithAsync(ErrorCodes.DeadlinePassed, () => m1.WithdrawBidAsync("late-w", hip.BidId));
        Assert.Equal(before["sealed_bid_actions"], (await TableCounts.ReadAsync(Store))["sealed_bid_actions"]);

        // The first request after the opening time opened the batch.
        Assert.Equal(TenderBatchPhase.Opened, (await s.Batch.GetAsync()).Phase);
        var opened = await s.Batch.GetOpenedBidsAsync();
        Assert.Equal(2, opened.Count);
        var stent = opened.Single(b => b.BidId == first.BidId);
        AssertSame(amendedContent, stent.Content);
        Assert.Equal(688.5m, stent.UnitComparablePrice);
        Assert.Equal(amended.ContentSha256, stent.ContentSha256);
        var hipOpened = opened.Single(b => b.BidId == hip.BidId);
        AssertSame(hipContent, hipOpened.Content);
        foreach (var bid in opened)
        {
            Assert.Equal(bid.ContentSha256, BidCanonicalForm.Commitment(bid.ReceiptNonce, BidCanonicalForm.Text(bid.ManufacturerId, bid.Content)));
        }
        var published = await Store.ReadAsync(c => c.QueryAsync<(string Canonical, string Sha, string Nonce)>(
            "SELECT canonical_content, content_sha256, receipt_nonce FROM bid_actions WHERE batch_id = @BatchId", new { s.BatchId }));
        Assert.Equal(5, published.Count());
        Assert.All(published, p => Assert.Equal(p.Sha, BidCanonicalForm.Commitment(p.Nonce, p.Canonical)));

        // The award input: lots, the two bids, the intentions with their regions.
        var input = await fixture.Cluster.SiloServices.GetRequiredService<ConsumableAwardInputReader>().LoadInputAsync(s.BatchId);
        Assert.Equal(("joints2021", 2), (input.RuleSet, input.Categories.Count));
        Assert.Equal([(Hip, 30_000m, "CERT-HIP-5151/MODEL-HIP-5151"), (Stent, 688.5m, "CERT-ALPHA-7781/MODEL-ALPHA-7782")],
            input.Bids.Select(b => (b.CategoryId, b.Price, b.Product.ProductId)).OrderBy(b => b.CategoryId, StringComparer.Ordinal));
        Assert.All(input.Bids, b => Assert.True(b.Qualification.Qualified));
        Assert.Equal(4, input.Bids.Single(b => b.CategoryId == Hip).ComponentPrices.Count);
        Assert.Equal(
            [(s.Hospital1, s.RegionA, Hip, 40L), (s.Hospital1, s.RegionA, Stent, 500L), (s.Hospital2, s.RegionB, Stent, 300L)],
            input.Intentions.Select(i => (i.HospitalId, i.Region, i.CategoryId, i.Quantity))
                .OrderBy(i => i.HospitalId, StringComparer.Ordinal).ThenBy(i => i.CategoryId, StringComparer.Ordinal));
        Assert.Empty(ConsumableInputValidator.Problems(input));
    }

    private static void AssertSame(BidContent expected, BidContent actual)
    {
        Assert.Equal((expected.BatchId, expected.ProductId, expected.SpecificationCode, expected.PricePerPack, expected.AnnualCapacity),
            (actual.BatchId, actual.ProductId, actual.SpecificationCode, actual.PricePerPack, actual.AnnualCapacity));
        Assert.Equal(expected.SupplyRegions.Order(StringComparer.Ordinal), actual.SupplyRegions.Order(StringComparer.Ordinal));
        var (e, a) = (expected.Consumable!, actual.Consumable!);
        Assert.Equal((e.CertificateNumber, e.Model, e.ConsumableCode), (a.CertificateNumber, a.Model, a.ConsumableCode));
        Assert.Equal(e.ComponentPrices.OrderBy(c => c.ComponentId, StringComparer.Ordinal), a.ComponentPrices.OrderBy(c => c.ComponentId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_award_input_is_refused_before_the_opening()
    {
        var s = NewScenario();
        await OpenConsumablesBiddingAsync(s);
        await s.Bidder(s.Maker1).SubmitBidAsync("s1", StentBid(s, 700m, "CERT-X", "MODEL-X"));
        await Refused.WithAsync(ErrorCodes.BidsSealed, () => fixture.Cluster.SiloServices.GetRequiredService<ConsumableAwardInputReader>().LoadInputAsync(s.BatchId));
    }

    [Fact]
    public async Task Bad_consumables_bids_are_refused_with_a_code_and_field_and_nothing_is_written()
    {
        var s = NewScenario();
        await OpenConsumablesBiddingAsync(s);
        var m1 = s.Bidder(s.Maker1);
        var before = await TableCounts.ReadAsync(Store);
        Task Submit(BidContent content) => m1.SubmitBidAsync(Guid.NewGuid().ToString("N"), content);
        BidContent Stents(Func<ConsumableOffer, ConsumableOffer>? offer = null, decimal price = 700m)
        {
            var bid = StentBid(s, price, "CERT", "MODEL");
            return offer is null ? bid : bid with { Consumable = offer(bid.Consumable!) };
        }

        BidContent Hips(decimal price = 30_000m, params (string, decimal)[] components) => HipBid(s, price, "CERT", "MODEL", components);

        await Refused.WithAsync(ErrorCodes.BidKindMismatch, () => Submit(s.Bid(Stent, 700m) with { ProductId = Stent }), "consumable");
        // Atorvastatin and amlodipine (their makers qualified for them) are not in this batch: it lists no drug products.
        await Refused.WithAsync(ErrorCodes.UnknownProduct, () => Submit(s.Bid(s.Atorvastatin, 0.45m)), "productId");
        await Refused.WithAsync(ErrorCodes.ConsumableCategoryNotInBatch, () => Submit(StentBid(s, 0.4m, "C", "M") with { ProductId = s.Atorvastatin }), "productId");
        await Refused.WithAsync(ErrorCodes.ConsumableCategoryNotInBatch, () => Submit(StentBid(s, 0.4m, "C", "M") with { ProductId = s.Amlodipine }), "productId");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents() with { SpecificationCode = "20mgx7" }), "specificationCode");
        await Refused.WithAsync(ErrorCodes.RequiredField, () => Submit(Stents(o => o with { CertificateNumber = " " })), "consumable.certificateNumber");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents(o => o with { Model = new string('m', 201) })), "consumable.model");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents(price: 0m)), "pricePerPack");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents(price: -1m)), "pricePerPack");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents(price: 700.12345m)), "pricePerPack");
        var above = await Refused.WithAsync(ErrorCodes.PriceAboveMaximum, () => Submit(Stents(price: 848.0001m)), "pricePerPack");
        Assert.DoesNotContain("848.0001", above.Message, StringComparison.Ordinal);
        // Exactly at the maximum is accepted.
        var atMaximum = await m1.SubmitBidAsync("at-max", Stents(price: 848m));
        await m1.WithdrawBidAsync("at-max-w", atMaximum.BidId);
        before = await TableCounts.ReadAsync(Store);
        await Refused.WithAsync(ErrorCodes.ConsumableCodeLength, () => Submit(Stents(o => o with { ConsumableCode = "C0201" })), "consumable.consumableCode");
        await Refused.WithAsync(ErrorCodes.ConsumableCodeMalformed, () => Submit(Stents(o => o with { ConsumableCode = "C02010300412345067890X23456" })), "consumable.consumableCode.specification");
        await Refused.WithAsync(ErrorCodes.ConsumableClassMismatch, () => Submit(Stents(o => o with { ConsumableCode = OrthopaedicCode })), "consumable.consumableCode");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents(o => o with { ConsumableCode = $" {StentCode}" })), "consumable.consumableCode");
        await Refused.WithAsync(ErrorCodes.ComponentsNotPriced, () => Submit(Stents(o => o with { ComponentPrices = [new ConsumableComponentPrice("stem", 1m)] })), "consumable.componentPrices");
        await Refused.WithAsync(ErrorCodes.ComponentsNotPriced, () => Submit(Hips(30_000m, ("stem", 1m), ("cup", 1m), ("liner", 1m))), "consumable.componentPrices");
        await Refused.WithAsync(ErrorCodes.ComponentsNotPriced, () => Submit(Hips(30_000m, [.. HipComponents, ("stem", 1m)])), "consumable.componentPrices[4].componentId");
        await Refused.WithAsync(ErrorCodes.ComponentsNotPriced, () => Submit(Hips(30_000m, [.. HipComponents[..3], ("neck", 1m)])), "consumable.componentPrices[3].componentId");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Hips(30_000m, [.. HipComponents[..3], ("head", 0m)])), "consumable.componentPrices[3].price");
        await Refused.WithAsync(ErrorCodes.PriceAboveMaximum, () => Submit(Hips(30_000m, [("stem", 12_000.0001m), .. HipComponents[1..]])), "consumable.componentPrices[0].price");
        await Refused.WithAsync(ErrorCodes.PriceAboveMaximum, () => Submit(Hips(35_000.5001m, HipComponents)), "pricePerPack");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents() with { AnnualCapacity = 0 }), "annualCapacity");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents() with { SupplyRegions = ["NOWHERE"] }), "supplyRegions[0]");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Stents() with { SupplyRegions = [] }), "supplyRegions");
        await Refused.WithAsync(ErrorCodes.NotQualified, () => Submit(HipBid(s, 1m, "C", "M") with { ProductId = "KNEE-UNDECLARED" }), "productId");
        Assert.Equal(before, await TableCounts.ReadAsync(Store));
    }

    [Fact]
    public async Task Before_the_opening_no_table_event_file_or_log_line_holds_a_price_a_component_price_the_certificate_or_the_model()
    {
        var s = NewScenario();
        await OpenConsumablesBiddingAsync(s);
        var stent = StentBid(s, 612.3457m, "GUOXIEZHUZHUN-20193130447", "XIENCE-Sierra-2.75x18", capacity: 4_646_461);
        var receipt = await s.Bidder(s.Maker1).SubmitBidAsync("c1", stent);
        var amended = StentBid(s, 598.7613m, "GUOXIEZHUZHUN-20193130447", "XIENCE-Sierra-3.00x23", capacity: 4_646_461);
        await s.Bidder(s.Maker1).AmendBidAsync("c1-a", receipt.BidId, amended);
        var hip = HipBid(s, 27_654.3219m, "GUOXIEZHUZHUN-20163460935", "PINNACLE-Ceramax-52",
            ("stem", 9_876.5431m), ("cup", 6_543.2109m), ("liner", 3_210.9877m), ("head", 2_109.8765m));
        await s.Bidder(s.Maker2).SubmitBidAsync("c2", hip);
        // The same firm's second product in the category, its own bid under offer number 2.
        var second = StentBid(s, 633.1379m, "GUOXIEZHUZHUN-20203130555", "FIREHAWK-2.50x13", capacity: 3_535_353) with { OfferNumber = 2 };
        await s.Bidder(s.Maker1).SubmitBidAsync("c1-2", second);
        // A refused price and product reach no log line either.
        await Refused.WithAsync(ErrorCodes.PriceAboveMaximum,
            () => s.Bidder(s.Maker3).SubmitBidAsync("c3", StentBid(s, 848.7531m, "GUOXIEZHUZHUN-20183130999", "RESOLUTE-Onyx-4.0x38")), "pricePerPack");
        await Refused.WithAsync(ErrorCodes.ConsumableClassMismatch,
            () => s.Bidder(s.Maker3).SubmitBidAsync("c4", StentBid(s, 500m, "GUOXIEZHUZHUN-20183130999", "RESOLUTE-Onyx-4.0x38", code: "C03019900412345067890123456")));

        var needles = new List<string>
        {
            "612.3457", "6123457", "598.7613", "5987613", "27654.3219", "276543219", "9876.5431", "98765431", "6543.2109", "65432109",
            "3210.9877", "32109877", "2109.8765", "21098765", "848.7531", "8487531", "4646461", "633.1379", "6331379", "3535353",
            "GUOXIEZHUZHUN-20203130555", "FIREHAWK-2.50x13",
            "GUOXIEZHUZHUN-20193130447", "GUOXIEZHUZHUN-20163460935", "GUOXIEZHUZHUN-20183130999",
            "XIENCE-Sierra-2.75x18", "XIENCE-Sierra-3.00x23", "PINNACLE-Ceramax-52", "RESOLUTE-Onyx-4.0x38", "C03019900412345067890123456",
        };
        foreach (var (maker, content) in new[] { (s.Maker1, stent), (s.Maker1, amended), (s.Maker2, hip), (s.Maker1, second) })
        {
            var text = BidCanonicalForm.Text(maker, content);
            needles.Add(text);
            needles.Add(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
        }

        var stored = await ReadEveryValueAsync();
        static bool Opaque(string value) => value.Length >= 32 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_');
        foreach (var needle in needles)
        {
            var candidates = needle.Length == 64 ? stored : stored.Where(v => !Opaque(v));
            Assert.False(candidates.Any(v => SealedValues.Holds(v, needle)), $"A stored value holds '{needle}': {candidates.FirstOrDefault(v => SealedValues.Holds(v, needle))}");
        }
        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Contains(events, e => e.EventType == "BidAmended");
        Assert.All(events, e => Assert.False(needles.Any(n => SealedValues.Holds(e.Payload, n)), $"An event holds a sealed value: {e.Payload}"));
        foreach (var line in fixture.Cluster.Logs.Lines)
        {
            Assert.False(needles.Any(n => SealedValues.Holds(line, n)), $"A log line holds a sealed value: {line}");
        }
        if (Store.Dialect is SqliteDialect sqlite)
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(sqlite.Location)!))
            {
                var bytes = File.ReadAllBytes(file);
                foreach (var needle in needles.Where(n => n.Length != 64 && !n.All(char.IsAsciiDigit)))
                {
                    Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0, $"{Path.GetFileName(file)} holds '{needle}'.");
                }
            }
        }
    }

    /// <summary>Every value of every table, as text (binary values as their bytes read as Latin-1).</summary>
    private Task<List<string>> ReadEveryValueAsync() =>
        Store.ReadAsync(async connection =>
        {
            var tables = Store.Dialect is SqliteDialect
                ? await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")
                : await connection.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
            var values = new List<string>();
            foreach (var table in tables)
            {
                foreach (IDictionary<string, object?> row in await connection.QueryAsync($"SELECT * FROM \"{table}\""))
                {
                    foreach (var value in row.Values)
                    {
                        values.Add(value switch
                        {
                            null => "",
                            byte[] bytes => Encoding.Latin1.GetString(bytes),
                            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                            _ => value.ToString() ?? "",
                        });
                    }
                }
            }
            return values;
        });
}

public sealed class SqliteConsumableBidTests(SqliteClusterFixture fixture) : ConsumableBidTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableBidTests(PostgresClusterFixture fixture) : ConsumableBidTests(fixture), IClassFixture<PostgresClusterFixture>;
