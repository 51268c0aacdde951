using System.Diagnostics;
using System.Globalization;
using Google.OrTools.Sat;
using Lp = Google.OrTools.LinearSolver;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// The <c>hospital</c> allocation: each hospital's agreed volume of a product goes to exactly one
/// winner that supplies its region, within every winner's declared capacity, every winner getting
/// some volume where there are hospitals enough, and a hospital that named a brand that won (and
/// supplies its region) gets that brand (round 11). Minimises total cost.
/// <para>
/// At national scale (tens of thousands of hospitals per product) the assignment model is too large
/// for CP-SAT alone, but it has structure: a winner's price is the same for every hospital, so
/// the LP relaxation aggregates to a transportation problem from regions to winners (a few hundred
/// variables). Per product: (1) fix the named brands; (2) solve that LP (GLOP) for the proven
/// lower bound and the volume each winner should take in each region; (3) round: hospitals,
/// largest first, fill those targets, the rest go to the cheapest winner with room; (4) unless the
/// rounding already keeps every rule within <see cref="TargetGap"/> of the bound, improve with
/// CP-SAT over a neighbourhood (the hospitals rounding had to place elsewhere and the smallest
/// hospitals of each winner in each region), warm-started from the rounding. The report gives the
/// cost, the LP bound and the proven gap between them.
/// </para>
/// <para>
/// This file holds steps (1) to (3) and the decision on (4); the CP-SAT improvement itself is in
/// <c>HospitalLevel.Improvement.cs</c>, the result records in <c>HospitalAllocation.cs</c>.
/// </para>
/// </summary>
public sealed partial class HospitalLevel(SolveOptions options, Action<SolveProgress>? progress = null)
{
    /// <summary>Hospitals per product handed to the CP-SAT improvement at most.</summary>
    public int NeighbourhoodSize { get; init; } = 4_000;

    /// <summary>The improvement stops once the product's cost is within this share of its LP bound.</summary>
    public double TargetGap { get; init; } = 1e-5;

    public HospitalLevelResult Allocate(
        IReadOnlyList<ProductToAllocate> products,
        IReadOnlyList<HospitalDemandInput> demands,
        CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var byProduct = demands.ToLookup(d => d.ProductId, StringComparer.Ordinal);
        var results = new ProductHospitalAllocation[products.Count];
        var done = 0;
        decimal doneCost = 0;
        decimal doneBound = 0;
        var gate = new object();
        // Products are independent: solve them side by side, each with what remains of the time limit
        // shared among the products not started yet.
        var started = 0;
        Parallel.For(0, products.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Workers) }, i =>
        {
            TimeSpan share;
            lock (gate)
            {
                var remaining = options.TimeLimit - watch.Elapsed;
                var waiting = products.Count - started;
                started++;
                share = remaining / Math.Max(1, (double)waiting / Math.Max(1, options.Workers));
            }
            results[i] = AllocateProduct(products[i], byProduct[products[i].Product.ProductId].ToList(), share, cancellationToken);
            lock (gate)
            {
                done++;
                doneCost += results[i].Report.Objective ?? 0;
                doneBound += results[i].Report.Bound ?? 0;
                progress?.Invoke(new SolveProgress($"hospital level, {done}/{products.Count} products", watch.Elapsed, doneCost, doneBound));
            }
        });

        var reports = results.Select(r => r.Report).ToList();
        var status = reports.Any(r => r.Status == SolveStatus.Infeasible) ? SolveStatus.Infeasible
            : reports.Any(r => r.Status == SolveStatus.NoSolutionInTime) ? SolveStatus.NoSolutionInTime
            : reports.All(r => r.Status == SolveStatus.Optimal) ? SolveStatus.Optimal
            : SolveStatus.FeasibleWithGap;
        if (status is SolveStatus.Infeasible or SolveStatus.NoSolutionInTime)
        {
            var which = string.Join("; ", results.Where(r => r.Report.Status == status).Select(r => $"{r.ProductId}: {r.Report.Method}"));
            return new HospitalLevelResult(results, new SolveReport($"hospital level: {which}", status, null, null, null, watch.Elapsed, Parameters(options.TimeLimit)));
        }
        var cost = reports.Sum(r => r.Objective!.Value);
        var bound = reports.Sum(r => r.Bound!.Value);
        var gap = cost == 0 ? 0d : (double)((cost - bound) / cost);
        return new HospitalLevelResult(results, new SolveReport(
            "hospital level: LP bound (glop), rounding, cp-sat improvement", status, cost, bound, gap, watch.Elapsed, Parameters(options.TimeLimit)));
    }

    private string Parameters(TimeSpan limit) =>
        string.Create(CultureInfo.InvariantCulture, $"lp: glop; improvement: cp-sat max_time_in_seconds:{limit.TotalSeconds:0.###} num_workers:1 random_seed:{options.RandomSeed}; neighbourhood {NeighbourhoodSize} hospitals per product");

    private sealed class Need(HospitalDemandInput demand, long volume, List<BidStatement> candidates)
    {
        public HospitalDemandInput Demand { get; } = demand;

        public long Volume { get; } = volume;

        public List<BidStatement> Candidates { get; } = candidates;

        public BidStatement? Winner { get; set; }

        public bool Named { get; set; }
    }

    private ProductHospitalAllocation AllocateProduct(ProductToAllocate item, List<HospitalDemandInput> demands, TimeSpan limit, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var productId = item.Product.ProductId;
        var winners = item.Result.Winners;
        var unallocated = new List<UnallocatedHospital>();
        var needs = new List<Need>(demands.Count);
        // The winners that may supply a hospital depend on its region alone: find them once per region
        // (in rank order) and share the list between the region's hospitals.
        var candidatesIn = new Dictionary<string, List<BidStatement>>(StringComparer.Ordinal);
        var namedBids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var demand in demands)
        {
            var volume = (long)decimal.Round(demand.ReportedVolume * item.Result.AgreedShare, 0, MidpointRounding.AwayFromZero);
            if (volume <= 0)
            {
                continue;
            }
            if (!candidatesIn.TryGetValue(demand.RegionCode, out var candidates))
            {
                candidates = winners.Where(w => item.Bids[w.BidId].SupplyRegions.Contains(demand.RegionCode)).ToList();
                candidatesIn[demand.RegionCode] = candidates;
            }
            if (candidates.Count == 0)
            {
                unallocated.Add(new UnallocatedHospital(demand.HospitalId, demand.RegionCode, volume, winners.Count == 0 ? "no winner" : "no winner offered to supply its region"));
                continue;
            }
            var need = new Need(demand, volume, candidates);
            if (demand.PreferredManufacturerId is { } brand && candidates.FirstOrDefault(c => c.ManufacturerId == brand) is { } named)
            {
                need.Winner = named;
                need.Named = true;
                namedBids.Add(named.BidId);
            }
            needs.Add(need);
        }
        var parameters = Parameters(limit);
        if (needs.Count == 0)
        {
            return new ProductHospitalAllocation(productId, [], unallocated, new SolveReport("nothing to allocate", SolveStatus.Optimal, 0, 0, 0, watch.Elapsed, parameters));
        }

        var capacity = winners.ToDictionary(w => w.BidId, w => item.Bids[w.BidId].AnnualCapacity, StringComparer.Ordinal);
        var left = new Dictionary<string, long>(capacity, StringComparer.Ordinal);
        foreach (var need in needs.Where(n => n.Named))
        {
            left[need.Winner!.BidId] -= need.Volume;
        }
        var overNamed = left.Where(l => l.Value < 0).ToList();
        if (overNamed.Count > 0)
        {
            var words = string.Join(", ", overNamed.Select(o => $"{o.Key} is named by hospitals for {capacity[o.Key] - o.Value:N0} units against a capacity of {capacity[o.Key]:N0}"));
            return Infeasible(productId, unallocated, $"named brands exceed capacity: {words}", watch, parameters);
        }

        // (2) The LP relaxation, aggregated by region: how much each winner takes in each region.
        var free = needs.Where(n => !n.Named).ToList();
        var regions = free.GroupBy(n => n.Demand.RegionCode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var mustGetVolume = winners.Count <= needs.Count
            ? winners.Where(w => !namedBids.Contains(w.BidId)).Select(w => w.BidId).ToHashSet(StringComparer.Ordinal)
            : [];
        var namedCost = Cost(needs.Where(n => n.Named));
        var lp = SolveTransportation(winners, regions, candidatesIn, left, mustGetVolume, cancellationToken);
        if (lp is null)
        {
            var demand = free.Sum(f => f.Volume);
            return Infeasible(productId, unallocated,
                $"the winners' capacities left after the named brands ({left.Values.Sum():N0} units) cannot take the {demand:N0} units of the other hospitals within the regions each winner supplies", watch, parameters);
        }
        var bound = namedCost + lp.Value.Cost;

        // (3) Rounding: fill each (region, winner) target with whole hospitals, largest first.
        var target = lp.Value.Flow;
        var misfits = new List<Need>();
        foreach (var (region, list) in regions)
        {
            // The region's winners cheapest first (a stable sort: equal prices stay in rank order), each
            // with the volume the LP gives it here.
            var cheapest = candidatesIn[region].OrderBy(AwardedAmount.UnitPrice).ToArray();
            var room = Array.ConvertAll(cheapest, c => target.GetValueOrDefault((region, c.BidId)));
            foreach (var need in list.OrderByDescending(n => n.Volume))
            {
                var k = 0;
                while (k < cheapest.Length && (room[k] < need.Volume || left[cheapest[k].BidId] < need.Volume))
                {
                    k++;
                }
                if (k == cheapest.Length)
                {
                    misfits.Add(need);
                    continue;
                }
                need.Winner = cheapest[k];
                room[k] -= need.Volume;
                left[cheapest[k].BidId] -= need.Volume;
            }
        }
        foreach (var need in misfits.OrderByDescending(n => n.Volume))
        {
            var fit = need.Candidates.Where(c => left[c.BidId] >= need.Volume).OrderBy(AwardedAmount.UnitPrice).FirstOrDefault()
                ?? need.Candidates.OrderByDescending(c => left[c.BidId]).First();
            need.Winner = fit;
            left[fit.BidId] -= need.Volume;
        }
        // Every winner that must get volume gets a hospital: the one whose move costs least among those
        // it supplies and has room for, taken from a winner that keeps a hospital or needs none (taking
        // the only hospital of another such winner would only move the breach).
        var hospitalsOf = needs.CountBy(n => n.Winner!.BidId, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        foreach (var bidId in mustGetVolume.Order(StringComparer.Ordinal))
        {
            if (hospitalsOf.GetValueOrDefault(bidId) > 0)
            {
                continue;
            }
            var winner = winners.First(w => w.BidId == bidId);
            var move = free
                .Where(n => n.Candidates.Any(c => c.BidId == bidId) && left[bidId] >= n.Volume)
                .Where(n => hospitalsOf.GetValueOrDefault(n.Winner!.BidId) > 1 || !mustGetVolume.Contains(n.Winner.BidId))
                .OrderBy(n => AwardedAmount.Fen(n.Volume, winner) - AwardedAmount.Fen(n.Volume, n.Winner!))
                .ThenBy(n => n.Volume)
                .FirstOrDefault();
            if (move is not null)
            {
                left[move.Winner!.BidId] += move.Volume;
                hospitalsOf[move.Winner.BidId]--;
                move.Winner = move.Candidates.First(c => c.BidId == bidId);
                left[bidId] -= move.Volume;
                hospitalsOf[bidId] = 1;
                misfits.Add(move);
            }
        }

        // (4) Improve with CP-SAT over a neighbourhood, from the rounded allocation, unless the rounding
        // already keeps every rule within the target gap: CP-SAT would then spend seconds in presolve
        // on a few thousand hospitals only to hand the same allocation back.
        var remaining = limit - watch.Elapsed;
        var provedWhole = false;
        if (remaining > TimeSpan.FromMilliseconds(50) && !WithinTarget(needs, free, left, mustGetVolume, hospitalsOf, bound))
        {
            provedWhole = Improve(free, misfits, capacity, needs, mustGetVolume, bound, remaining, cancellationToken);
        }
        // The rules are checked on the result itself, never taken on trust from the steps above.
        var withoutVolume = MissingVolume(needs, free, mustGetVolume);
        if (withoutVolume.Count > 0)
        {
            return Infeasible(productId, unallocated,
                $"no allocation found in time that gives every winner volume: {string.Join(", ", withoutVolume)} got none", watch, parameters, SolveStatus.NoSolutionInTime);
        }

        var used = needs.GroupBy(n => n.Winner!.BidId).ToDictionary(g => g.Key, g => g.Sum(n => n.Volume), StringComparer.Ordinal);
        var over = used.Where(u => u.Value > capacity[u.Key]).ToList();
        if (over.Count > 0)
        {
            return Infeasible(productId, unallocated,
                $"no allocation within capacity found in time: {string.Join(", ", over.Select(o => $"{o.Key} {o.Value:N0} of {capacity[o.Key]:N0}"))}", watch, parameters,
                SolveStatus.NoSolutionInTime);
        }
        var cost = Cost(needs);
        // CP-SAT proved the whole product (every free hospital was in its model): its optimum is the bound.
        var provenBound = provedWhole ? cost : Math.Min(bound, cost);
        var gap = provedWhole ? 0d : Gap(cost, bound);
        // The spare is the best-ranked other winner of the hospital's region: rank each region's winners once.
        var byRank = candidatesIn.ToDictionary(c => c.Key, c => c.Value.OrderBy(w => w.Rank ?? int.MaxValue).ToList(), StringComparer.Ordinal);
        var allocations = needs
            .OrderBy(n => n.Demand.HospitalId, StringComparer.Ordinal)
            .Select(n =>
            {
                var spare = byRank[n.Demand.RegionCode].Find(c => c.BidId != n.Winner!.BidId);
                return new HospitalAllocation(productId, n.Demand.HospitalId, n.Demand.RegionCode, n.Winner!.BidId, n.Winner.ManufacturerId,
                    spare?.BidId, spare?.ManufacturerId, n.Volume, n.Winner.AwardedUnitPrice!.Value, AwardedAmount.Yuan(n.Volume, n.Winner), n.Named);
            })
            .ToList();
        // Costs are exact decimals; the LP bound comes from floating point, so "optimal" allows 1e-9 of it.
        var status = gap <= 1e-9 ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap;
        return new ProductHospitalAllocation(productId, allocations, unallocated,
            new SolveReport("lp bound, rounding, cp-sat", status, cost, provenBound, gap, watch.Elapsed, parameters));
    }

    /// <summary>
    /// The cost the LP bounds: each winner's volume times its exact awarded price, summed exactly,
    /// to 6 decimals. Each line's amount is rounded to the fen on its own, so the amounts' sum may
    /// differ from it by half a fen a line.
    /// </summary>
    private static decimal Cost(IEnumerable<Need> needs)
    {
        var total = ExactPrice.Zero;
        foreach (var winner in needs.GroupBy(n => n.Winner!))
        {
            total += ExactPrice.Of(winner.Sum(n => n.Volume)) * AwardedAmount.UnitPrice(winner.Key);
        }
        return total.ToDecimal(6);
    }

    /// <summary>The winners that must get volume, could be given a hospital, and have none.</summary>
    private static List<string> MissingVolume(List<Need> needs, List<Need> free, HashSet<string> mustGetVolume)
    {
        var served = needs.Select(n => n.Winner!.BidId).ToHashSet(StringComparer.Ordinal);
        return mustGetVolume.Where(b => !served.Contains(b) && free.Any(n => n.Candidates.Any(c => c.BidId == b))).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The proven gap of a cost against the LP bound, as reported.</summary>
    private static double Gap(decimal cost, decimal bound) => cost == 0 ? 0d : (double)((cost - Math.Min(bound, cost)) / cost);

    /// <summary>
    /// Whether the allocation as it stands keeps every rule (capacities; every winner that must get
    /// volume and can be given some has a hospital) and is within the target gap of the LP bound.
    /// </summary>
    private bool WithinTarget(
        List<Need> needs, List<Need> free, Dictionary<string, long> left, HashSet<string> mustGetVolume, Dictionary<string, int> hospitalsOf, decimal bound) =>
        left.Values.All(v => v >= 0)
        && mustGetVolume.All(b => hospitalsOf.GetValueOrDefault(b) > 0 || !free.Any(n => n.Candidates.Any(c => c.BidId == b)))
        && Gap(Cost(needs), bound) <= TargetGap;

    private static ProductHospitalAllocation Infeasible(
        string productId, List<UnallocatedHospital> unallocated, string why, Stopwatch watch, string parameters, SolveStatus status = SolveStatus.Infeasible) =>
        new(productId, [], unallocated, new SolveReport(why, status, null, null, null, watch.Elapsed, parameters));

    /// <summary>
    /// The transportation LP: region r's free volume goes to winners supplying r, each winner within
    /// the capacity left; a winner that must get volume takes at least the smallest hospital it could
    /// serve. Returns the cost (a lower bound on every whole-hospital allocation) and the flows.
    /// </summary>
    private static (decimal Cost, Dictionary<(string Region, string BidId), long> Flow)? SolveTransportation(
        IReadOnlyList<BidStatement> winners,
        Dictionary<string, List<Need>> regions,
        Dictionary<string, List<BidStatement>> candidatesIn,
        Dictionary<string, long> left,
        HashSet<string> mustGetVolume,
        CancellationToken cancellationToken)
    {
        using var solver = Lp.Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools was built without GLOP.");
        var objective = solver.Objective();
        objective.SetMinimization();
        var flows = new List<(string Region, BidStatement Winner, Lp.Variable F)>();
        var capacityRows = winners.ToDictionary(w => w.BidId, w => solver.MakeConstraint(double.NegativeInfinity, Math.Max(0, left[w.BidId])), StringComparer.Ordinal);
        var atLeast = new Dictionary<string, Lp.Constraint>(StringComparer.Ordinal);
        // A region's hospitals share its candidates, so the smallest hospital a winner could serve is the
        // smallest of the regions it supplies.
        var smallestIn = regions.ToDictionary(r => r.Key, r => r.Value.Min(n => n.Volume), StringComparer.Ordinal);
        foreach (var bidId in mustGetVolume)
        {
            var smallest = smallestIn.Where(r => candidatesIn[r.Key].Any(c => c.BidId == bidId)).Select(r => r.Value).DefaultIfEmpty(0).Min();
            atLeast[bidId] = solver.MakeConstraint(smallest, double.PositiveInfinity);
        }
        foreach (var (region, list) in regions)
        {
            var volume = list.Sum(n => n.Volume);
            var row = solver.MakeConstraint(volume, volume);
            foreach (var winner in candidatesIn[region])
            {
                var f = solver.MakeNumVar(0, volume, $"f_{region}_{winner.BidId}");
                row.SetCoefficient(f, 1);
                capacityRows[winner.BidId].SetCoefficient(f, 1);
                if (atLeast.TryGetValue(winner.BidId, out var some))
                {
                    some.SetCoefficient(f, 1);
                }
                objective.SetCoefficient(f, AwardedAmount.UnitPrice(winner).ToDouble());
                flows.Add((region, winner, f));
            }
        }
        using var stop = cancellationToken.Register(() => solver.InterruptSolve());
        if (solver.Solve() != Lp.Solver.ResultStatus.OPTIMAL)
        {
            return null;
        }
        var flow = flows.ToDictionary(f => (f.Region, f.Winner.BidId), f => (long)Math.Floor(f.F.SolutionValue() + 1e-6));
        // The LP optimum is computed in floating point: keep the bound a hair below it so it stays proven.
        var cost = (decimal)objective.Value() * (1m - 1e-12m) - 1e-6m;
        return (Math.Max(0, cost), flow);
    }
}
