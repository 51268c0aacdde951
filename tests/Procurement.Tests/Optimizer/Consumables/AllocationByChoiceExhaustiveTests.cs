using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Consumables.Allocation;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>
/// Allocation by choice against an exhaustive search over every assignment (each hospital to a winning
/// offer or unsupplied) on small random instances, firms winning with one or two products and hospitals
/// naming some of them, the rule written again here from its documentation.
/// </summary>
public sealed class AllocationByChoiceExhaustiveTests
{
    private static readonly SolveOptions Options = new(TimeSpan.FromSeconds(10), 2);

    private static CategoryChoices RandomCategory(Random random)
    {
        // Winning firms F0..F2, some with two offers (products) of their own price and capacity.
        var winners = Enumerable.Range(0, random.Next(1, 4)).SelectMany(f => Enumerable.Range(0, random.NextDouble() < 0.4 ? 2 : 1).Select(o => new WinningOffer(
            $"O{f}{o}", $"F{f}", random.Next(100, 400) / 4m, random.NextDouble() < 0.2 ? null : random.Next(5, 45)))).ToList();
        // Firms F0..F4: those beyond the winners lost. A hospital sometimes names an offer of a firm it chose.
        var hospitals = Enumerable.Range(0, random.Next(1, 7)).Select(h =>
        {
            var intended = $"F{random.Next(5)}";
            var further = Enumerable.Range(0, random.Next(0, 3)).Select(_ => $"F{random.Next(5)}").ToList();
            var named = new[] { intended }.Concat(further).Distinct()
                .Select(f => winners.Where(w => w.FirmId == f).ToList())
                .Where(o => o.Count > 0 && random.NextDouble() < 0.5)
                .Select(o => o[random.Next(o.Count)].OfferId)
                .ToList();
            return new HospitalIntention($"H{h}", "R1", random.Next(1, 21), intended, further, named.Count > 0 ? named : null);
        }).ToList();
        return new CategoryChoices("C", winners, hospitals);
    }

    /// <summary>A hospital's choices as documented: each listed winning firm once, all its offers, or the offer it named of several and then the others.</summary>
    private static List<List<int>> Choices(CategoryChoices category, HospitalIntention intention)
    {
        var winners = category.Winners;
        var choices = new List<List<int>>();
        foreach (var firm in new[] { intention.IntendedFirmId }.Concat(intention.FurtherChoices ?? []).Distinct())
        {
            var offers = Enumerable.Range(0, winners.Count).Where(k => winners[k].FirmId == firm).ToList();
            if (offers.Count == 0)
            {
                continue;
            }
            var named = offers.FirstOrDefault(k => (intention.NamedOffers ?? []).Contains(winners[k].OfferId), -1);
            if (named >= 0 && offers.Count > 1)
            {
                choices.Add([named]);
                offers.Remove(named);
            }
            choices.Add(offers);
        }
        return choices;
    }

    /// <summary>The proportional rule as documented, by firm: orphans largest first to the firm furthest below its share, within its offers' room.</summary>
    private static Dictionary<int, List<int>> Apportion(CategoryChoices category, List<List<List<int>>> listed)
    {
        var winners = category.Winners;
        var firms = winners.Select(w => w.FirmId).Distinct().ToList();
        var offersOf = firms.Select(f => Enumerable.Range(0, winners.Count).Where(k => winners[k].FirmId == f).ToList()).ToList();
        var intended = new long[firms.Count];
        for (var h = 0; h < listed.Count; h++)
        {
            if (listed[h].Count > 0)
            {
                intended[firms.IndexOf(winners[listed[h][0][0]].FirmId)] += category.Intentions[h].Quantity;
            }
        }
        var orphans = Enumerable.Range(0, listed.Count).Where(h => listed[h].Count == 0)
            .OrderByDescending(h => category.Intentions[h].Quantity).ThenBy(h => h).ToList();
        decimal orphanVolume = orphans.Sum(h => category.Intentions[h].Quantity);
        decimal total = intended.Sum();
        var given = new decimal[firms.Count];
        var room = offersOf.Select((o, f) => o.Any(k => winners[k].AnnualCapacity is null) ? long.MaxValue : o.Sum(k => winners[k].AnnualCapacity!.Value) - intended[f]).ToArray();
        var rule = new Dictionary<int, List<int>>();
        foreach (var h in orphans)
        {
            var q = category.Intentions[h].Quantity;
            var candidates = Enumerable.Range(0, firms.Count).Where(f => room[f] >= q).ToList();
            if (candidates.Count == 0)
            {
                continue;
            }
            decimal Below(int f) => (total == 0 ? orphanVolume / firms.Count : orphanVolume * intended[f] / total) - given[f];
            var best = candidates.OrderByDescending(Below).ThenBy(f => offersOf[f].Min(k => winners[k].UnitPrice)).ThenBy(f => f).First();
            rule[h] = offersOf[best];
            given[best] += q;
            room[best] = room[best] == long.MaxValue ? long.MaxValue : room[best] - q;
        }
        return rule;
    }

    /// <summary>The best (unsupplied units, -first choices, rank sum, cost in fen) over every assignment.</summary>
    private static (long, long, long, long) Exhaustive(CategoryChoices category, FallbackRule fallback)
    {
        var winners = category.Winners;
        var listed = category.Intentions.Select(i => Choices(category, i)).ToList();
        var rule = fallback == FallbackRule.ProportionalToIntendedVolume ? Apportion(category, listed) : [];
        var n = category.Intentions.Count;
        var options = winners.Count + 1;
        var best = (long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue);
        var assign = new int[n];
        var combinations = (int)Math.Pow(options, n);
        for (var code = 0; code < combinations; code++)
        {
            var c = code;
            for (var h = 0; h < n; h++)
            {
                assign[h] = c % options - 1;
                c /= options;
            }
            var used = new long[winners.Count];
            long unsupplied = 0, first = 0, ranks = 0, cost = 0;
            for (var h = 0; h < n; h++)
            {
                var q = category.Intentions[h].Quantity;
                var choices = listed[h].Count > 0 ? listed[h] : rule.TryGetValue(h, out var r) ? [r] : [];
                var k = assign[h];
                if (k < 0)
                {
                    unsupplied += q;
                    ranks += choices.Count + 1;
                    continue;
                }
                used[k] += q;
                cost += q * (long)(winners[k].UnitPrice * 100);
                var place = choices.FindIndex(g => g.Contains(k));
                ranks += place >= 0 ? place : choices.Count;
                first += listed[h].Count > 0 && place == 0 ? 1 : 0;
            }
            if (Enumerable.Range(0, winners.Count).Any(k => winners[k].AnnualCapacity is { } cap && used[k] > cap))
            {
                continue;
            }
            var key = (unsupplied, -first, ranks, cost);
            if (key.CompareTo(best) < 0)
            {
                best = key;
            }
        }
        return best;
    }

    [Theory]
    [InlineData(FallbackRule.LowestPrice, 1)]
    [InlineData(FallbackRule.LowestPrice, 2)]
    [InlineData(FallbackRule.ProportionalToIntendedVolume, 3)]
    [InlineData(FallbackRule.ProportionalToIntendedVolume, 4)]
    public void Every_level_equals_the_exhaustive_optimum_and_is_proven(FallbackRule fallback, int seed)
    {
        var random = new Random(seed);
        var solved = 0;
        var binding = 0;
        var severalOffers = 0;
        for (var instance = 0; instance < 60; instance++)
        {
            var category = RandomCategory(random);
            var result = new AllocationByChoice(Options).Allocate(new ChoiceAllocationInput([category], fallback));
            var allocation = Assert.Single(result.Categories);
            var levels = allocation.Levels;
            var expected = Exhaustive(category, fallback);
            Assert.True(expected == (levels.UnsuppliedUnits, -levels.FirstChoices, levels.RankSum, levels.CostFen),
                $"seed {seed} instance {instance}: exhaustive {expected}, allocation {levels}");
            Assert.Equal(SolveStatus.Optimal, allocation.Report.Status);
            Assert.True(levels.Proven, $"seed {seed} instance {instance}: {levels}");
            Assert.Empty(ChoiceAllocationCheck.Check(category, fallback, allocation));
            solved++;
            binding += allocation.Report.Method.StartsWith("fast path", StringComparison.Ordinal) ? 0 : 1;
            severalOffers += category.Winners.GroupBy(w => w.FirmId).Any(g => g.Count() > 1) && category.Intentions.Any(i => i.NamedOffers is not null) ? 1 : 0;
        }
        Assert.Equal(60, solved);
        // The instances must exercise the solver, not only the fast path.
        Assert.True(binding >= 15, $"only {binding} instances had a binding capacity");
        // And firms winning with several products, some of them named.
        Assert.True(severalOffers >= 15, $"only {severalOffers} instances had a firm with several offers and a named offer");
    }
}
