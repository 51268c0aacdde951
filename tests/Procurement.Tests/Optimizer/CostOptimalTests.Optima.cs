using Google.OrTools.Sat;
using Procurement.Optimizer.Allocation;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>
/// The true optima the cost-optimal tests hold the pipeline to, each found without the optimiser:
/// by enumeration on small instances, by a model of the tests' own on larger ones.
/// </summary>
public sealed partial class CostOptimalTests
{
    /// <summary>Every primary assignment, checked against capacity, every-winner and budgets: the true optimum.</summary>
    private static decimal? BruteForce(Instance instance)
    {
        decimal? best = null;
        var cells = instance.Products.SelectMany(item =>
        {
            var volumes = RankedPick.AgreedVolumes(item.Product, item.Result.AgreedShare);
            return volumes.Where(v => v.Value > 0).Select(v => (item, Region: v.Key, Volume: v.Value,
                Candidates: item.Result.Winners.Where(w => item.Bids[w.BidId].SupplyRegions.Contains(v.Key)).ToList()));
        }).Where(c => c.Candidates.Count > 0).ToList();
        var choice = new int[cells.Count];
        while (true)
        {
            var feasible = true;
            var spend = new Dictionary<string, decimal>();
            var cost = 0m;
            foreach (var item in instance.Products)
            {
                var mine = cells.Select((c, i) => (c, i)).Where(x => x.c.item == item).ToList();
                foreach (var winner in item.Result.Winners)
                {
                    var volume = mine.Where(x => x.c.Candidates[choice[x.i]] == winner).Sum(x => x.c.Volume);
                    feasible &= volume <= item.Bids[winner.BidId].AnnualCapacity;
                    var reachable = mine.Any(x => x.c.Candidates.Contains(winner));
                    if (item.Result.Winners.Count <= mine.Count && reachable)
                    {
                        feasible &= volume > 0;
                    }
                }
            }
            for (var i = 0; i < cells.Count; i++)
            {
                var amount = cells[i].Volume * cells[i].Candidates[choice[i]].AwardedUnitPrice!.Value;
                cost += decimal.Round(amount, 2);
                spend[cells[i].Region] = spend.GetValueOrDefault(cells[i].Region) + amount;
            }
            feasible &= spend.All(s => instance.Budgets[s.Key] is not { } b || s.Value <= b);
            if (feasible && (best is null || cost < best))
            {
                best = cost;
            }
            var k = 0;
            while (k < cells.Count && ++choice[k] == cells[k].Candidates.Count)
            {
                choice[k++] = 0;
            }
            if (k == cells.Count)
            {
                return best;
            }
        }
    }

    /// <summary>
    /// The true optimum of an instance too large to enumerate: the primary assignment as a model
    /// of the test's own (one Boolean per cell and winner that supplies its region; capacity,
    /// every winner some volume where there are regions enough, budgets in whole fen), proved
    /// optimal by CP-SAT. Written here rather than taken from the optimiser, so that it checks the
    /// pipeline instead of repeating it. Null when no allocation fits.
    /// </summary>
    private static decimal? ExactOptimum(Instance instance)
    {
        var model = new CpModel();
        var cost = new List<(BoolVar X, long Fen)>();
        var spend = new Dictionary<string, List<(BoolVar X, long Fen)>>();
        foreach (var item in instance.Products)
        {
            var taken = item.Result.Winners.ToDictionary(w => w.BidId, _ => new List<(BoolVar X, long Volume)>());
            var regions = 0;
            foreach (var (region, volume) in RankedPick.AgreedVolumes(item.Product, item.Result.AgreedShare).Where(v => v.Value > 0))
            {
                var candidates = item.Result.Winners.Where(w => item.Bids[w.BidId].SupplyRegions.Contains(region)).ToList();
                if (candidates.Count == 0)
                {
                    continue;
                }
                regions++;
                if (!spend.TryGetValue(region, out var regionSpend))
                {
                    spend[region] = regionSpend = [];
                }
                var choices = new List<ILiteral>();
                foreach (var winner in candidates)
                {
                    var x = model.NewBoolVar($"{item.Product.ProductId}-{region}-{winner.BidId}");
                    var fen = (long)decimal.Round(volume * winner.AwardedUnitPrice!.Value * 100m, 0, MidpointRounding.AwayFromZero);
                    choices.Add(x);
                    taken[winner.BidId].Add((x, volume));
                    cost.Add((x, fen));
                    regionSpend.Add((x, fen));
                }
                model.AddExactlyOne(choices);
            }
            foreach (var winner in item.Result.Winners)
            {
                var terms = taken[winner.BidId];
                model.Add(LinearExpr.WeightedSum(terms.Select(t => t.X), terms.Select(t => t.Volume)) <= item.Bids[winner.BidId].AnnualCapacity);
                if (item.Result.Winners.Count <= regions && terms.Count > 0)
                {
                    model.AddBoolOr(terms.Select(t => t.X));
                }
            }
        }
        foreach (var (region, terms) in spend)
        {
            if (instance.Budgets[region] is { } budget)
            {
                model.Add(LinearExpr.WeightedSum(terms.Select(t => t.X), terms.Select(t => t.Fen)) <= (long)decimal.Floor(budget * 100m));
            }
        }
        model.Minimize(LinearExpr.WeightedSum(cost.Select(t => t.X), cost.Select(t => t.Fen)));
        using var solver = new CpSolver { StringParameters = "max_time_in_seconds:60 num_workers:2 random_seed:1" };
        var status = solver.Solve(model);
        if (status == CpSolverStatus.Infeasible)
        {
            return null;
        }
        Assert.Equal(CpSolverStatus.Optimal, status);
        return (decimal)solver.ObjectiveValue / 100m;
    }
}
