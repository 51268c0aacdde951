using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Consumables.Allocation;
using Xunit;

namespace Procurement.Tests.Optimizer.Consumables;

/// <summary>
/// Allocation by choice against an exhaustive search over every assignment (each hospital to a winner
/// or unsupplied) on small random instances, the rule written again here from its documentation.
/// </summary>
public sealed class AllocationByChoiceExhaustiveTests
{
    private static readonly SolveOptions Options = new(TimeSpan.FromSeconds(10), 2);

    private static CategoryChoices RandomCategory(Random random)
    {
        var winners = Enumerable.Range(0, random.Next(1, 4)).Select(k => new WinningOffer(
            $"O{k}", $"F{k}", random.Next(100, 400) / 4m, random.NextDouble() < 0.2 ? null : random.Next(5, 45))).ToList();
        // Firms F0..F4: those beyond the winners lost.
        var hospitals = Enumerable.Range(0, random.Next(1, 7)).Select(h =>
        {
            var further = Enumerable.Range(0, random.Next(0, 3)).Select(_ => $"F{random.Next(5)}").ToList();
            return new HospitalIntention($"H{h}", "R1", random.Next(1, 21), $"F{random.Next(5)}", further);
        }).ToList();
        return new CategoryChoices("C", winners, hospitals);
    }

    /// <summary>The proportional rule as documented: orphans largest first to the winner furthest below its share, within its room.</summary>
    private static Dictionary<int, int> Apportion(CategoryChoices category, List<List<int>> listed)
    {
        var winners = category.Winners;
        var intended = new long[winners.Count];
        for (var h = 0; h < listed.Count; h++)
        {
            if (listed[h].Count > 0)
            {
                intended[listed[h][0]] += category.Intentions[h].Quantity;
            }
        }
        var orphans = Enumerable.Range(0, listed.Count).Where(h => listed[h].Count == 0)
            .OrderByDescending(h => category.Intentions[h].Quantity).ThenBy(h => h).ToList();
        decimal orphanVolume = orphans.Sum(h => category.Intentions[h].Quantity);
        decimal total = intended.Sum();
        var given = new decimal[winners.Count];
        var room = winners.Select((w, k) => w.AnnualCapacity is { } c ? c - intended[k] : long.MaxValue).ToArray();
        var rule = new Dictionary<int, int>();
        foreach (var h in orphans)
        {
            var q = category.Intentions[h].Quantity;
            var candidates = Enumerable.Range(0, winners.Count).Where(k => room[k] >= q).ToList();
            if (candidates.Count == 0 || winners.Count == 0)
            {
                continue;
            }
            decimal Below(int k) => (total == 0 ? orphanVolume / winners.Count : orphanVolume * intended[k] / total) - given[k];
            var best = candidates.OrderByDescending(Below).ThenBy(k => winners[k].UnitPrice).ThenBy(k => k).First();
            rule[h] = best;
            given[best] += q;
            room[best] = room[best] == long.MaxValue ? long.MaxValue : room[best] - q;
        }
        return rule;
    }

    /// <summary>The best (unsupplied units, -first choices, rank sum, cost in fen) over every assignment.</summary>
    private static (long, long, long, long) Exhaustive(CategoryChoices category, FallbackRule fallback)
    {
        var winners = category.Winners;
        var firmIndex = winners.Select((w, k) => (w.FirmId, k)).ToDictionary(p => p.FirmId, p => p.k);
        var listed = category.Intentions.Select(i => new[] { i.IntendedFirmId }.Concat(i.FurtherChoices ?? [])
            .Where(firmIndex.ContainsKey).Select(f => firmIndex[f]).Distinct().ToList()).ToList();
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
                var place = choices.IndexOf(k);
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
        }
        Assert.Equal(60, solved);
        // The instances must exercise the solver, not only the fast path.
        Assert.True(binding >= 15, $"only {binding} instances had a binding capacity");
    }
}
