using System.Text.RegularExpressions;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>
/// The award's figures at its boundaries, through the library (<see cref="AwardEngine"/>): prices
/// compared exactly as docs/AWARD.md says, amounts never built from a rounded price, and one bid per
/// manufacturer and product.
/// </summary>
public sealed class AwardExactFiguresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly BidderQualification Qualified = new(true, 5, false);

    private static BidInput Bid(string id, string manufacturer, decimal pricePerPack, int second, string specification = "7") =>
        new(id, manufacturer, manufacturer, "P", specification, pricePerPack, 1_000_000, ["R1", "R2"], T0.AddSeconds(second), Qualified);

    /// <summary>
    /// One 7-pack product in two regions of 42,000 and 35,000 units (agreed share 100 %), bids A at
    /// 1.00 and B at 1.50 the pack: at the 6-decimal unit prices 0.142857 and 0.214286 the amounts
    /// would be 5,999.99 / 4,999.99 and 8,999.99 / 7,500.01, each a fen off.
    /// </summary>
    private static AwardInput SevenPacks() => new(
        "EXACT",
        RuleSetCatalog.Custom,
        new Dictionary<string, string> { ["agreedShareByWinners"] = "1,1,1" },
        [new ProductInput("P", "Tablet", 1m, new SpecificationInput("7", 7, 10m), [], new Dictionary<string, long> { ["R1"] = 42_000, ["R2"] = 35_000 })],
        [new RegionInput("R1", 1_000_000m), new RegionInput("R2", 1_000_000m)],
        [Bid("A", "M-A", 1.00m, 0), Bid("B", "M-B", 1.50m, 1)])
    {
        Hospitals = [new HospitalDemandInput("H1", "R1", "P", 42_000), new HospitalDemandInput("H2", "R2", "P", 35_000)],
    };

    [Theory]
    [InlineData(AwardModes.RankedPick)]
    [InlineData(AwardModes.CostOptimal)]
    [InlineData(AwardModes.Hospital)]
    public void Amounts_are_units_times_pack_price_over_pack_count_rounded_once_to_the_fen(string mode)
    {
        var input = SevenPacks();

        var award = new AwardEngine(new SolveOptions(TimeSpan.FromSeconds(5), 1)).Run(input, mode);

        Assert.Equal(AwardCheck.Passed, award.Check!.Verdict);
        var product = Assert.Single(award.Products);
        var packPrice = input.Bids.ToDictionary(b => b.BidId, b => b.PricePerPack);
        var lines = mode == AwardModes.Hospital
            ? product.HospitalAllocations.Select(h => (h.RegionCode, h.PrimaryBidId, h.AgreedVolume, h.UnitPrice, h.Amount)).ToList()
            : product.Allocations.Select(a => (a.RegionCode, a.PrimaryBidId, a.AgreedVolume, a.UnitPrice, a.Amount)).ToList();
        Assert.Equal(2, lines.Count);
        foreach (var line in lines)
        {
            // Every volume here is a multiple of 7: the exact amount is a whole number of yuan.
            Assert.Equal(line.AgreedVolume * packPrice[line.PrimaryBidId] / 7m, line.Amount);
            Assert.NotEqual(decimal.Round(line.AgreedVolume * line.UnitPrice, 2), line.Amount);
        }
        // A, the cheaper, gets the larger region in every mode: 42,000 units at 1.00 CNY the 7-pack.
        var r1 = lines.Single(l => l.RegionCode == "R1");
        Assert.Equal(("A", 42_000L, 0.142857m, 6_000.00m), (r1.PrimaryBidId, r1.AgreedVolume, r1.UnitPrice, r1.Amount));
        Assert.Equal(lines.Sum(l => l.Amount), award.Solve.Objective);
    }

    [Fact]
    public void A_revived_bid_is_paid_the_exact_revival_price_not_its_six_decimal_display()
    {
        // Round 10: A at 1.00 the 7-pack wins alone by the ratio, C at 2.00 is cut and revived at
        // 1.8 x A's exact unit price, 1.80 / 7 (0.257143 displayed); 35,000 units of it are 9,000.00.
        var input = SevenPacks() with
        {
            RuleSet = RuleSetCatalog.Round10,
            Parameters = new Dictionary<string, string> { ["agreedShareByWinners"] = "1,1,1" },
            Bids = [Bid("A", "M-A", 1.00m, 0), Bid("C", "M-C", 2.00m, 1)],
        };

        var award = new AwardEngine(new SolveOptions(TimeSpan.FromSeconds(5), 1)).Run(input, AwardModes.CostOptimal);

        Assert.Equal(AwardCheck.Passed, award.Check!.Verdict);
        var revived = award.Products[0].Statements.Single(s => s.BidId == "C");
        Assert.Equal(Reasons.WonByRevival, revived.Reason);
        Assert.Equal(0.257143m, revived.AwardedUnitPrice);
        var line = award.Products[0].Allocations.Single(a => a.PrimaryBidId == "C");
        Assert.Equal(line.AgreedVolume * 1.80m / 7m, line.Amount);
    }

    [Fact]
    public void Two_bids_of_one_manufacturer_on_one_product_are_refused_by_the_library_naming_both()
    {
        var input = SevenPacks() with { Bids = [Bid("A", "M-A", 1.00m, 0), Bid("B", "M-B", 1.50m, 1), Bid("A-AGAIN", "M-A", 1.20m, 2)] };

        var refused = Assert.Throws<AwardInputException>(() => new AwardEngine(new SolveOptions(TimeSpan.FromSeconds(5), 1)).Run(input, AwardModes.RankedPick));

        var (path, problem) = Assert.Single(refused.Problems);
        Assert.Equal("$.bids[2].manufacturerId", path);
        Assert.Contains("$.bids[0] (bid 'A')", problem);
        Assert.Contains("'A-AGAIN' is refused", problem);
    }

    [Fact]
    public void The_normalisation_method_is_documented_and_the_documented_example_holds()
    {
        var text = Regex.Replace(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "AWARD.md")), @"\s+", " ");
        var start = text.IndexOf("1. **Normalise**", StringComparison.Ordinal);
        var normalise = text[start..text.IndexOf("2. **Eligibility**", start, StringComparison.Ordinal)];
        foreach (var words in new[] { "rounded to 12 decimals", "is the rule's factor", "exact fraction", "to 6 decimals", "no decision depends on a rounding" })
        {
            Assert.Contains(words, normalise);
        }

        // The example it gives: 1.00 and 1.80 on a 7-pack are exactly 1.8 x apart and both win,
        // though their displayed unit prices are 1.800002 x apart.
        var product = new ProductInput("P", "Tablet", 1m, new SpecificationInput("7", 7, 10m), [new SpecificationInput("21", 21, 10m)], new Dictionary<string, long> { ["R1"] = 1 });
        var rules = RuleSetCatalog.Resolve(RuleSetCatalog.Round9, new Dictionary<string, string>());
        var result = new WinnerDetermination(rules).Determine(product, [Bid("A", "M-A", 1.00m, 0), Bid("B", "M-B", 1.80m, 1), Bid("C", "M-C", 5m, 2)]);
        var b = result.Statements.Single(s => s.BidId == "B");
        Assert.Equal((true, Reasons.WonByRatio, 0.257143m, 0.142857m), (b.Won, b.Reason, b.UnitComparablePrice, b.Anchor!.Value));

        // A converted specification: the factor is taken to 12 decimals and is then exact, so a
        // 21-pack priced at exactly 1.8 x its converted worth of A's pack wins, one ten-thousandth more does not.
        var factor = UnitPrice.Factor(rules, product.Representative, product.OtherSpecifications[0]);
        Assert.Equal(decimal.Round(factor, 12), factor);
        var atLimit = UnitPrice.PackPrice(rules, product, product.OtherSpecifications[0], ExactPrice.Of(1.8m) * UnitPrice.Exact(1.00m, 1m, 7));
        var converted = new WinnerDetermination(rules).Determine(product,
            [Bid("A", "M-A", 1.00m, 0), Bid("B", "M-B", atLimit, 1, "21"), Bid("C", "M-C", atLimit + 0.0001m, 2, "21"), Bid("D", "M-D", 50m, 3)]);
        var exactlyAt = UnitPrice.Exact(atLimit, factor, 7) <= ExactPrice.Of(1.8m) * UnitPrice.Exact(1.00m, 1m, 7);
        Assert.Equal(exactlyAt ? Reasons.WonByRatio : Reasons.AboveRatio, converted.Statements.Single(s => s.BidId == "B").Reason);
        Assert.Equal(Reasons.AboveRatio, converted.Statements.Single(s => s.BidId == "C").Reason);
    }
}
