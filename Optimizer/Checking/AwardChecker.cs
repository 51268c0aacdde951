using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Optimizer.Checking;

/// <summary>
/// Verifies an award from the award document and its input alone, sharing no code with the engine
/// that produced it: it reads the round's parameters (the rule set's tables, which are data) and
/// the records of the input and the document, and decides everything else itself. For every
/// product it derives the winners from the rule text (qualification, maximum price, affiliates,
/// rank, anchor, winning routes, the highest-price exclusion, the cap, revival) with its own exact
/// fractions, and holds every statement to them; then it holds the allocation to the mode's rules:
/// each region or hospital served by exactly one winner that supplies it, with a spare other than
/// the primary wherever another winner supplies it; capacities; every winner some volume where the
/// mode promises it; budgets (cost-optimal); named brands (hospital); agreed volumes, prices and
/// amounts; nothing left unallocated that a winner had the room to take; and the objective, bound
/// and gap as the figures give them. <c>AwardCheckerTests</c> holds the source of this folder to
/// naming none of the engine's types.
/// <para>
/// At about 480 lines this file is still one idea: one pass over one award that holds it to every
/// rule, each check reading and adding to the same few things (the count of checks, the violations
/// listed, the spend per region, the sum of the amounts), so its parts belong together. What the
/// rule text decides for a product, its winners and their prices, is the other idea, in
/// <c>RuleOutcome.cs</c>.
/// </para>
/// </summary>
public static class AwardChecker
{
    /// <summary>Violations listed at most (the count of checks still covers all); a broken national award could break millions of lines.</summary>
    public const int MaxViolationsListed = 1_000;

    public static AwardCheck Check(AwardInput input, AwardDocument award)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(award);
        var watch = Stopwatch.StartNew();
        var run = new Run(input, award);
        run.CheckAll();
        return new AwardCheck(run.Violations.Count == 0 ? AwardCheck.Passed : AwardCheck.RuleBroken, run.Checks, run.Violations, watch.Elapsed);
    }

    private sealed class Run(AwardInput input, AwardDocument award)
    {
        public List<RuleViolation> Violations { get; } = [];

        public int Checks { get; private set; }

        private RuleParameters _rules = null!;

        private readonly Dictionary<string, decimal> _spend = new(StringComparer.Ordinal);
        private decimal _amounts;
        private long _lines;

        /// <summary>Records one check; a failure is listed (up to the limit), its place and detail only then put in words.</summary>
        private void Hold(bool holds, string rule, Place place, Func<string> detail)
        {
            Checks++;
            if (!holds && Violations.Count < MaxViolationsListed)
            {
                Violations.Add(new RuleViolation(rule, place.ToString(), detail()));
            }
        }

        /// <summary>Counts one check; false when it fails and the failure is still to be listed (then call <see cref="Fail"/>).</summary>
        private bool Holds(bool holds)
        {
            Checks++;
            return holds || Violations.Count >= MaxViolationsListed;
        }

        private void Fail(string rule, Place place, string detail)
        {
            if (Violations.Count < MaxViolationsListed)
            {
                Violations.Add(new RuleViolation(rule, place.ToString(), detail));
            }
        }

        /// <summary>Where a check applies, put in words only when it fails (an award has millions of lines).</summary>
        private readonly record struct Place(string Text, string? Kind = null, string? Id = null)
        {
            public static implicit operator Place(string text) => new(text);

            public override string ToString() => Kind is null ? Text : $"{Text}, {Kind} {Id}";
        }

        private bool Allocated => award.Solve.Status is not (Allocation.SolveStatus.Infeasible or Allocation.SolveStatus.NoSolutionInTime);

        public void CheckAll()
        {
            try
            {
                _rules = RuleSetCatalog.Resolve(award.RuleSet, input.Parameters);
            }
            catch (RuleParameterException ex)
            {
                Hold(false, RuleCodes.Document, "$.ruleSet", () => ex.Message);
                return;
            }
            Hold(award.BatchId == input.BatchId, RuleCodes.Document, "$.batchId", () => $"the award is of batch '{award.BatchId}', the input of '{input.BatchId}'");
            var documented = award.Products.GroupBy(p => p.ProductId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            foreach (var extra in documented.Keys.Where(k => input.Products.All(p => p.ProductId != k)))
            {
                Hold(false, RuleCodes.Document, $"product {extra}", () => "the award names a product the input does not have");
            }
            if (award.Mode is not (AwardModes.Hospital or AwardModes.CostOptimal or AwardModes.RankedPick))
            {
                Hold(false, RuleCodes.Document, "$.mode", () => $"'{award.Mode}' is not an allocation mode");
                return;
            }
            var bidsByProduct = input.Bids.ToLookup(b => b.ProductId, StringComparer.Ordinal);
            var hospitalsByProduct = (input.Hospitals ?? []).ToLookup(h => h.ProductId, StringComparer.Ordinal);
            // Products are independent: checked side by side, each into its own tally, merged in input order.
            var parts = new Run[input.Products.Count];
            Parallel.For(0, parts.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var part = new Run(input, award) { _rules = _rules };
                part.CheckProduct(input.Products[i], documented.GetValueOrDefault(input.Products[i].ProductId), bidsByProduct, hospitalsByProduct);
                parts[i] = part;
            });
            foreach (var part in parts)
            {
                Checks += part.Checks;
                Violations.AddRange(part.Violations.Take(MaxViolationsListed - Violations.Count));
                foreach (var (region, spent) in part._spend)
                {
                    _spend[region] = _spend.GetValueOrDefault(region) + spent;
                }
                _amounts += part._amounts;
                _lines += part._lines;
            }
            if (award.Mode == AwardModes.CostOptimal && Allocated)
            {
                foreach (var region in input.Regions.Where(r => r.Budget is not null))
                {
                    var spent = _spend.GetValueOrDefault(region.Code);
                    Hold(spent <= region.Budget!.Value, RuleCodes.Budget, $"region {region.Code}",
                        () => $"the award spends {spent.ToString("N2", CultureInfo.InvariantCulture)} CNY against a budget of {region.Budget.Value.ToString("N2", CultureInfo.InvariantCulture)}");
                }
            }
            CheckObjective();
        }

        private void CheckProduct(ProductInput product, List<ProductAward>? found, ILookup<string, BidInput> bids, ILookup<string, HospitalDemandInput> hospitals)
        {
            Hold(found is { Count: 1 }, RuleCodes.Document, $"product {product.ProductId}",
                () => found is null ? "the award leaves this product out" : $"the award lists this product {found.Count} times");
            if (found is not { Count: 1 })
            {
                return;
            }
            var outcome = RuleOutcome.Derive(_rules, product, bids[product.ProductId].ToList());
            CheckWinners(product, found[0], outcome);
            if (award.Mode == AwardModes.Hospital)
            {
                CheckHospitals(product, found[0], outcome, hospitals[product.ProductId].ToList());
            }
            else
            {
                CheckRegions(product, found[0], outcome);
            }
        }

        private void CheckWinners(ProductInput product, ProductAward document, RuleOutcome outcome)
        {
            var place = $"product {product.ProductId}";
            Hold(document.EligibleFirms == outcome.EligibleFirms, RuleCodes.ProductFigures, place,
                () => $"{document.EligibleFirms} eligible firms stated, the rules count {outcome.EligibleFirms}");
            Hold(document.MaxWinners == outcome.Cap, RuleCodes.ProductFigures, place,
                () => $"at most {document.MaxWinners} winners stated, the round's table gives {outcome.Cap} for {outcome.EligibleFirms} eligible firms");
            Hold(document.AgreedShare == outcome.AgreedShare, RuleCodes.ProductFigures, place,
                () => $"agreed share {document.AgreedShare} stated, the round's table gives {outcome.AgreedShare} for {outcome.Winners.Count} winners");
            var anchor = outcome.Anchor is { } a ? a.Round(6) : (decimal?)null;
            Hold(document.Anchor == anchor, RuleCodes.ProductFigures, place, () => $"anchor {Show(document.Anchor)} stated, the rules give {Show(anchor)}");

            var statements = document.Statements.GroupBy(s => s.BidId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            foreach (var extra in statements.Keys.Where(k => !outcome.Bids.ContainsKey(k)))
            {
                Hold(false, RuleCodes.Statement, $"{place}, bid {extra}", () => "a statement for a bid the input does not have on this product");
            }
            foreach (var (bidId, expected) in outcome.Bids)
            {
                var at = $"{place}, bid {bidId}";
                var list = statements.GetValueOrDefault(bidId);
                Hold(list is { Count: 1 }, RuleCodes.Statement, at, () => list is null ? "the bid has no statement" : $"the bid has {list.Count} statements");
                if (list is not { Count: 1 })
                {
                    continue;
                }
                var statement = list[0];
                Hold(statement.Won == expected.Won, RuleCodes.Winners, at,
                    () => statement.Won ? $"won ({statement.Reason}), but the rules say {expected.Reason}" : $"lost ({statement.Reason}), but the rules say {expected.Reason}");
                Hold(statement.Reason == expected.Reason, RuleCodes.Statement, at, () => $"reason {statement.Reason}, the rules give {expected.Reason}");
                Hold(statement.Rank == expected.Rank, RuleCodes.Statement, at, () => $"rank {Show(statement.Rank)}, the rules give {Show(expected.Rank)}");
                Hold(statement.ManufacturerId == expected.Bid.ManufacturerId && statement.PricePerPack == expected.Bid.PricePerPack && statement.ProductId == product.ProductId,
                    RuleCodes.Statement, at, () => "manufacturer, product or pack price differ from the bid");
                Hold(statement.UnitComparablePrice == expected.Unit.Round(6), RuleCodes.Statement, at,
                    () => $"unit comparable price {statement.UnitComparablePrice}, the conversion gives {expected.Unit.Round(6)}");
                var awardedUnit = expected.AwardedUnit?.Round(6);
                Hold(statement.AwardedUnitPrice == awardedUnit, RuleCodes.Statement, at,
                    () => $"awarded unit price {Show(statement.AwardedUnitPrice)}, the rules give {Show(awardedUnit)}");
                Hold(statement.AwardedPricePerPack == expected.AwardedPack, RuleCodes.Statement, at,
                    () => $"awarded pack price {Show(statement.AwardedPricePerPack)}, the rules give {Show(expected.AwardedPack)}");
            }
            var documentedWinners = document.Winners.Select(w => w.BidId).ToHashSet(StringComparer.Ordinal);
            var winners = outcome.Winners.Select(w => w.Bid.BidId).ToHashSet(StringComparer.Ordinal);
            Hold(documentedWinners.SetEquals(winners) && document.Winners.Count == winners.Count, RuleCodes.Winners, place,
                () => $"winners [{string.Join(", ", document.Winners.Select(w => w.BidId))}], the rules give [{string.Join(", ", outcome.Winners.Select(w => w.Bid.BidId))}]");
        }

        private void CheckRegions(ProductInput product, ProductAward document, RuleOutcome outcome)
        {
            var place = $"product {product.ProductId}";
            Hold(document.HospitalAllocations.Count == 0 && document.UnallocatedHospitals.Count == 0, RuleCodes.Document, place,
                () => "a region-level award carries hospital lines");
            var volumes = product.ReportedVolumes.ToDictionary(
                v => v.Key,
                v => Math.Max(RoundAway(v.Value * outcome.AgreedShare), product.MinimumAgreedVolumes?.GetValueOrDefault(v.Key) ?? 0),
                StringComparer.Ordinal);
            var unallocated = document.Unallocated.GroupBy(u => u.RegionCode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            if (outcome.Winners.Count == 0)
            {
                Hold(document.Allocations.Count == 0, RuleCodes.Supplier, place, () => "a product without a winner has allocations");
                foreach (var (region, reported) in product.ReportedVolumes.Where(v => v.Value > 0))
                {
                    var listed = unallocated.GetValueOrDefault(region);
                    Hold(listed is { Count: 1 } && listed[0].AgreedVolume == reported, RuleCodes.Coverage, $"{place}, region {region}",
                        () => $"no winner serves it and it is not listed as unallocated with its reported volume {reported:N0}");
                }
                return;
            }

            var byRegion = document.Allocations.GroupBy(a => a.RegionCode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var used = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var allocation in document.Allocations)
            {
                var at = $"{place}, region {allocation.RegionCode}";
                Hold(allocation.ProductId == product.ProductId, RuleCodes.Document, at, () => $"the line names product {allocation.ProductId}");
                Hold(volumes.GetValueOrDefault(allocation.RegionCode) > 0, RuleCodes.Coverage, at, () => "an allocation where the region has no agreed volume");
                Hold(allocation.AgreedVolume == volumes.GetValueOrDefault(allocation.RegionCode), RuleCodes.AgreedVolume, at,
                    () => $"agreed volume {allocation.AgreedVolume:N0}, the agreed share {outcome.AgreedShare} of the reported volume gives {volumes.GetValueOrDefault(allocation.RegionCode):N0}");
                CheckLine(outcome, at, allocation.RegionCode, allocation.PrimaryBidId, allocation.PrimaryManufacturerId, allocation.SpareBidId, allocation.SpareManufacturerId,
                    allocation.AgreedVolume, allocation.UnitPrice, allocation.Amount, used);
            }
            foreach (var (region, volume) in volumes.Where(v => v.Value > 0))
            {
                var at = $"{place}, region {region}";
                var served = byRegion.GetValueOrDefault(region)?.Count ?? 0;
                var listed = unallocated.GetValueOrDefault(region);
                Hold(served <= 1, RuleCodes.Coverage, at, () => $"{served} primaries for one region");
                if (served == 0 && Allocated)
                {
                    Hold(listed is { Count: > 0 }, RuleCodes.Coverage, at, () => $"{volume:N0} units served by no winner and not listed as unallocated");
                    Hold(listed is null || listed.All(l => l.AgreedVolume == volume), RuleCodes.AgreedVolume, at,
                        () => $"listed as unallocated with {listed![0].AgreedVolume:N0} units, the agreed share gives {volume:N0}");
                    var room = outcome.Winners.FirstOrDefault(w => w.Bid.SupplyRegions.Contains(region) && w.Bid.AnnualCapacity - used.GetValueOrDefault(w.Bid.BidId) >= volume);
                    Hold(room is null, RuleCodes.Unallocated, at, () => $"left unallocated although winner {room!.Bid.BidId} supplies it and has {room.Bid.AnnualCapacity - used.GetValueOrDefault(room.Bid.BidId):N0} units of capacity left");
                }
            }
            CheckCapacity(outcome, place, used);
            if (award.Mode == AwardModes.CostOptimal && Allocated)
            {
                // Where there are regions enough (regions with volume that some winner supplies), every winner that supplies one gets one.
                var cells = volumes.Where(v => v.Value > 0 && outcome.Winners.Any(w => w.Bid.SupplyRegions.Contains(v.Key))).Select(v => v.Key).ToList();
                if (outcome.Winners.Count <= cells.Count)
                {
                    foreach (var winner in outcome.Winners.Where(w => cells.Any(c => w.Bid.SupplyRegions.Contains(c))))
                    {
                        Hold(used.GetValueOrDefault(winner.Bid.BidId) > 0, RuleCodes.EveryWinner, $"{place}, bid {winner.Bid.BidId}",
                            () => $"the winner gets no region, though the product has {cells.Count} regions for {outcome.Winners.Count} winners");
                    }
                }
            }
        }

        private void CheckHospitals(ProductInput product, ProductAward document, RuleOutcome outcome, List<HospitalDemandInput> demands)
        {
            var place = $"product {product.ProductId}";
            Hold(document.Allocations.Count == 0, RuleCodes.Document, place, () => "a hospital-level award carries region lines");
            var lines = demands.ToDictionary(d => d.HospitalId, StringComparer.Ordinal);
            var allocated = document.HospitalAllocations.GroupBy(h => h.HospitalId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var unallocated = document.UnallocatedHospitals.GroupBy(h => h.HospitalId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var used = new Dictionary<string, long>(StringComparer.Ordinal);
            // The loops over hospital lines run millions of times: no delegates here, words only on failure.
            foreach (var line in document.HospitalAllocations)
            {
                var at = new Place(place, "hospital", line.HospitalId);
                if (!lines.TryGetValue(line.HospitalId, out var demand))
                {
                    Holds(false);
                    Fail(RuleCodes.Coverage, at, "an allocation for a hospital that reported no volume of this product");
                    continue;
                }
                var volume = RoundAway(demand.ReportedVolume * outcome.AgreedShare);
                if (!Holds(line.ProductId == product.ProductId && line.RegionCode == demand.RegionCode))
                {
                    Fail(RuleCodes.Document, at, $"the line names product {line.ProductId} in region {line.RegionCode}; the hospital reported it in {demand.RegionCode}");
                }
                if (!Holds(line.AgreedVolume == volume && volume > 0))
                {
                    Fail(RuleCodes.AgreedVolume, at, $"agreed volume {line.AgreedVolume:N0}, the agreed share {outcome.AgreedShare} of the reported {demand.ReportedVolume:N0} gives {volume:N0}");
                }
                CheckLine(outcome, at, demand.RegionCode, line.PrimaryBidId, line.PrimaryManufacturerId, line.SpareBidId, line.SpareManufacturerId,
                    line.AgreedVolume, line.UnitPrice, line.Amount, used);
                var brand = demand.PreferredManufacturerId is { } named ? NamedWinner(outcome, demand.RegionCode, named) : null;
                if (!Holds(brand is null || line.PrimaryBidId == brand.Bid.BidId))
                {
                    Fail(RuleCodes.NamedBrand, at, $"the hospital named {brand!.Bid.ManufacturerId}, a winner that supplies its region, but is given {line.PrimaryManufacturerId}");
                }
                if (!Holds(line.NamedBrand == (brand is not null && line.PrimaryBidId == brand.Bid.BidId)))
                {
                    Fail(RuleCodes.NamedBrand, at, line.NamedBrand ? "flagged as the named brand, which it is not" : "the named brand given but not flagged");
                }
            }
            if (outcome.Winners.Count == 0)
            {
                Hold(document.HospitalAllocations.Count == 0, RuleCodes.Supplier, place, () => "a product without a winner has allocations");
            }
            var needs = 0;
            foreach (var demand in demands)
            {
                var volume = RoundAway(demand.ReportedVolume * outcome.AgreedShare);
                if (volume <= 0)
                {
                    continue;
                }
                var served = allocated.GetValueOrDefault(demand.HospitalId);
                var listed = unallocated.GetValueOrDefault(demand.HospitalId);
                var candidates = outcome.WinnersIn(demand.RegionCode);
                if (candidates.Count > 0)
                {
                    needs++;
                }
                if (!Holds(served <= 1 && !(served == 1 && listed is not null)))
                {
                    Fail(RuleCodes.Coverage, new Place(place, "hospital", demand.HospitalId), "the hospital is served more than once, or served and listed as unallocated");
                }
                if (served == 0 && Allocated)
                {
                    if (!Holds(listed is { Count: 1 } && listed[0].AgreedVolume == volume))
                    {
                        Fail(RuleCodes.Coverage, new Place(place, "hospital", demand.HospitalId), $"{volume:N0} units served by no winner and not listed as unallocated with that volume");
                    }
                    var room = candidates.FirstOrDefault(w => w.Bid.AnnualCapacity - used.GetValueOrDefault(w.Bid.BidId) >= volume);
                    if (!Holds(room is null))
                    {
                        Fail(RuleCodes.Unallocated, new Place(place, "hospital", demand.HospitalId),
                            $"left unallocated although winner {room!.Bid.BidId} supplies its region and has {room.Bid.AnnualCapacity - used.GetValueOrDefault(room.Bid.BidId):N0} units of capacity left");
                    }
                }
            }
            CheckCapacity(outcome, place, used);
            if (Allocated && outcome.Winners.Count <= needs)
            {
                // A winner that some hospital could be given: one in a region it supplies that did not
                // name another winning brand supplying it (a named brand binds its hospital).
                var open = demands
                    .Where(d => RoundAway(d.ReportedVolume * outcome.AgreedShare) > 0)
                    .Select(d => (d.RegionCode, Named: d.PreferredManufacturerId is null ? null : outcome.WinnersIn(d.RegionCode).FirstOrDefault(w => w.Bid.ManufacturerId == d.PreferredManufacturerId)))
                    .Distinct()
                    .ToList();
                foreach (var winner in outcome.Winners.Where(w => open.Any(o => w.Regions.Contains(o.RegionCode) && (o.Named is null || o.Named == w))))
                {
                    Hold(used.GetValueOrDefault(winner.Bid.BidId) > 0, RuleCodes.EveryWinner, $"{place}, bid {winner.Bid.BidId}",
                        () => $"the winner gets no hospital, though the product has {needs:N0} hospitals to supply for {outcome.Winners.Count} winners");
                }
            }
        }

        /// <summary>What every line holds to, region or hospital: its supplier, spare, price and amount (no delegates: it runs for every line).</summary>
        private void CheckLine(
            RuleOutcome outcome, Place at, string region, string primaryBidId, string primaryManufacturerId, string? spareBidId, string? spareManufacturerId,
            long volume, decimal unitPrice, decimal amount, Dictionary<string, long> used)
        {
            var primary = outcome.WinnerById.GetValueOrDefault(primaryBidId);
            if (!Holds(primary is not null && primary.Bid.ManufacturerId == primaryManufacturerId))
            {
                Fail(RuleCodes.Supplier, at, $"the primary {primaryBidId} ({primaryManufacturerId}) is not a winner of the product");
            }
            if (primary is null)
            {
                return;
            }
            used[primaryBidId] = used.GetValueOrDefault(primaryBidId) + volume;
            if (!Holds(primary.Regions.Contains(region)))
            {
                Fail(RuleCodes.Supplier, at, $"the primary {primaryBidId} did not offer to supply region {region}");
            }
            var price = primary.AwardedUnitRounded;
            if (!Holds(unitPrice == price))
            {
                Fail(RuleCodes.Price, at, $"unit price {unitPrice}, the primary's awarded unit price is {price}");
            }
            // The amount is volume x the exact awarded price, rounded once to the fen.
            var exact = primary.AmountOf(volume);
            if (!Holds(amount == exact))
            {
                Fail(RuleCodes.Price, at, $"amount {amount}, {volume:N0} x the exact awarded price ({price} to 6 decimals) is {exact} to the fen");
            }
            _amounts += exact;
            _lines++;
            ref var spent = ref CollectionsMarshal.GetValueRefOrAddDefault(_spend, region, out _);
            spent += amount;
            if (spareBidId is null)
            {
                var other = FirstOtherIn(outcome, region, primaryBidId);
                if (!Holds(other is null))
                {
                    Fail(RuleCodes.Spare, at, $"no spare, though winner {other!.Bid.BidId} supplies the region");
                }
                return;
            }
            var spare = outcome.WinnerById.GetValueOrDefault(spareBidId);
            if (!Holds(spare is not null && spare.Bid.ManufacturerId == spareManufacturerId && spare.Regions.Contains(region)))
            {
                Fail(RuleCodes.Spare, at, $"the spare {spareBidId} is not a winner that supplies region {region}");
            }
            if (!Holds(spareBidId != primaryBidId))
            {
                Fail(RuleCodes.Spare, at, "the spare is the primary");
            }
        }

        private static RuleOutcome.Expected? FirstOtherIn(RuleOutcome outcome, string region, string bidId)
        {
            foreach (var winner in outcome.WinnersIn(region))
            {
                if (winner.Bid.BidId != bidId)
                {
                    return winner;
                }
            }
            return null;
        }

        private static RuleOutcome.Expected? NamedWinner(RuleOutcome outcome, string region, string manufacturerId)
        {
            foreach (var winner in outcome.WinnersIn(region))
            {
                if (winner.Bid.ManufacturerId == manufacturerId)
                {
                    return winner;
                }
            }
            return null;
        }

        private void CheckCapacity(RuleOutcome outcome, string place, Dictionary<string, long> used)
        {
            foreach (var winner in outcome.Winners)
            {
                var volume = used.GetValueOrDefault(winner.Bid.BidId);
                Hold(volume <= winner.Bid.AnnualCapacity, RuleCodes.Capacity, $"{place}, bid {winner.Bid.BidId}",
                    () => $"{volume:N0} units given against a declared capacity of {winner.Bid.AnnualCapacity:N0}");
            }
        }

        private void CheckObjective()
        {
            var solve = award.Solve;
            if (!Allocated || solve.Objective is not { } objective)
            {
                return;
            }
            // The lines' amounts are each rounded to the fen; a solver's objective may be counted
            // otherwise (an LP in floating point): allow half a fen per line.
            var tolerance = 0.005m * (_lines + 1);
            Hold(Math.Abs(objective - _amounts) <= tolerance, RuleCodes.Objective, "$.solve.objective",
                () => $"objective {objective}, the lines' amounts sum to {_amounts}");
            if (solve.Bound is { } bound)
            {
                Hold(bound <= objective + tolerance, RuleCodes.Objective, "$.solve.bound", () => $"the bound {bound} is above the cost {objective} of an allocation found");
                if (solve.Gap is { } gap && objective > 0)
                {
                    var actual = (double)((objective - bound) / objective);
                    Hold(Math.Abs(gap - actual) <= 1e-6, RuleCodes.Objective, "$.solve.gap", () => $"gap {gap}, objective and bound give {actual}");
                }
            }
        }

        private static long RoundAway(decimal value) => (long)decimal.Round(value, 0, MidpointRounding.AwayFromZero);

        private static string Show<T>(T? value)
            where T : struct => value is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture)! : "none";
    }
}
