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

    /// <summary>
    /// Lists (or relists) prices for products bought outside any agreement, product x manufacturer;
    /// a listing not named stays as it is.
    /// </summary>
    [Alias("ListPrices")]
    Task ListPricesAsync(IReadOnlyList<ListedPrice> prices);

    [Alias("GetListedPrices")]
    Task<IReadOnlyList<ListedPrice>> GetListedPricesAsync();

    /// <summary>The consumables categories of the alliance's batches, by id (at most <c>AllianceGrain.MaxListableCategories</c>): what it may list prices for beside the drug products.</summary>
    [Alias("GetListableCategories")]
    Task<IReadOnlyList<ListableCategory>> GetListableCategoriesAsync();

    /// <summary>Sets the days hospitals have to pay after accepting a delivery (1-180; 30 unless set).</summary>
    [Alias("SetPaymentTerm")]
    Task SetPaymentTermAsync(int days);

    /// <summary>The days hospitals have to pay after accepting a delivery: the alliance's term, or the configured default (<c>Orders:PaymentDays</c>) while it set none.</summary>
    [Alias("GetPaymentTerm")]
    Task<int> GetPaymentTermAsync();
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
