using System.Text.RegularExpressions;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Winners;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>
/// The independent rule checker (issue 15): every award of random instances passes it, in every
/// mode and rule set; an award altered to break one rule is caught with that rule and the place
/// named; and its source names none of the engine's types.
/// </summary>
public sealed class AwardCheckerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] RuleSets = ["round7", "round9", "round10", "round11", "custom"];

    private static AwardEngine Engine() => new(new SolveOptions(TimeSpan.FromSeconds(10), 2));

    /// <summary>
    /// A small batch: 1-2 products on 2-4 regions, 2-6 bids each on specifications of 7, 14 and 28
    /// units and two strengths, prices around and above the maximum (so every route, cut, revival and
    /// cap happens), some bidders unqualified, some affiliated, some declining revival, capacities
    /// from a third to all of the volume, and 3-7 hospitals per product, some naming a brand.
    /// </summary>
    internal static AwardInput RandomInput(int seed, string ruleSet, bool budgets)
    {
        var random = new Random(seed);
        var regions = Enumerable.Range(1, random.Next(2, 5)).Select(r => $"R{r}").ToList();
        var products = new List<ProductInput>();
        var bids = new List<BidInput>();
        var hospitals = new List<HospitalDemandInput>();
        var forms = new[] { "Tablet", "Capsule", "Injection", "Ointment" };
        for (var p = 0; p < random.Next(1, 3); p++)
        {
            var productId = $"P{p}";
            var lines = Enumerable.Range(0, random.Next(3, 8)).Select(h => new HospitalDemandInput(
                $"H{h}", regions[random.Next(regions.Count)], productId, random.Next(0, 400), null)).ToList();
            var maximum = decimal.Round(0.05m + (decimal)random.NextDouble() * 1.5m, 4);
            var product = new ProductInput(productId, forms[random.Next(forms.Length)], maximum, new SpecificationInput("7", 7, 10m),
                [new SpecificationInput("14", 14, 10m), new SpecificationInput("28", 28, 10m), new SpecificationInput("7x20", 7, 20m)],
                regions.ToDictionary(r => r, r => lines.Where(l => l.RegionCode == r).Sum(l => l.ReportedVolume)));
            products.Add(product);
            var total = Math.Max(1, lines.Sum(l => l.ReportedVolume));
            var count = random.Next(2, 7);
            for (var b = 0; b < count; b++)
            {
                var specification = new[] { "7", "14", "28", "7x20" }[random.Next(4)];
                var packs = specification switch { "14" => 14, "28" => 28, _ => 7 };
                // Unit prices from a tenth of the maximum to 1.3 times it; ties now and then.
                var unit = random.Next(5) == 0 ? maximum * 0.5m : maximum * (0.1m + (decimal)random.NextDouble() * 1.2m);
                bids.Add(new BidInput(
                    $"B{p}-{b}", $"M{b}", random.Next(4) == 0 ? "G" : $"M{b}", productId, specification,
                    Math.Max(0.0001m, decimal.Round(unit * packs, 4)),
                    (long)(total * (0.3 + random.NextDouble() * 0.9)),
                    regions.Where(_ => random.NextDouble() < 0.75).DefaultIfEmpty(regions[0]).ToList(),
                    T0.AddSeconds(random.Next(3)),
                    new BidderQualification(random.Next(10) > 0, random.Next(0, 5), random.Next(10) == 0),
                    AcceptsRevival: random.Next(4) > 0));
            }
            var manufacturers = bids.Where(b => b.ProductId == productId).Select(b => b.ManufacturerId).ToList();
            hospitals.AddRange(lines.Select(l => random.Next(4) == 0 ? l with { PreferredManufacturerId = manufacturers[random.Next(manufacturers.Count)] } : l));
        }
        var spend = products.Sum(p => p.ReportedVolumes.Values.Sum()) * 0.5m;
        return new AwardInput($"RANDOM-{seed}", ruleSet, new Dictionary<string, string>(), products,
            regions.Select(r => new RegionInput(r, budgets ? decimal.Round(spend * (decimal)random.NextDouble(), 2) : 1_000_000_000m)).ToList(),
            bids)
        {
            Hospitals = hospitals,
        };
    }

    /// <summary>200 random batches, each awarded ranked-pick and cost-optimal: the checker passes every award.</summary>
    [Fact]
    public void Every_region_level_award_of_200_random_batches_passes_the_checker()
    {
        var engine = Engine();
        var allocated = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var input = RandomInput(seed, RuleSets[seed % RuleSets.Length], budgets: seed % 3 == 0);
            foreach (var mode in new[] { AwardModes.RankedPick, AwardModes.CostOptimal })
            {
                var award = engine.Run(input, mode);
                var check = Assert.IsType<AwardCheck>(award.Check);
                Assert.True(check.Violations.Count == 0, $"seed {seed}, {mode}: {check.Summary(10)}");
                Assert.Equal(AwardCheck.Passed, check.Verdict);
                Assert.NotEqual(SolveStatus.RuleBroken, award.Solve.Status);
                if (award.Products.Any(p => p.Allocations.Count > 0))
                {
                    allocated++;
                }
            }
        }
        // The instances are not trivial: most awards allocate something.
        Assert.True(allocated > 250, $"only {allocated} of 400 awards allocated anything");
    }

    /// <summary>
    /// 200 random batches in hospital mode: the checker passes every award; where a product has at
    /// least as many hospitals to serve as winners, every winner that supplies one gets volume, and
    /// the cost equals an exhaustive search over every assignment that keeps every rule.
    /// </summary>
    [Fact]
    public void Every_hospital_level_award_of_200_random_batches_passes_the_checker_and_costs_the_exhaustive_optimum()
    {
        var engine = Engine();
        var compared = 0;
        for (var seed = 1_000; seed < 1_200; seed++)
        {
            var input = RandomInput(seed, RuleSets[seed % RuleSets.Length], budgets: false);
            var award = engine.Run(input, AwardModes.Hospital);
            var check = Assert.IsType<AwardCheck>(award.Check);
            Assert.True(check.Violations.Count == 0, $"seed {seed}: {check.Summary(10)}");
            Assert.NotEqual(SolveStatus.RuleBroken, award.Solve.Status);

            var optimum = 0m;
            var feasible = true;
            foreach (var product in award.Products)
            {
                var lines = HospitalLines(input, product);
                var best = Exhaustive(input, product, lines);
                if (best is null)
                {
                    feasible = false;
                    continue;
                }
                optimum += best.Value;
                var winners = product.Winners.Where(w => lines.Any(l => l.Candidates.Contains(w.BidId) && (l.Named is null || l.Named == w.BidId))).ToList();
                if (product.Winners.Count <= lines.Count)
                {
                    foreach (var winner in winners)
                    {
                        Assert.True(product.HospitalAllocations.Any(h => h.PrimaryBidId == winner.BidId), $"seed {seed}: {winner.BidId} got no hospital");
                    }
                }
            }
            if (!feasible)
            {
                Assert.Contains(award.Solve.Status, new[] { SolveStatus.Infeasible, SolveStatus.NoSolutionInTime });
                continue;
            }
            // The objective is the exact cost (volume x exact awarded price) to 6 decimals, summed over products.
            Assert.Equal(optimum, award.Products.Sum(p => p.HospitalAllocations
                .Aggregate(ExactPrice.Zero, (sum, h) => sum + ExactPrice.Of(h.AgreedVolume) * AwardedAmount.UnitPrice(p.Winners.Single(w => w.BidId == h.PrimaryBidId))).ToDecimal(6)));
            compared++;
        }
        Assert.True(compared > 150, $"only {compared} of 200 hospital awards could be compared");
    }

    private sealed record Line(HospitalDemandInput Demand, long Volume, List<string> Candidates, string? Named);

    private static List<Line> HospitalLines(AwardInput input, ProductAward product)
    {
        var bids = input.Bids.ToDictionary(b => b.BidId);
        return input.Hospitals!.Where(h => h.ProductId == product.ProductId)
            .Select(h => (Demand: h, Volume: (long)decimal.Round(h.ReportedVolume * product.AgreedShare, 0, MidpointRounding.AwayFromZero)))
            .Where(l => l.Volume > 0)
            .Select(l =>
            {
                var candidates = product.Winners.Where(w => bids[w.BidId].SupplyRegions.Contains(l.Demand.RegionCode)).Select(w => w.BidId).ToList();
                var named = product.Winners.FirstOrDefault(w => w.ManufacturerId == l.Demand.PreferredManufacturerId && candidates.Contains(w.BidId))?.BidId;
                return new Line(l.Demand, l.Volume, candidates, named);
            })
            .Where(l => l.Candidates.Count > 0)
            .ToList();
    }

    /// <summary>Every assignment of the lines to winners: capacities, named brands and (hospitals enough) every winner some volume.</summary>
    private static decimal? Exhaustive(AwardInput input, ProductAward product, List<Line> lines)
    {
        var capacity = product.Winners.ToDictionary(w => w.BidId, w => input.Bids.Single(b => b.BidId == w.BidId).AnnualCapacity);
        var price = product.Winners.ToDictionary(w => w.BidId, AwardedAmount.UnitPrice);
        var mustHave = product.Winners.Count <= lines.Count
            ? product.Winners.Where(w => lines.Any(l => l.Candidates.Contains(w.BidId) && (l.Named is null || l.Named == w.BidId))).Select(w => w.BidId).ToList()
            : [];
        decimal? best = null;
        var choice = new int[lines.Count];
        while (true)
        {
            var used = new Dictionary<string, long>();
            var exact = ExactPrice.Zero;
            var ok = true;
            for (var i = 0; i < lines.Count && ok; i++)
            {
                var bid = lines[i].Candidates[choice[i]];
                ok = lines[i].Named is null || lines[i].Named == bid;
                used[bid] = used.GetValueOrDefault(bid) + lines[i].Volume;
                exact += ExactPrice.Of(lines[i].Volume) * price[bid];
            }
            var cost = exact.ToDecimal(6);
            ok = ok && used.All(u => u.Value <= capacity[u.Key]) && mustHave.All(used.ContainsKey);
            if (ok && (best is null || cost < best))
            {
                best = cost;
            }
            var k = 0;
            while (k < lines.Count && ++choice[k] == lines[k].Candidates.Count)
            {
                choice[k++] = 0;
            }
            if (k == lines.Count)
            {
                return best;
            }
        }
    }

    /// <summary>A batch where every rule of the region modes has something to hold: three winners, three regions, spares.</summary>
    private static AwardInput Fixed(decimal? budget = null) => new(
        "CHECK", "custom", new Dictionary<string, string>(),
        [new ProductInput("P", "Tablet", 1m, new SpecificationInput("7", 7, 10m), [],
            new Dictionary<string, long> { ["R1"] = 1_000, ["R2"] = 600, ["R3"] = 400 })],
        [new RegionInput("R1", budget ?? 1_000_000m), new RegionInput("R2", 1_000_000m), new RegionInput("R3", 1_000_000m)],
        [
            new BidInput("A", "MA", "MA", "P", "7", 3.5m, 1_000, ["R1", "R2", "R3"], T0, new BidderQualification(true, 5, false)),
            new BidInput("B", "MB", "MB", "P", "7", 4.2m, 1_000, ["R1", "R2", "R3"], T0.AddSeconds(1), new BidderQualification(true, 5, false)),
            new BidInput("C", "MC", "MC", "P", "7", 5.6m, 1_000, ["R1", "R2", "R3"], T0.AddSeconds(2), new BidderQualification(true, 5, false)),
            new BidInput("D", "MD", "MD", "P", "7", 6.99m, 1_000, ["R1"], T0.AddSeconds(3), new BidderQualification(true, 5, false)),
        ])
    {
        Hospitals =
        [
            new HospitalDemandInput("H1", "R1", "P", 1_000, "MB"),
            new HospitalDemandInput("H2", "R2", "P", 600),
            new HospitalDemandInput("H3", "R3", "P", 400),
            new HospitalDemandInput("H4", "R3", "P", 100),
        ],
    };

    private static AwardDocument Tamper(AwardDocument award, Func<ProductAward, ProductAward> change) =>
        award with { Products = [change(award.Products.Single()), .. award.Products.Skip(1)] };

    private static void AssertBroken(AwardInput input, AwardDocument award, string rule, string place)
    {
        var check = AwardChecker.Check(input, award);
        Assert.Equal(AwardCheck.RuleBroken, check.Verdict);
        Assert.True(check.Violations.Any(v => v.Rule == rule && v.Place == place), $"expected {rule} at {place}; got {check.Summary(10)}");
        // Through the engine's gate the status becomes rule-broken, whatever the solver said.
        Assert.Equal(SolveStatus.RuleBroken, AwardEngine.Checked(input, award).Solve.Status);
    }

    [Fact]
    public void The_untouched_award_passes_and_every_altered_one_is_caught_with_the_rule_and_the_place()
    {
        var input = Fixed();
        var award = Engine().Run(input, AwardModes.CostOptimal);
        Assert.Equal(AwardCheck.Passed, award.Check!.Verdict);
        Assert.Equal(3, award.Products.Single().Winners.Count);
        var r1 = award.Products.Single().Allocations.Single(a => a.RegionCode == "R1");

        // A loser made a winner, and a winner dropped.
        AssertBroken(input, Tamper(award, p => p with { Statements = p.Statements.Select(s => s.BidId == "D" ? s with { Won = true } : s).ToList() }), RuleCodes.Winners, "product P, bid D");
        AssertBroken(input, Tamper(award, p => p with { Winners = p.Winners.Skip(1).ToList() }), RuleCodes.Winners, "product P");
        AssertBroken(input, Tamper(award, p => p with { AgreedShare = 0.8m }), RuleCodes.ProductFigures, "product P");
        AssertBroken(input, Tamper(award, p => p with { Statements = p.Statements.Select(s => s.BidId == "A" ? s with { AwardedUnitPrice = 0.49m } : s).ToList() }), RuleCodes.Statement, "product P, bid A");
        // A region given to a firm that lost, served twice, or left out.
        AssertBroken(input, Tamper(award, p => p with { Allocations = p.Allocations.Select(a => a.RegionCode == "R1" ? a with { PrimaryBidId = "D", PrimaryManufacturerId = "MD" } : a).ToList() }), RuleCodes.Supplier, "product P, region R1");
        AssertBroken(input, Tamper(award, p => p with { Allocations = [.. p.Allocations, r1] }), RuleCodes.Coverage, "product P, region R1");
        AssertBroken(input, Tamper(award, p => p with { Allocations = p.Allocations.Where(a => a.RegionCode != "R1").ToList() }), RuleCodes.Coverage, "product P, region R1");
        // The spare missing or the primary itself.
        AssertBroken(input, Tamper(award, p => p with { Allocations = p.Allocations.Select(a => a.RegionCode == "R1" ? a with { SpareBidId = null, SpareManufacturerId = null } : a).ToList() }), RuleCodes.Spare, "product P, region R1");
        AssertBroken(input, Tamper(award, p => p with { Allocations = p.Allocations.Select(a => a.RegionCode == "R1" ? a with { SpareBidId = a.PrimaryBidId, SpareManufacturerId = a.PrimaryManufacturerId } : a).ToList() }), RuleCodes.Spare, "product P, region R1");
        // Volume, price and amount.
        AssertBroken(input, Tamper(award, p => p with { Allocations = p.Allocations.Select(a => a.RegionCode == "R1" ? a with { AgreedVolume = a.AgreedVolume - 1 } : a).ToList() }), RuleCodes.AgreedVolume, "product P, region R1");
        AssertBroken(input, Tamper(award, p => p with { Allocations = p.Allocations.Select(a => a.RegionCode == "R1" ? a with { UnitPrice = a.UnitPrice - 0.000001m } : a).ToList() }), RuleCodes.Price, "product P, region R1");
        AssertBroken(input, Tamper(award, p => p with { Allocations = p.Allocations.Select(a => a.RegionCode == "R1" ? a with { Amount = a.Amount + 0.01m } : a).ToList() }), RuleCodes.Price, "product P, region R1");
        // Every region to the cheapest: over its capacity, and the other winners without volume.
        var cheapest = award.Products.Single().Winners[0];
        var greedy = Tamper(award, p => p with
        {
            Allocations = p.Allocations.Select(a => a with
            {
                PrimaryBidId = cheapest.BidId, PrimaryManufacturerId = cheapest.ManufacturerId, UnitPrice = cheapest.AwardedUnitPrice!.Value,
                Amount = AwardedAmount.Yuan(a.AgreedVolume, cheapest),
                SpareBidId = a.PrimaryBidId == cheapest.BidId ? a.SpareBidId : a.PrimaryBidId,
                SpareManufacturerId = a.PrimaryBidId == cheapest.BidId ? a.SpareManufacturerId : a.PrimaryManufacturerId,
            }).ToList(),
        });
        AssertBroken(input, greedy, RuleCodes.Capacity, $"product P, bid {cheapest.BidId}");
        AssertBroken(input, greedy, RuleCodes.EveryWinner, $"product P, bid {award.Products.Single().Winners[1].BidId}");
        // The figures of the solve.
        AssertBroken(input, award with { Solve = award.Solve with { Objective = award.Solve.Objective + 1m } }, RuleCodes.Objective, "$.solve.objective");
        AssertBroken(input, award with { Solve = award.Solve with { Bound = award.Solve.Objective + 1m, Gap = null } }, RuleCodes.Objective, "$.solve.bound");
        // A product left out of the award.
        AssertBroken(input, award with { Products = [] }, RuleCodes.Document, "product P");
    }

    [Fact]
    public void A_region_over_its_budget_is_caught_in_cost_optimal_awards()
    {
        var award = Engine().Run(Fixed(), AwardModes.CostOptimal);
        var spentInR1 = award.Products.Single().Allocations.Where(a => a.RegionCode == "R1").Sum(a => a.Amount);
        var tight = Fixed(budget: spentInR1 - 0.01m);
        AssertBroken(tight, award with { BatchId = tight.BatchId }, RuleCodes.Budget, "region R1");
        // With the budget it was solved under, the same award holds.
        Assert.Equal(AwardCheck.Passed, AwardChecker.Check(Fixed(budget: spentInR1), award).Verdict);
    }

    [Fact]
    public void In_hospital_mode_a_named_brand_taken_away_or_a_hospital_left_out_is_caught()
    {
        var input = Fixed();
        var award = Engine().Run(input, AwardModes.Hospital);
        Assert.Equal(AwardCheck.Passed, award.Check!.Verdict);
        var h1 = award.Products.Single().HospitalAllocations.Single(h => h.HospitalId == "H1");
        Assert.Equal("MB", h1.PrimaryManufacturerId);
        Assert.True(h1.NamedBrand);

        var other = award.Products.Single().Winners.First(w => w.ManufacturerId != "MB");
        AssertBroken(input, Tamper(award, p => p with
        {
            HospitalAllocations = p.HospitalAllocations.Select(h => h.HospitalId == "H1"
                ? h with { PrimaryBidId = other.BidId, PrimaryManufacturerId = other.ManufacturerId, UnitPrice = other.AwardedUnitPrice!.Value, Amount = AwardedAmount.Yuan(h.AgreedVolume, other), SpareBidId = h.PrimaryBidId, SpareManufacturerId = h.PrimaryManufacturerId }
                : h).ToList(),
        }), RuleCodes.NamedBrand, "product P, hospital H1");
        AssertBroken(input, Tamper(award, p => p with { HospitalAllocations = p.HospitalAllocations.Where(h => h.HospitalId != "H4").ToList() }), RuleCodes.Coverage, "product P, hospital H4");
        // Listed as unallocated although a winner supplying its region has the room.
        var h4 = award.Products.Single().HospitalAllocations.Single(h => h.HospitalId == "H4");
        AssertBroken(input, Tamper(award, p => p with
        {
            HospitalAllocations = p.HospitalAllocations.Where(h => h.HospitalId != "H4").ToList(),
            UnallocatedHospitals = [new UnallocatedHospital("H4", "R3", h4.AgreedVolume, "no winner offered to supply its region")],
        }), RuleCodes.Unallocated, "product P, hospital H4");
    }

    /// <summary>
    /// The checker shares no code with the engine: the source of Optimizer/Checking names none of
    /// the solvers, the winner determination or its price arithmetic, nor their namespaces.
    /// </summary>
    [Fact]
    public void The_checker_names_none_of_the_engines_types()
    {
        var folder = Path.Combine(RepositoryRoot(), "Optimizer", "Checking");
        var files = Directory.GetFiles(folder, "*.cs");
        Assert.NotEmpty(files);
        string[] forbidden =
        [
            "WinnerDetermination", "UnitPrice", "ExactPrice", "RankedPick", "CostOptimal", "RegionSearch", "RegionMip", "BudgetRepair",
            "HospitalLevel", "AgreedVolumes", "ProductResult", "ProductToAllocate", "Reasons.", "RuleParameters.Override", "MaxWinners(", "AgreedShare(",
            "using Procurement.Optimizer.Winners", "using Procurement.Optimizer.Allocation", "using Google.OrTools",
        ];
        foreach (var file in files)
        {
            var code = Regex.Replace(File.ReadAllText(file), @"///.*|//.*", "");
            foreach (var name in forbidden)
            {
                var pattern = char.IsLetter(name[^1]) ? $@"(?<![\w.]){Regex.Escape(name)}\b" : $@"(?<![\w.]){Regex.Escape(name)}";
                Assert.False(Regex.IsMatch(code, pattern), $"{Path.GetFileName(file)} names {name}");
            }
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Procurement.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Procurement.sln not found above the test binaries.");
    }
}
