using System.Globalization;
using Google.OrTools.Sat;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// The hospital-level allocation's last step: CP-SAT over a neighbourhood of the rounded
/// allocation, run only where the rounding breaks a rule or stays farther than
/// <see cref="TargetGap"/> from the LP bound.
/// </summary>
public sealed partial class HospitalLevel
{
    /// <summary>
    /// CP-SAT over the hospitals rounding placed away from their targets plus the smallest hospitals
    /// of every (region, winner), with every other hospital held where it is: minimise cost within
    /// the capacities and the every-winner rule, starting from the current allocation. Keeps the
    /// result unless it costs more than an allocation that already kept every rule. Returns whether
    /// the model held every free hospital and was solved to optimality: then its optimum is the
    /// product's.
    /// </summary>
    private bool Improve(
        List<Need> free, List<Need> misfits, Dictionary<string, long> capacity, List<Need> all, HashSet<string> mustGetVolume,
        decimal bound, TimeSpan limit, CancellationToken cancellationToken)
    {
        var chosen = new HashSet<Need>(misfits);
        var perGroup = Math.Max(4, NeighbourhoodSize / Math.Max(1, free.Select(n => (n.Demand.RegionCode, n.Winner!.BidId)).Distinct().Count()));
        foreach (var group in free.GroupBy(n => (n.Demand.RegionCode, n.Winner!.BidId)))
        {
            foreach (var need in group.OrderBy(n => n.Volume).Take(perGroup))
            {
                if (chosen.Count >= NeighbourhoodSize + misfits.Count)
                {
                    break;
                }
                chosen.Add(need);
            }
        }
        var movable = chosen.ToList();
        var held = all.Where(n => !chosen.Contains(n)).GroupBy(n => n.Winner!.BidId).ToDictionary(g => g.Key, g => g.Sum(n => n.Volume), StringComparer.Ordinal);

        var model = new CpModel();
        var literals = new List<(Need Need, BidStatement Winner, BoolVar X)>();
        var perWinner = new Dictionary<string, List<(BoolVar X, long Volume)>>(StringComparer.Ordinal);
        var costTerms = new List<(BoolVar X, long Fen)>();
        foreach (var need in movable)
        {
            var choices = new List<ILiteral>();
            foreach (var candidate in need.Candidates)
            {
                var x = model.NewBoolVar("");
                choices.Add(x);
                literals.Add((need, candidate, x));
                if (!perWinner.TryGetValue(candidate.BidId, out var list))
                {
                    perWinner[candidate.BidId] = list = [];
                }
                list.Add((x, need.Volume));
                costTerms.Add((x, AwardedAmount.Fen(need.Volume, candidate)));
                model.AddHint(x, candidate.BidId == need.Winner!.BidId);
            }
            model.AddExactlyOne(choices);
        }
        foreach (var (bidId, terms) in perWinner)
        {
            var room = capacity[bidId] - held.GetValueOrDefault(bidId);
            model.Add(LinearExpr.WeightedSum(terms.Select(t => t.X), terms.Select(t => t.Volume)) <= room);
            if (mustGetVolume.Contains(bidId) && held.GetValueOrDefault(bidId) == 0)
            {
                model.AddAtLeastOne(terms.Select(t => t.X));
            }
        }
        model.Minimize(LinearExpr.WeightedSum(costTerms.Select(t => t.X), costTerms.Select(t => t.Fen)));
        using var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture, $"max_time_in_seconds:{limit.TotalSeconds:0.###} num_workers:1 random_seed:{options.RandomSeed}"),
        };
        using var stop = cancellationToken.Register(solver.StopSearch);
        // Stop as soon as the whole product (held hospitals plus this neighbourhood) is close enough to the LP bound.
        var heldFen = (long)decimal.Round(Cost(all.Where(n => !chosen.Contains(n))) * 100m, 0);
        var targetFen = (long)decimal.Floor(bound * 100m / (1m - (decimal)TargetGap));
        var status = solver.Solve(model, new StopWhenClose(heldFen, targetFen));
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            return false;
        }
        var before = Cost(movable);
        var wasOverCapacity = all.GroupBy(n => n.Winner!.BidId).Any(g => g.Sum(n => n.Volume) > capacity[g.Key])
            || MissingVolume(all, free, mustGetVolume).Count > 0;
        var previous = movable.ToDictionary(n => n, n => n.Winner!);
        foreach (var (need, winner, x) in literals)
        {
            if (solver.BooleanValue(x))
            {
                need.Winner = winner;
            }
        }
        if (!wasOverCapacity && Cost(movable) > before)
        {
            foreach (var (need, winner) in previous)
            {
                need.Winner = winner;
            }
            return false;
        }
        // Stopped early when close to the LP bound: optimal only if CP-SAT proved it over every free hospital.
        // Named brands are fixed by the rule, so holding them loses nothing.
        return status == CpSolverStatus.Optimal && free.All(chosen.Contains) && all.Where(n => !chosen.Contains(n)).All(n => n.Named);
    }

    private sealed class StopWhenClose(long heldFen, long targetFen) : CpSolverSolutionCallback
    {
        public override void OnSolutionCallback()
        {
            if (heldFen + (long)ObjectiveValue() <= targetFen)
            {
                StopSearch();
            }
        }
    }
}
