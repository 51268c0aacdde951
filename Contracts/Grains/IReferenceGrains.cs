using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>An alliance and the regions it buys for. Keyed by alliance id.</summary>
[Alias("Procurement.IAllianceGrain")]
public interface IAllianceGrain : IGrainWithStringKey
{
    /// <summary>Creates the alliance or replaces its name and region list; regions are created or renamed.</summary>
    [Alias("Register")]
    Task RegisterAsync(Alliance alliance);

    [Alias("Get")]
    Task<Alliance?> GetAsync();
}

/// <summary>A product of the catalogue. Keyed by product id.</summary>
[Alias("Procurement.IProductGrain")]
public interface IProductGrain : IGrainWithStringKey
{
    /// <summary>Creates the product or replaces its specifications (not while a batch that uses it is past Draft).</summary>
    [Alias("Register")]
    Task RegisterAsync(Product product);

    [Alias("Get")]
    Task<Product?> GetAsync();
}
