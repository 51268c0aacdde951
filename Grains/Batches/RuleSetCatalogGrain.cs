using Orleans.Concurrency;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Grains.Batches;

/// <summary>Answers the portal from the award engine's registry; nothing is copied.</summary>
[StatelessWorker]
public sealed class RuleSetCatalogGrain : Grain, IRuleSetCatalogGrain
{
    private static readonly RuleSetCatalogView View = new(
        RuleSetCatalog.Names,
        RuleSetCatalog.Default,
        RuleSetCatalog.Parameters.Select(p => new RuleParameterInfo(p.Key, p.Owner.ToString(), p.Meaning, p.Example, p.FromConversion)).ToList());

    public Task<RuleSetCatalogView> GetAsync() => Task.FromResult(View);
}
