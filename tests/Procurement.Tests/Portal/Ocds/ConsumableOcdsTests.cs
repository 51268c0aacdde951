using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using Procurement.BidPortal.Exports;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal.Ocds;

/// <summary>
/// A consumables batch published in OCDS and as the award's files, by hand: a stent lot (unit) and a
/// hip-system lot (set price and components), two firms winning, a bid lost to the winner cap and a
/// system bid lost on its component prices, three agreements, and stents, hip systems and a cup
/// bought separately under them. Prices with four decimals, each
/// distinct, so a price leaking before the opening or passing through binary floating point shows.
/// Every package validates against the official OCDS 1.1.5 schemas, with and without the VBP patch.
/// </summary>
public sealed class ConsumableOcdsTests
{
    private const string BatchId = "C2026-01";
    private const string Stent = "STENT";
    private const string Hip = "HIP";
    private const string MakerA = "M-A";
    private const string MakerB = "M-B";
    private const string MakerC = "M-C";
    private const string Shanghai = "310000";
    private const string Guangdong = "440000";
    private const string StentCode = "C02010300412345067890123456";

    private static readonly DateTimeOffset ProposedAt = new(2026, 5, 20, 9, 30, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset PublishedAt = new(2026, 7, 3, 10, 0, 0, TimeSpan.FromHours(8));

    private static readonly Guid StentA = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid StentB = Guid.Parse("00000000-0000-0000-0000-0000000000b1");
    private static readonly Guid HipA = Guid.Parse("00000000-0000-0000-0000-0000000000a2");
    private static readonly Guid HipC = Guid.Parse("00000000-0000-0000-0000-0000000000c2");

    private static readonly ConsumableTerms Terms = new(
        [
            new ConsumableLot(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
            new ConsumableLot(Hip, "Ceramic hip system", "C03", 35_000m, ConsumablePurchaseUnit.System,
                [new ConsumableLotComponent("stem", "Femoral stem", 12_000m), new ConsumableLotComponent("cup", "Acetabular cup", null)]),
        ],
        "joints2021", new Dictionary<string, string>());

    private static readonly IReadOnlyList<OpenedBid> Bids =
    [
        Bid(StentA, MakerA, Stent, 512.3456m, "CERT-A-STENT", "DES-A", StentCode, []),
        Bid(StentB, MakerB, Stent, 698.7654m, "CERT-B-STENT", "DES-B", null, []),
        Bid(HipA, MakerA, Hip, 7_000.1234m, "CERT-A-HIP", "HIP-A", null, [new("stem", 3_000.5678m), new("cup", 4_100.4321m)]),
        Bid(HipC, MakerC, Hip, 8_999.8765m, "CERT-C-HIP", "HIP-C", null, [new("stem", 3_100.1111m), new("cup", 2_600.2222m)]),
    ];

    private static readonly IReadOnlyList<AwardStatement> Statements =
    [
        new(StentA, Stent, MakerA, 512.3456m, 512.3456m, 1.0000m, 1, true, "WON_WITHIN_RATIO", "ratio <= 1.8", null, 512.3456m, 512.3456m),
        new(StentB, Stent, MakerB, 698.7654m, 512.3456m, 1.3639m, 2, false, "LOST_WINNER_CAP", "cap 1", null, null, null),
        new(HipA, Hip, MakerA, 7_000.1234m, 7_000.1234m, 1.0000m, 1, true, "WON_WITHIN_RATIO", "ratio <= 1.8", null, 7_000.1234m, 7_000.1234m),
        new(HipC, Hip, MakerC, 8_999.8765m, null, null, null, false, "LOST_COMPONENTS_INCONSISTENT", "components below the set price", null, null, null),
    ];

    private static readonly ConsumableAwardView Consumables = new(
        [
            new(Stent, "Optimal", 0d, 0, 0, 1, 1, 1, 1, 256_234.56m, 256_234.56m),
            new(Hip, "Optimal", 0d, 0, 0, 1, 1, 0, 0, 70_001.234m, 70_001.234m),
        ],
        [
            new(Stent, "A", 848m, 2, 2, 512.3456m, 512.3456m, 1, 1),
            new(Hip, "A", 35_000m, 1, 1, 7_000.1234m, 7_000.1234m, null, 1),
            new(Hip, "B", 35_000m, 1, 0, null, null, null, 0),
        ],
        [
            new(Stent, StentA, MakerA, "CERT-A-STENT/DES-A", "A", 512.3456m, [], 10_000, 300),
            new(Hip, HipA, MakerA, "CERT-A-HIP/HIP-A", "A", 7_000.1234m, [new("stem", 3_000.5678m), new("cup", 4_100.4321m)], 500, 10),
        ],
        [
            new(Stent, "H1", Shanghai, StentA, MakerA, 300, 512.3456m, 153_703.68m, 0, "FirstChoice", MakerA, null),
            new(Stent, "H2", Guangdong, StentA, MakerA, 200, 512.3456m, 102_469.12m, 1, "FurtherChoice", MakerB, "INTENDED_FIRM_LOST"),
            new(Hip, "H1", Shanghai, HipA, MakerA, 10, 7_000.1234m, 70_001.234m, 0, "FirstChoice", MakerA, null),
            new(Hip, "H3", Shanghai, null, null, 4, null, null, 2, "Unsupplied", MakerC, "INTENDED_FIRM_LOST"),
        ])
    {
        // Stents: M-A 300 and M-B 200 intended, both in A; hips: M-A 10 of 14 in A, M-C 4 in B (its bid lost on its components).
        Statements =
        [
            new(StentA, MakerA, 1, "A", 300, 0.6m),
            new(StentB, MakerB, 1, "A", 200, 0.4m),
            new(HipA, MakerA, 1, "A", 10, 0.714286m),
            new(HipC, MakerC, 1, "B", 4, 0.285714m),
        ],
    };

    private static readonly AwardView Award = new(
        Guid.Parse("11111111-2222-3333-4444-555555555555"), BatchId, "consumables", "joints2021", "Optimal",
        326_235.794m, 326_235.794m, 0d, TimeSpan.FromSeconds(1), "{}", ProposedAt, Statements, [])
    {
        Consumables = Consumables,
    };

    /// <summary>The award as read when it was stored before its statements kept group and firm demand (migration 0034).</summary>
    private static readonly AwardView OlderAward = Award with
    {
        Consumables = Consumables with
        {
            Statements = [.. Consumables.Statements.Select(t => t with { Group = null, FirmIntendedVolume = null, FirmDemandShare = null })],
        },
    };

    private static readonly IReadOnlyList<Agreement> Agreements =
    [
        Agreement(1, Stent, Shanghai, StentA, 300, 512.3456m),
        Agreement(2, Stent, Guangdong, StentA, 200, 512.3456m),
        Agreement(3, Hip, Shanghai, HipA, 10, 7_000.1234m),
    ];

    private static readonly Guid StentOrder = Guid.Parse("44444444-0000-0000-0000-0000000000a1");
    private static readonly Guid HipOrder = Guid.Parse("44444444-0000-0000-0000-0000000000a2");

    /// <summary>
    /// H1 in Shanghai buys under agreements 1 and 3: 100 stents, 2 whole hip systems and a cup bought
    /// separately at its component price; every line shipped, accepted and paid, the cup by the fund.
    /// </summary>
    private static readonly BatchPurchasing Purchasing = new(
        [
            Line(StentOrder, 1, Stent, null, 1, 100, 512.3456m),
            Line(HipOrder, 1, Hip, null, 3, 2, 7_000.1234m),
            Line(HipOrder, 2, Hip, "cup", 3, 1, 4_100.4321m),
        ],
        [
            Delivery(1, StentOrder, 1, 100, 512.3456m),
            Delivery(2, HipOrder, 1, 2, 7_000.1234m),
            Delivery(3, HipOrder, 2, 1, 4_100.4321m),
        ],
        [
            Invoice(1, 51_234.5600m),
            Invoice(2, 14_000.2468m),
            Invoice(3, 4_100.4321m),
        ],
        [
            Payment(1, Payer.Hospital, 51_234.5600m),
            Payment(2, Payer.Hospital, 14_000.2468m),
            Payment(3, Payer.InsuranceFund, 4_100.4321m),
        ],
        Truncated: false);

    /// <summary>Every piece of a bid's sealed content that must not be published before the opening.</summary>
    private static readonly string[] SealedContent =
    [
        "512.3456", "698.7654", "7000.1234", "8999.8765", "3000.5678", "4100.4321", "3100.1111", "2600.2222",
        "CERT-A-STENT", "CERT-B-STENT", "CERT-A-HIP", "CERT-C-HIP", "DES-A", "DES-B", "HIP-A", "HIP-C", StentCode,
    ];

    [Theory]
    [InlineData(TenderBatchPhase.Draft)]
    [InlineData(TenderBatchPhase.VolumeReporting)]
    [InlineData(TenderBatchPhase.VolumeReportingClosed)]
    [InlineData(TenderBatchPhase.Bidding)]
    public async Task Before_the_opening_no_part_of_a_bid_is_published_even_if_passed_in(TenderBatchPhase phase)
    {
        // The caller hands over bids, award, agreements and what was bought under them anyway: the export alone must hold the seal.
        var batch = Batch(phase) with { Bids = Bids, Award = Award, Agreements = Agreements, Purchasing = Purchasing, Hospitals = [new("H1", "瑞金医院", Shanghai)] };

        var bytes = Package(batch);

        var json = Encoding.UTF8.GetString(bytes);
        Assert.All(SealedContent, sealedText => Assert.DoesNotContain(sealedText, json, StringComparison.Ordinal));
        var release = Release(bytes);
        foreach (var section in new[] { "bids", "awards", "contracts" })
        {
            Assert.False(release.TryGetProperty(section, out _), section);
        }
        Assert.False(release.GetProperty("tender").TryGetProperty("tenderers", out _));
        await OcdsSchema.AssertValidAsync(bytes);
    }

    [Fact]
    public async Task Opened_bids_name_their_lot_with_the_set_price_and_component_prices_as_items()
    {
        var bytes = Package(Batch(TenderBatchPhase.Opened));

        var release = Release(bytes);
        Assert.False(release.TryGetProperty("awards", out _));
        // Opened but not yet awarded in public: the lots carry no group figures.
        Assert.All(release.GetProperty("tender").GetProperty("lots").EnumerateArray(), l => Assert.False(l.TryGetProperty("vbpDemandGroups", out _)));
        var bids = BidsById(release);
        Assert.Equal(4, bids.Count);
        // The groups come with the award, so an opened bid names none yet.
        Assert.All(bids.Values, b => Assert.False(b.TryGetProperty("vbpDemandGroup", out _)));
        var hip = bids[HipA.ToString()];
        Assert.Equal([Hip], hip.GetProperty("relatedLots").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(7_000.1234m, hip.GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.Equal("CNY", hip.GetProperty("value").GetProperty("currency").GetString());
        Assert.Equal("CERT-A-HIP/HIP-A", hip.GetProperty("vbpConsumableProductId").GetString());
        Assert.False(hip.TryGetProperty("vbpSpecificationCode", out _));
        Assert.Equal("valid", hip.GetProperty("status").GetString());
        var items = hip.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.Equal(("system", 7_000.1234m), UnitOf(items[Hip]));
        Assert.Equal(("unit", 3_000.5678m), UnitOf(items["HIP/stem"]));
        Assert.Equal(("unit", 4_100.4321m), UnitOf(items["HIP/cup"]));
        Assert.All(items.Values, i => Assert.Equal(Hip, i.GetProperty("relatedLot").GetString()));
        // A stent bid with its own code is classified by it; one without, by the lot's class prefix.
        Assert.Equal(("x_NHSA_MCS", StentCode), ClassificationOf(bids[StentA.ToString()].GetProperty("items")[0]));
        Assert.Equal(("x_NHSA_MCS", "C0201"), ClassificationOf(bids[StentB.ToString()].GetProperty("items")[0]));
        Assert.Single(bids[StentA.ToString()].GetProperty("items").EnumerateArray());
        Assert.Equal([MakerA, MakerB, MakerC], release.GetProperty("tender").GetProperty("tenderers").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        await OcdsSchema.AssertValidAsync(bytes);
    }

    [Fact]
    public async Task Awards_are_per_winning_bid_and_lot_with_price_group_and_supplies_and_losing_bids_carry_their_reason()
    {
        var bytes = Package(Batch(TenderBatchPhase.Publicity));

        var release = Release(bytes);
        var bids = BidsById(release);
        Assert.Equal(("valid", false, "LOST_WINNER_CAP"), BidOutcome(bids[StentB.ToString()]));
        Assert.Equal(("disqualified", false, "LOST_COMPONENTS_INCONSISTENT"), BidOutcome(bids[HipC.ToString()]));
        Assert.Equal(("valid", true, "WON_WITHIN_RATIO"), BidOutcome(bids[HipA.ToString()]));
        // Every bid names the demand group it competed in, the losing ones too.
        Assert.Equal(["A", "A", "A", "B"],
            new[] { StentA, StentB, HipA, HipC }.Select(id => bids[id.ToString()].GetProperty("vbpDemandGroup").GetString()));

        var awards = release.GetProperty("awards").EnumerateArray().ToList();
        Assert.Equal([OcdsExport.AwardId(BatchId, Hip, MakerA), OcdsExport.AwardId(BatchId, Stent, MakerA)],
            awards.Select(a => a.GetProperty("id").GetString()));
        Assert.All(awards, a => Assert.Equal("pending", a.GetProperty("status").GetString()));
        var stent = awards[1];
        Assert.Equal([Stent], stent.GetProperty("relatedLots").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(StentA.ToString(), stent.GetProperty("relatedBid").GetString());
        Assert.Equal("A", stent.GetProperty("vbpDemandGroup").GetString());
        Assert.Equal(300, stent.GetProperty("vbpIntendedVolume").GetInt64());
        Assert.Equal(500, stent.GetProperty("vbpAgreedVolume").GetInt64());
        Assert.Equal(512.3456m, stent.GetProperty("vbpUnitPrice").GetDecimal());
        Assert.Equal(256_172.80m, stent.GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.Equal([(Shanghai, 300L, 153_703.68m, 1), (Guangdong, 200L, 102_469.12m, 1)],
            stent.GetProperty("vbpRegions").EnumerateArray().Select(r => (r.GetProperty("regionCode").GetString()!, r.GetProperty("agreedVolume").GetInt64(),
                r.GetProperty("amount").GetDecimal(), r.GetProperty("hospitals").GetInt32())).OrderBy(r => r.Item1, StringComparer.Ordinal));
        var hipItems = awards[0].GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.Equal(10, hipItems[Hip].GetProperty("quantity").GetInt64());
        Assert.Equal(("system", 7_000.1234m), UnitOf(hipItems[Hip]));
        Assert.Equal(("unit", 4_100.4321m), UnitOf(hipItems["HIP/cup"]));
        Assert.Equal("CERT-A-HIP/HIP-A", awards[0].GetProperty("vbpConsumableProductId").GetString());
        // The unsupplied hospital is in no award; the winners are the suppliers among the parties.
        var parties = release.GetProperty("parties").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ToList());
        Assert.Contains("supplier", parties[MakerA]);
        Assert.DoesNotContain("supplier", parties[MakerB]);
        await OcdsSchema.AssertValidAsync(bytes);
        // Each lot carries its demand groups' figures once the award is public.
        var lots = release.GetProperty("tender").GetProperty("lots").EnumerateArray().ToDictionary(l => l.GetProperty("id").GetString()!);
        var stentGroup = Assert.Single(lots[Stent].GetProperty("vbpDemandGroups").EnumerateArray());
        Assert.Equal(("A", 848m, 2, 2, 512.3456m, 512.3456m, 1, 1),
            (stentGroup.GetProperty("group").GetString(), stentGroup.GetProperty("maxValidPrice").GetProperty("amount").GetDecimal(), stentGroup.GetProperty("firms").GetInt32(),
             stentGroup.GetProperty("competingBidders").GetInt32(), stentGroup.GetProperty("lowestPrice").GetProperty("amount").GetDecimal(),
             stentGroup.GetProperty("referencePrice").GetProperty("amount").GetDecimal(), stentGroup.GetProperty("winnerCap").GetInt32(), stentGroup.GetProperty("winningBidders").GetInt32()));
        var hipGroups = lots[Hip].GetProperty("vbpDemandGroups").EnumerateArray().ToList();
        Assert.Equal(["A", "B"], hipGroups.Select(g => g.GetProperty("group").GetString()));
        Assert.False(hipGroups[1].TryGetProperty("lowestPrice", out _));
        Assert.False(hipGroups[0].TryGetProperty("winnerCap", out _));
        // The VBP extension's schema holds the consumables award fields: a group other than A or B is refused.
        var broken = Encoding.UTF8.GetString(bytes).Replace("\"vbpDemandGroup\": \"A\"", "\"vbpDemandGroup\": \"C\"", StringComparison.Ordinal);
        Assert.NotEmpty((await OcdsSchema.PackageWithVbpExtensionAsync()).Validate(broken));
        Assert.Empty((await OcdsSchema.PackageAsync()).Validate(broken));
        // An award stored before its statements kept the group: the winning bids still name theirs (from the winners), the losing ones none.
        var olderBytes = Package(Batch(TenderBatchPhase.Publicity) with { Award = OlderAward });
        var olderBids = BidsById(Release(olderBytes));
        Assert.Equal(["A", null, "A", null],
            new[] { StentA, StentB, HipA, HipC }.Select(id => olderBids[id.ToString()].TryGetProperty("vbpDemandGroup", out var g) ? g.GetString() : null));
        await OcdsSchema.AssertValidAsync(olderBytes);
        // A bid's group too: only the losing hip bid is in B, and a C there is refused.
        var brokenBid = Encoding.UTF8.GetString(bytes).Replace("\"vbpDemandGroup\": \"B\"", "\"vbpDemandGroup\": \"C\"", StringComparison.Ordinal);
        Assert.NotEqual(Encoding.UTF8.GetString(bytes), brokenBid);
        var bidErrors = (await OcdsSchema.PackageWithVbpExtensionAsync()).Validate(brokenBid);
        Assert.Contains("NotInEnumeration: #/releases[0].bids.details[1].vbpDemandGroup", string.Join("\n", bidErrors), StringComparison.Ordinal);
        // And a lot's group figures: a negative count of firms is refused.
        var brokenLot = Encoding.UTF8.GetString(bytes).Replace("\"firms\": 2", "\"firms\": -2", StringComparison.Ordinal);
        Assert.NotEqual(Encoding.UTF8.GetString(bytes), brokenLot);
        Assert.NotEmpty((await OcdsSchema.PackageWithVbpExtensionAsync()).Validate(brokenLot));
    }

    [Fact]
    public async Task A_firm_winning_with_two_products_in_a_lot_has_an_award_per_winning_bid_and_each_contract_names_its_own()
    {
        // M-A wins the stent lot with a second product (its offer 2), which supplies H2 in Guangdong.
        var stentA2 = Guid.Parse("00000000-0000-0000-0000-0000000000a3");
        var bids = Bids.Append(Bid(stentA2, MakerA, Stent, 533.2109m, "CERT-A2-STENT", "DES-A2", null, []) with
        {
            Content = Bids[0].Content with { PricePerPack = 533.2109m, OfferNumber = 2, Consumable = new ConsumableOffer("CERT-A2-STENT", "DES-A2", null, []) },
        }).ToList();
        var consumables = Consumables with
        {
            Winners = [.. Consumables.Winners, new(Stent, stentA2, MakerA, "CERT-A2-STENT/DES-A2", "A", 533.2109m, [], 5_000, 0)],
            Supplies = [.. Consumables.Supplies.Select(p => p.HospitalId == "H2" && p.CategoryId == Stent
                ? p with { BidId = stentA2, UnitPrice = 533.2109m, Amount = 106_642.18m }
                : p)],
        };
        var award = Award with
        {
            Statements = [.. Statements, new(stentA2, Stent, MakerA, 533.2109m, 512.3456m, 1.0407m, 2, true, "WON_WITHIN_RATIO", "ratio <= 1.8", null, 533.2109m, 533.2109m)],
            Consumables = consumables,
        };
        var agreements = new[] { Agreements[0], Agreement(2, Stent, Guangdong, stentA2, 200, 533.2109m), Agreements[2] };
        var batch = Batch(TenderBatchPhase.Awarded);
        var bytes = Package(batch with { Bids = bids, Award = award, Agreements = agreements });

        var release = Release(bytes);
        var awards = release.GetProperty("awards").EnumerateArray().ToDictionary(a => a.GetProperty("relatedBid").GetString()!);
        var drugForm = OcdsExport.AwardId(BatchId, Stent, MakerA);
        Assert.Equal(
            [$"{drugForm}-{StentA}", $"{drugForm}-{stentA2}"],
            new[] { StentA, stentA2 }.Select(b => awards[b.ToString()].GetProperty("id").GetString()));
        // The firm's only winning bid in the hip lot keeps the id awards always had.
        Assert.Equal(OcdsExport.AwardId(BatchId, Hip, MakerA), awards[HipA.ToString()].GetProperty("id").GetString());
        Assert.Equal((200L, 533.2109m), (awards[stentA2.ToString()].GetProperty("vbpAgreedVolume").GetInt64(), awards[stentA2.ToString()].GetProperty("vbpUnitPrice").GetDecimal()));
        var contracts = release.GetProperty("contracts").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal($"{drugForm}-{StentA}", contracts[agreements[0].AgreementId.ToString()].GetProperty("awardID").GetString());
        Assert.Equal($"{drugForm}-{stentA2}", contracts[agreements[1].AgreementId.ToString()].GetProperty("awardID").GetString());
        Assert.Equal(OcdsExport.AwardId(BatchId, Hip, MakerA), contracts[agreements[2].AgreementId.ToString()].GetProperty("awardID").GetString());
        await OcdsSchema.AssertValidAsync(bytes);
    }

    [Fact]
    public async Task Contracts_per_agreement_carry_the_lot_volume_price_and_component_prices()
    {
        var bytes = Package(Batch(TenderBatchPhase.Awarded) with { Agreements = Agreements });

        var release = Release(bytes);
        Assert.Equal(["contract"], release.GetProperty("tag").EnumerateArray().Select(t => t.GetString()));
        var awardIds = release.GetProperty("awards").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToHashSet();
        Assert.All(release.GetProperty("awards").EnumerateArray(), a => Assert.Equal("active", a.GetProperty("status").GetString()));
        var contracts = release.GetProperty("contracts").EnumerateArray().ToList();
        Assert.Equal(Agreements.Select(a => a.AgreementId.ToString()), contracts.Select(c => c.GetProperty("id").GetString()));
        Assert.All(contracts, c => Assert.Contains(c.GetProperty("awardID").GetString(), awardIds));
        var hip = contracts[2];
        Assert.Equal(70_001.2340m, hip.GetProperty("value").GetProperty("amount").GetDecimal());
        var items = hip.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.Equal((10L, "system", 7_000.1234m), (items[Hip].GetProperty("quantity").GetInt64(), UnitOf(items[Hip]).Name, UnitOf(items[Hip]).Price));
        Assert.Equal(("unit", 3_000.5678m), UnitOf(items["HIP/stem"]));
        Assert.Equal(("unit", 4_100.4321m), UnitOf(items["HIP/cup"]));
        Assert.All(items.Values, i => Assert.Equal(Hip, i.GetProperty("relatedLot").GetString()));
        Assert.StartsWith("Ceramic hip system - ", hip.GetProperty("title").GetString(), StringComparison.Ordinal);
        var stent = Assert.Single(contracts[0].GetProperty("items").EnumerateArray().ToList());
        Assert.Equal((Stent, 300L), (stent.GetProperty("relatedLot").GetString(), stent.GetProperty("quantity").GetInt64()));
        await OcdsSchema.AssertValidAsync(bytes);
    }

    [Fact]
    public async Task Orders_under_consumables_contracts_are_purchase_orders_of_their_items_with_deliveries_and_payments_and_validate()
    {
        var bytes = Package(Batch(TenderBatchPhase.Awarded) with { Agreements = Agreements, Purchasing = Purchasing, Hospitals = [new("H1", "瑞金医院", Shanghai)] });
        await OcdsSchema.AssertValidAsync(bytes);

        var release = Release(bytes);
        var contracts = release.GetProperty("contracts").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.False(contracts[Agreements[1].AgreementId.ToString()].TryGetProperty("implementation", out _));

        // The stents: one purchase order of the category item at the agreed unit price, its delivery and its payment.
        var stent = contracts[Agreements[0].AgreementId.ToString()].GetProperty("implementation");
        var stentOrder = Assert.Single(stent.GetProperty("vbpPurchaseOrders").EnumerateArray().ToList());
        Assert.Equal(($"{StentOrder}-1", Stent, 100L, 512.3456m, 51_234.5600m),
            (stentOrder.GetProperty("id").GetString(), stentOrder.GetProperty("itemId").GetString(), stentOrder.GetProperty("quantity").GetInt64(),
             stentOrder.GetProperty("unitPrice").GetProperty("amount").GetDecimal(), stentOrder.GetProperty("value").GetProperty("amount").GetDecimal()));
        var stentPayment = Assert.Single(stent.GetProperty("transactions").EnumerateArray().ToList());
        Assert.Equal(("H1", MakerA, 51_234.5600m, $"{StentOrder}-1"),
            (stentPayment.GetProperty("payer").GetProperty("id").GetString(), stentPayment.GetProperty("payee").GetProperty("id").GetString(),
             stentPayment.GetProperty("value").GetProperty("amount").GetDecimal(), stentPayment.GetProperty("vbpPurchaseOrderId").GetString()));

        // The hips: whole systems at the set price and the cup bought separately as its own item, at the cup's price;
        // each purchase order names an item the contract lists, and each delivery and payment its purchase order.
        var hipContract = contracts[Agreements[2].AgreementId.ToString()];
        var items = hipContract.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToHashSet();
        var hip = hipContract.GetProperty("implementation");
        var orders = hip.GetProperty("vbpPurchaseOrders").EnumerateArray().ToList();
        Assert.Equal([(Hip, 2L, 7_000.1234m, 14_000.2468m), ("HIP/cup", 1L, 4_100.4321m, 4_100.4321m)],
            orders.Select(o => (o.GetProperty("itemId").GetString(), o.GetProperty("quantity").GetInt64(),
                o.GetProperty("unitPrice").GetProperty("amount").GetDecimal(), o.GetProperty("value").GetProperty("amount").GetDecimal())));
        Assert.All(orders, o => Assert.Contains(o.GetProperty("itemId").GetString(), items));
        Assert.Equal([$"{HipOrder}-1", $"{HipOrder}-2"], hip.GetProperty("milestones").EnumerateArray().Select(m => m.GetProperty("vbpPurchaseOrderId").GetString()));
        var payments = hip.GetProperty("transactions").EnumerateArray().ToList();
        Assert.Equal([($"{HipOrder}-1", "H1", 14_000.2468m), ($"{HipOrder}-2", "A-NAT-insurance-fund", 4_100.4321m)],
            payments.Select(t => (t.GetProperty("vbpPurchaseOrderId").GetString(), t.GetProperty("payer").GetProperty("id").GetString(),
                t.GetProperty("value").GetProperty("amount").GetDecimal())));
        var parties = release.GetProperty("parties").EnumerateArray()
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList());
        Assert.Equal(["buyer", "payer"], parties["H1"]);
        Assert.Contains("payee", parties[MakerA]);

        // A drug contract's purchase orders name no item: the field is the consumables'.
        Assert.DoesNotContain("\"itemId\"", Encoding.UTF8.GetString(Package(Batch(TenderBatchPhase.Awarded) with { Agreements = Agreements })), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TenderBatchPhase.Opened)]
    [InlineData(TenderBatchPhase.Publicity)]
    public async Task Purchasing_passed_in_before_the_agreements_are_public_is_not_published(TenderBatchPhase phase)
    {
        var bytes = Package(Batch(phase) with { Agreements = Agreements, Purchasing = Purchasing, Hospitals = [new("H1", "瑞金医院", Shanghai)] });

        var json = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("vbpPurchaseOrders", json, StringComparison.Ordinal);
        Assert.DoesNotContain("51234.56", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"H1\"", json, StringComparison.Ordinal);
        await OcdsSchema.AssertValidAsync(bytes);
    }

    [Fact]
    public void Award_files_hold_groups_statements_with_reasons_and_supplies_with_choice_ranks()
    {
        var (groupHeader, groups) = ExportFiles.ReadCsv(ExportFiles.Write(s => ConsumableAwardExport.WriteGroupsCsv(Award, s)));
        Assert.Equal(["category_id", "group", "max_valid_price", "firms", "competing_bidders", "lowest_price", "reference_price", "winner_cap", "winning_bidders"], groupHeader);
        Assert.Equal([("STENT", "A", "512.3456", "1"), ("HIP", "A", "7000.1234", ""), ("HIP", "B", "", "")],
            groups.Select(g => (g["category_id"], g["group"], g["reference_price"], g["winner_cap"])));

        var (statementHeader, statements) = ExportFiles.ReadCsv(ExportFiles.Write(s => ConsumableAwardExport.WriteStatementsCsv(Award, s)));
        Assert.Equal(["bid_id", "category_id", "manufacturer_id", "offer_number", "product_id", "group", "firm_intended_volume", "firm_demand_share", "price",
            "reference_price", "ratio_to_reference", "rank", "won", "reason", "rule", "awarded_price"], statementHeader);
        Assert.Equal(Statements.Select(s => s.Reason), statements.Select(s => s["reason"]));
        Assert.Equal(("CERT-A-HIP/HIP-A", "A", "7000.1234", "True"), (statements[2]["product_id"], statements[2]["group"], statements[2]["awarded_price"], statements[2]["won"]));
        // A losing bid: no product (the winners name it), but its offer number, group and firm demand.
        Assert.Equal(("", "1", "B", "4", "0.285714", "8999.8765"),
            (statements[3]["product_id"], statements[3]["offer_number"], statements[3]["group"], statements[3]["firm_intended_volume"], statements[3]["firm_demand_share"], statements[3]["price"]));
        Assert.Equal(("1", "A", "200", "0.4"), (statements[1]["offer_number"], statements[1]["group"], statements[1]["firm_intended_volume"], statements[1]["firm_demand_share"]));
        // An award stored before its statements kept them (migration 0034): a winner's group from the winners, the rest empty.
        var (_, older) = ExportFiles.ReadCsv(ExportFiles.Write(s => ConsumableAwardExport.WriteStatementsCsv(OlderAward, s)));
        Assert.Equal([("1", "A", ""), ("1", "", ""), ("1", "A", ""), ("1", "", "")], older.Select(r => (r["offer_number"], r["group"], r["firm_demand_share"])));

        var (supplyHeader, supplies) = ExportFiles.ReadCsv(ExportFiles.Write(s => ConsumableAwardExport.WriteSuppliesCsv(Award, s)));
        Assert.Equal(["category_id", "hospital_id", "region_code", "intended_manufacturer_id", "manufacturer_id", "bid_id", "choice_rank", "choice_kind",
            "chose_again_reason", "quantity", "unit_price", "amount"], supplyHeader);
        Assert.Equal(("H2", MakerB, MakerA, "1", "FurtherChoice", "INTENDED_FIRM_LOST", "102469.12"),
            (supplies[1]["hospital_id"], supplies[1]["intended_manufacturer_id"], supplies[1]["manufacturer_id"], supplies[1]["choice_rank"],
             supplies[1]["choice_kind"], supplies[1]["chose_again_reason"], supplies[1]["amount"]));
        Assert.Equal(("", "", "Unsupplied"), (supplies[3]["manufacturer_id"], supplies[3]["bid_id"], supplies[3]["choice_kind"]));

        var xlsx = ExportFiles.Write(s => ConsumableAwardExport.WriteXlsx(Award, s));
        Assert.Equal([ConsumableAwardExport.GroupsSheet, ConsumableAwardExport.StatementsSheet, ConsumableAwardExport.SuppliesSheet],
            MiniExcel.GetSheetNames(new MemoryStream(xlsx)));
        var sheet = MiniExcel.Query(new MemoryStream(xlsx), useHeaderRow: true, sheetName: ConsumableAwardExport.SuppliesSheet).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(4, sheet.Count);
        Assert.Equal(70_001.234m, Convert.ToDecimal(sheet[2]["amount"], CultureInfo.InvariantCulture));
        Assert.Equal(1m, Convert.ToDecimal(sheet[1]["choice_rank"], CultureInfo.InvariantCulture));
        var statementSheet = MiniExcel.Query(new MemoryStream(xlsx), useHeaderRow: true, sheetName: ConsumableAwardExport.StatementsSheet).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal((1m, "B", 4m, 0.285714m),
            (Convert.ToDecimal(statementSheet[3]["offer_number"], CultureInfo.InvariantCulture), (string?)statementSheet[3]["group"],
             Convert.ToDecimal(statementSheet[3]["firm_intended_volume"], CultureInfo.InvariantCulture), Convert.ToDecimal(statementSheet[3]["firm_demand_share"], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Award_files_refuse_a_drug_award_and_a_table_above_the_row_limit()
    {
        var drug = Award with { Consumables = null };
        var notConsumables = Assert.Throws<ProcurementException>(() => ConsumableAwardExport.WriteSuppliesCsv(drug, new MemoryStream()));
        Assert.Equal(ErrorCodes.NotFound, notConsumables.Code);

        Assert.Equal(4, ConsumableAwardExport.Supplies(Consumables, maxRows: 4).Count);
        var tooMany = Assert.Throws<ProcurementException>(() => ConsumableAwardExport.Supplies(Consumables, maxRows: 3));
        Assert.Equal((ErrorCodes.TooManyRows, "batchId"), (tooMany.Code, tooMany.Field));
        Assert.Throws<ProcurementException>(() => ConsumableAwardExport.Statements(Award, Consumables, maxRows: 3));
        Assert.Throws<ProcurementException>(() => ConsumableAwardExport.Groups(Consumables, maxRows: 2));
        Assert.Equal(1_000_000, ConsumableAwardExport.MaxRows);
    }

    private static OpenedBid Bid(Guid id, string maker, string category, decimal price, string certificate, string model, string? code, ConsumableComponentPrice[] components) =>
        new(id, maker, maker, new BidContent(BatchId, category, "", price, 10_000, [Shanghai, Guangdong])
        {
            Consumable = new ConsumableOffer(certificate, model, code, components),
        }, price, 1, ProposedAt.AddDays(-10), new string('a', 64), new string('b', 64));

    private static Agreement Agreement(int n, string category, string region, Guid bid, long volume, decimal price) =>
        new(Guid.Parse($"22222222-0000-0000-0000-00000000000{n}"), BatchId, category, region, MakerA, bid, null, null, volume, price, volume * price,
            new DateOnly(2026, 8, 1), new DateOnly(2028, 8, 1), AgreementState.Active, 1, null, null, 1);

    private static Guid Id(int kind, int n) => Guid.Parse($"{kind}{kind}{kind}{kind}{kind}{kind}{kind}{kind}-0000-0000-0000-00000000000{n}");

    private static DateTimeOffset PlacedAt => PublishedAt.AddDays(-20);

    private static OrderLine Line(Guid order, int lineNo, string category, string? component, int agreement, long quantity, decimal price) =>
        new(order, lineNo, "H1", category, MakerA, OrderLineKind.Agreed, Agreements[agreement - 1].AgreementId, quantity, 0, price, "Cath lab", OrderUrgency.Normal,
            null, OrderLineState.Fulfilled, PlacedAt, PlacedAt.AddHours(24), PlacedAt.AddHours(1), null, quantity, quantity, Shanghai, PlacedAt.AddHours(72), component);

    private static Delivery Delivery(int n, Guid order, int lineNo, long quantity, decimal price) =>
        new(Id(5, n), order, lineNo, "H1", MakerA, MakerA, $"LOT-{n}", new DateOnly(2029, 6, 30), quantity, PlacedAt.AddHours(20 + n),
            PlacedAt.AddDays(5), DeliveryState.Accepted, quantity, PlacedAt.AddDays(2), null, false, price);

    private static Invoice Invoice(int n, decimal amount) =>
        new(Id(6, n), Id(5, n), "H1", MakerA, $"INV-{n}", amount, PlacedAt.AddDays(2), InvoiceState.Paid, PlacedAt.AddDays(32), PlacedAt.AddDays(10 + n), "A-NAT");

    private static Payment Payment(int n, Payer payer, decimal amount) =>
        new(Id(7, n), Id(6, n), "H1", payer, amount, 0m, PlacedAt.AddDays(10 + n), $"BANK-{n}", true);

    private static OcdsBatch Batch(TenderBatchPhase phase)
    {
        var windows = new TenderWindows(
            new DateTimeOffset(2026, 3, 1, 17, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2026, 4, 1, 17, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2026, 4, 2, 9, 0, 0, TimeSpan.FromHours(8)),
            10);
        var definition = new TenderBatchDefinition(
            "A-NAT", "高值医用耗材集中带量采购", [], [Shanghai, Guangdong], ["H1", "H2", "H3"],
            new RuleSetChoice("round11", new Dictionary<string, string>(), PriceConversion.National), windows, 24)
        {
            Consumables = Terms,
        };
        var opened = phase >= TenderBatchPhase.Opened;
        var view = new TenderBatchView(BatchId, phase, definition, [], opened ? Bids.Count : null, opened ? windows.OpeningTime : null);
        return new OcdsBatch(
            view, [], [new(MakerA, "微创医疗", null), new(MakerB, "乐普医疗", null), new(MakerC, "Maker \"C\"", null)],
            opened ? Bids : null,
            phase >= TenderBatchPhase.Publicity ? Award : null,
            [],
            new Alliance("A-NAT", "国家组织高值医用耗材联合采购办公室", [new(Shanghai, "上海"), new(Guangdong, "广东")]));
    }

    private static byte[] Package(OcdsBatch batch) =>
        ExportFiles.Write(s => OcdsExport.Write(OcdsExport.Build(batch, PublishedAt, "国家医保局", "ocds-vbp001"), s));

    private static JsonElement Release(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        return Assert.Single(document.RootElement.GetProperty("releases").EnumerateArray().ToList()).Clone();
    }

    private static Dictionary<string, JsonElement> BidsById(JsonElement release) =>
        release.GetProperty("bids").GetProperty("details").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!);

    private static (string Status, bool Won, string Reason) BidOutcome(JsonElement bid) =>
        (bid.GetProperty("status").GetString()!, bid.GetProperty("vbpWon").GetBoolean(), bid.GetProperty("vbpReason").GetString()!);

    private static (string Name, decimal Price) UnitOf(JsonElement item) =>
        (item.GetProperty("unit").GetProperty("name").GetString()!, item.GetProperty("unit").GetProperty("value").GetProperty("amount").GetDecimal());

    private static (string Scheme, string Id) ClassificationOf(JsonElement item) =>
        (item.GetProperty("classification").GetProperty("scheme").GetString()!, item.GetProperty("classification").GetProperty("id").GetString()!);

}
