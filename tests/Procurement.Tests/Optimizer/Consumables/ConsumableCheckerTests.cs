using System.Text.RegularExpressions;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.Consumables.Checking;
using Procurement.Optimizer.RuleSets.Consumables;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>
/// The independent consumables checker: every award of random instances passes it; an award altered
/// to break one rule is caught with that rule and the place named; its source names none of the
/// engine's types.
/// </summary>
public sealed class ConsumableCheckerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string>[] Overrides =
    [
        [],
        new() { ["groupB.ratioReference"] = "groupALowest", ["groupA.winnerShare"] = "0.6" },
        new() { ["groupA.ratioLimit"] = "none", ["groupA.maxWinners"] = "2", ["affiliatesAsOneBidder"] = "false" },
        new() { ["groupB.priceCut"] = "0.4", ["groupB.maxValidPriceShare"] = "0.8", ["componentSumAtLeastSetPrice"] = "false", ["topShare"] = "0.6" },
        new() { ["grouping"] = "none", ["groupA.ratioLimit"] = "1.3", ["groupA.priceCut"] = "0.3" },
        new() { ["groupA.ratioLimit"] = "none", ["groupA.priceCut"] = "0.5", ["groupB.winnerShare"] = "0.5" },
    ];

    /// <summary>
    /// A small batch: 1-3 categories, a third of them product systems of 2-4 components (some with a
    /// component maximum); 2-9 firms bidding 1-2 products each at 10% to 120% of the maximum (ties
    /// now and then), some unqualified or barred, some affiliated; components around the set price;
    /// 3-12 hospitals per category naming a firm (now and then one that did not bid, or a product).
    /// </summary>
    internal static ConsumableAwardInput RandomInput(int seed)
    {
        var random = new Random(seed);
        var ruleSet = ConsumableRuleSetCatalog.Names[seed % ConsumableRuleSetCatalog.Names.Count];
        var parameters = ruleSet == ConsumableRuleSetCatalog.Custom ? Overrides[seed / 4 % Overrides.Length] : [];
        var categories = new List<ConsumableCategoryInput>();
        var bids = new List<ConsumableBidInput>();
        var intentions = new List<HospitalIntentionInput>();
        for (var c = 0; c < random.Next(1, 4); c++)
        {
            var id = $"K{c}";
            var system = random.Next(3) == 0;
            var maximum = decimal.Round(500m + (decimal)random.NextDouble() * 4_500m, 2);
            var components = system
                ? Enumerable.Range(0, random.Next(2, 5)).Select(k => new SystemComponentInput($"c{k}", $"part {k}", random.Next(3) == 0 ? decimal.Round(maximum / 2, 2) : null)).ToList()
                : [];
            categories.Add(new ConsumableCategoryInput(id, $"category {c}", "C03", maximum, system ? PurchaseUnit.System : PurchaseUnit.Unit, components));
            var firms = Enumerable.Range(1, random.Next(2, 10)).Select(f => $"F{f}").ToList();
            var products = new Dictionary<string, List<string>>();
            foreach (var firm in firms)
            {
                var affiliate = random.Next(4) == 0 ? $"G{random.Next(2)}" : firm;
                for (var p = 0; p < random.Next(1, 3); p++)
                {
                    var price = random.Next(6) == 0
                        ? decimal.Round(maximum * 0.3m, 0)
                        : decimal.Round(maximum * (0.1m + (decimal)random.NextDouble() * 1.1m), 2);
                    var product = new ConsumableProduct($"CERT-{firm}-{p}", "M", null);
                    products.TryAdd(firm, []);
                    products[firm].Add(product.ProductId);
                    bids.Add(new ConsumableBidInput($"{id}-{firm}-{p}", firm, affiliate, id, product, Math.Max(0.01m, price),
                        system ? Parts(random, components, price) : [], random.Next(0, 5_000), T0.AddSeconds(random.Next(3)),
                        new ConsumableQualification(random.Next(10) > 0, random.Next(15) == 0)));
                }
            }
            for (var h = 0; h < random.Next(3, 13); h++)
            {
                var firm = random.Next(10) == 0 ? "F99" : firms[random.Next(firms.Count)];
                var product = random.Next(3) == 0 ? (products.TryGetValue(firm, out var own) && random.Next(4) > 0 ? own[random.Next(own.Count)] : "CERT-X/M") : null;
                var further = firms.Where(f => f != firm && random.Next(4) == 0).Take(3).ToList();
                intentions.Add(new HospitalIntentionInput($"H{h}", $"R{random.Next(3)}", id, firm, product, random.Next(0, 500), further));
            }
        }
        return new ConsumableAwardInput($"RANDOM-{seed}", ruleSet, parameters, categories, bids, intentions);
    }

    /// <summary>Component prices adding up to 80% to 130% of the set price, each at least a fen.</summary>
    private static List<ComponentPrice> Parts(Random random, List<SystemComponentInput> components, decimal price)
    {
        var total = price * (0.8m + (decimal)random.NextDouble() * 0.5m);
        var weights = components.Select(_ => 1 + random.Next(4)).ToList();
        return components.Select((c, i) => new ComponentPrice(c.ComponentId, Math.Max(0.01m, decimal.Round(total * weights[i] / weights.Sum(), 2)))).ToList();
    }

    [Fact]
    public void Every_award_of_300_random_batches_passes_the_checker()
    {
        var reasons = new HashSet<string>();
        var groupBWinners = 0;
        var chooseAgain = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            var input = RandomInput(seed);
            Assert.Empty(ConsumableInputValidator.Problems(input));
            var award = ConsumableWinnerDetermination.Run(input);
            var check = ConsumableAwardChecker.Check(input, award);

            Assert.True(check.Passed, $"seed {seed} ({input.RuleSet}): {check.Summary(10)}");
            Assert.All(check.Rules, r => Assert.Equal(0, r.Broken));
            reasons.UnionWith(award.Categories.SelectMany(c => c.Statements).Select(s => s.Reason));
            groupBWinners += award.Categories.Sum(c => c.Winners.Count(w => w.Group == DemandGroupName.B));
            chooseAgain += award.Categories.Sum(c => c.ToChooseAgain.Count);
        }
        // The instances are not trivial: every reason happens, group B wins now and then, hospitals choose again.
        Assert.Equal(
            [
                ConsumableReasons.AboveMaximumPrice, ConsumableReasons.AboveRatio, ConsumableReasons.AffiliateNotBest, ConsumableReasons.ComponentsInconsistent, ConsumableReasons.CutTooSmall,
                ConsumableReasons.NotQualified, ConsumableReasons.WinnerCapReached, ConsumableReasons.WonEligible, ConsumableReasons.WonByPriceCut, ConsumableReasons.WonByRatio,
            ],
            reasons.Order(StringComparer.Ordinal));
        Assert.True(groupBWinners > 50, $"only {groupBWinners} group-B winners");
        Assert.True(chooseAgain > 100, $"only {chooseAgain} hospitals to choose again");
    }

    /// <summary>The hand-worked five-firm category of <c>ConsumableWinnerTests</c>: A = F1, F2; B = F3, F4, F5; b1 and b3 win.</summary>
    private static ConsumableAwardInput FiveFirms() => new("B1", "custom", new Dictionary<string, string>(),
        [new ConsumableCategoryInput("K", "Stent", null, 1_000m, PurchaseUnit.Unit, [])],
        new[] { ("b1", "F1", 400m), ("b2", "F2", 800m), ("b3", "F3", 200m), ("b4", "F4", 700m), ("b5", "F5", 1_100m) }
            .Select(b => new ConsumableBidInput(b.Item1, b.Item2, b.Item2, "K", new ConsumableProduct($"CERT-{b.Item1}", "M1", null), b.Item3, [], 1_000, T0,
                new ConsumableQualification(true, false)))
            .ToList(),
        new[] { ("H1", "F1", 500L), ("H3", "F2", 300L), ("H4", "F3", 100L), ("H5", "F4", 60L), ("H6", "F5", 40L) }
            .Select(i => new HospitalIntentionInput(i.Item1, "R1", "K", i.Item2, null, i.Item3, []))
            .ToList());

    private static ConsumableAwardResult Alter(ConsumableAwardResult award, Func<ConsumableCategoryResult, ConsumableCategoryResult> change) =>
        award with { Categories = award.Categories.Select(change).ToList() };

    private static void AssertCaught(ConsumableAwardInput input, ConsumableAwardResult altered, string rule, string place)
    {
        var check = ConsumableAwardChecker.Check(input, altered);

        Assert.False(check.Passed);
        Assert.Equal(AwardCheck.RuleBroken, check.Verdict);
        Assert.Contains(check.Violations, v => v.Rule == rule && v.Place == place);
        Assert.True(check.Rules.Single(r => r.Rule == rule).Broken > 0);
    }

    [Fact]
    public void The_unaltered_award_passes_with_every_rule_checked()
    {
        var input = FiveFirms();
        var check = ConsumableAwardChecker.Check(input, ConsumableWinnerDetermination.Run(input));

        Assert.True(check.Passed, check.Summary());
        Assert.All(check.Rules, r => Assert.True(r.Checks > 0, $"{r.Rule} never checked"));
    }

    [Fact]
    public void A_loser_flipped_to_winner_is_caught()
    {
        var input = FiveFirms();
        var award = ConsumableWinnerDetermination.Run(input);
        var altered = Alter(award, c => c with
        {
            Statements = c.Statements.Select(s => s.BidId == "b2" ? s with { Won = true, Reason = ConsumableReasons.WonByRatio, AwardedPrice = s.Price } : s).ToList(),
            Winners = [.. c.Winners, new ConsumableWinner("b2", "F2", "CERT-b2/M1", DemandGroupName.A, 800m, [], 1_000, 0)],
        });

        AssertCaught(input, altered, ConsumableRuleCodes.Winners, "category K, bid b2");
        AssertCaught(input, altered, ConsumableRuleCodes.PriceRule, "category K, bid b2");
        AssertCaught(input, altered, ConsumableRuleCodes.Winners, "category K");
    }

    [Fact]
    public void A_group_boundary_moved_is_caught()
    {
        var input = FiveFirms();
        var award = ConsumableWinnerDetermination.Run(input);
        // F3 moved into group A: its bid would then be measured against A's lowest.
        var altered = Alter(award, c => c with
        {
            Demand = c.Demand.Select(d => d.FirmId == "F3" ? d with { Group = DemandGroupName.A } : d).ToList(),
            Statements = c.Statements.Select(s => s.FirmId == "F3" ? s with { Group = DemandGroupName.A } : s).ToList(),
        });

        AssertCaught(input, altered, ConsumableRuleCodes.DemandGroups, "category K, firm F3");
        AssertCaught(input, altered, ConsumableRuleCodes.DemandGroups, "category K, bid b3");
    }

    [Fact]
    public void A_wrong_intended_volume_or_a_hospital_left_out_of_choosing_again_is_caught()
    {
        var input = FiveFirms();
        var award = ConsumableWinnerDetermination.Run(input);

        AssertCaught(input, Alter(award, c => c with { WinningFirms = c.WinningFirms.Select(f => f with { IntendedVolume = f.IntendedVolume + 1 }).ToList() }),
            ConsumableRuleCodes.IntendedVolume, "category K, firm F1");
        AssertCaught(input, Alter(award, c => c with { ToChooseAgain = c.ToChooseAgain.Where(h => h.HospitalId != "H5").ToList() }),
            ConsumableRuleCodes.ChooseAgain, "category K, hospital H5");
        AssertCaught(input, Alter(award, c => c with { Groups = c.Groups.Select(g => g with { ReferencePrice = 1m }).ToList() }),
            ConsumableRuleCodes.GroupFigures, "category K, group B");
    }

    [Fact]
    public void A_winner_beyond_the_cap_is_caught_as_a_cap_violation()
    {
        var bids = Enumerable.Range(1, 4)
            .Select(i => new ConsumableBidInput($"s{i}", $"F{i}", $"F{i}", "K", new ConsumableProduct($"CERT-{i}", "M", null), 100m + i, [], 1_000, T0, new ConsumableQualification(true, false)))
            .ToList();
        var input = new ConsumableAwardInput("B1", "stents2020", new Dictionary<string, string>(),
            [new ConsumableCategoryInput("K", "Stent", null, 1_000m, PurchaseUnit.Unit, [])], bids, []);
        var award = ConsumableWinnerDetermination.Run(input);
        Assert.Equal(ConsumableReasons.WinnerCapReached, award.Categories[0].Statements.Single(s => s.BidId == "s4").Reason);

        var altered = Alter(award, c => c with
        {
            Statements = c.Statements.Select(s => s.BidId == "s4" ? s with { Won = true, Reason = ConsumableReasons.WonByRatio, AwardedPrice = s.Price } : s).ToList(),
        });

        AssertCaught(input, altered, ConsumableRuleCodes.WinnerCap, "category K, bid s4");
    }

    /// <summary>The checker shares no code with the engine: the source of Optimizer/Consumables/Checking calls none of it.</summary>
    [Fact]
    public void The_checker_names_none_of_the_engines_types()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Procurement.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        var files = Directory.GetFiles(Path.Combine(directory.FullName, "Optimizer", "Consumables", "Checking"), "*.cs");
        Assert.NotEmpty(files);
        string[] forbidden = ["ConsumableWinnerDetermination", "DemandGroups.Split", "ConsumableReasons", "ChooseAgainReasons", ".WinnerCap(", ".RuleOf(", ".Override("];
        foreach (var file in files)
        {
            var code = Regex.Replace(File.ReadAllText(file), @"///.*|//.*", "");
            foreach (var name in forbidden)
            {
                Assert.False(code.Contains(name, StringComparison.Ordinal), $"{Path.GetFileName(file)} names {name}");
            }
        }
    }
}
