using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// The award engine's rule-set registry for callers that do not reference the engine (the portal):
/// a stateless worker, any key, any silo answers.
/// </summary>
[Alias("Procurement.IRuleSetCatalogGrain")]
public interface IRuleSetCatalogGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<RuleSetCatalogView> GetAsync();
}
