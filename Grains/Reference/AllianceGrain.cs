using Microsoft.Extensions.Options;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Reference;

public sealed class AllianceGrain(
    ReferenceRepository reference,
    Orders.SupplyTermsRepository terms,
    IOptions<Orders.OrderOptions> orderOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IAllianceGrain
{
    public async Task RegisterAsync(Alliance alliance)
    {
        Check.NotNull(alliance, "alliance");
        Check.MatchesKey(Check.Id(alliance.Id, "id"), this.GetPrimaryKeyString(), "id");
        Check.Text(alliance.Name, "name", 200);
        Check.OptionalText(alliance.NameZh, "nameZh", 200);
        Check.NonEmpty(alliance.Regions, "regions");
        Check.Distinct(alliance.Regions.Select(r => r?.Code!).ToList(), "regions.code");
        for (var i = 0; i < alliance.Regions.Count; i++)
        {
            Check.Text(alliance.Regions[i].Name, $"regions[{i}].name", 200);
            Check.OptionalText(alliance.Regions[i].NameZh, $"regions[{i}].nameZh", 200);
        }
        await reference.SaveAllianceAsync(alliance, ProcurementClock.Now(clock), Actor.Current($"alliance:{alliance.Id}"));
    }

    public Task<Alliance?> GetAsync() => reference.GetAllianceAsync(this.GetPrimaryKeyString());

    /// <summary>At most this many prices in one call.</summary>
    public const int MaxListedPerCall = 5_000;

    public async Task ListPricesAsync(IReadOnlyList<ListedPrice> prices)
    {
        var allianceId = this.GetPrimaryKeyString();
        await RegisteredAsync(allianceId);
        Check.NonEmpty(prices, "prices");
        if (prices.Count > MaxListedPerCall)
        {
            throw new ProcurementException(ErrorCodes.TooManyRows, $"At most {MaxListedPerCall} prices can be listed at once; {prices.Count} were sent.", "prices");
        }
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < prices.Count; i++)
        {
            var price = Check.NotNull(prices[i], $"prices[{i}]");
            Check.Id(price.ProductId, $"prices[{i}].productId");
            Check.Id(price.ManufacturerId, $"prices[{i}].manufacturerId");
            if (price.UnitPrice <= 0 || price.UnitPrice > 1_000_000m)
            {
                throw ProcurementException.Invalid($"prices[{i}].unitPrice", $"prices[{i}].unitPrice must be above 0 and at most 1,000,000.");
            }
            Scaled.ToE6(price.UnitPrice, $"prices[{i}].unitPrice");
            if (!seen.Add((price.ProductId, price.ManufacturerId)))
            {
                throw ProcurementException.Invalid($"prices[{i}]", $"{price.ProductId} from {price.ManufacturerId} is listed twice.");
            }
            if (!await terms.ListableAsync(allianceId, price.ProductId))
            {
                throw new ProcurementException(ErrorCodes.NotFound,
                    $"{price.ProductId} is neither a registered product nor a consumables category of this alliance's batches.", $"prices[{i}].productId");
            }
            if (!await terms.ManufacturerExistsAsync(price.ManufacturerId))
            {
                throw new ProcurementException(ErrorCodes.UnknownManufacturer, $"Manufacturer {price.ManufacturerId} is not registered.", $"prices[{i}].manufacturerId");
            }
        }
        await terms.ListPricesAsync(allianceId, prices, ProcurementClock.Now(clock), Actor.Current($"alliance:{allianceId}"));
    }

    public Task<IReadOnlyList<ListedPrice>> GetListedPricesAsync() => terms.ListedPricesAsync(this.GetPrimaryKeyString());

    /// <summary>At most this many categories are offered for listing (a page's select, not a catalogue).</summary>
    public const int MaxListableCategories = 2_000;

    public Task<IReadOnlyList<ListableCategory>> GetListableCategoriesAsync() => terms.ListableCategoriesAsync(this.GetPrimaryKeyString(), MaxListableCategories);

    public async Task SetPaymentTermAsync(int days)
    {
        var allianceId = this.GetPrimaryKeyString();
        await RegisteredAsync(allianceId);
        if (days is < 1 or > 180)
        {
            throw ProcurementException.Invalid("days", "days must be between 1 and 180.");
        }
        await terms.SetPaymentTermAsync(allianceId, days, ProcurementClock.Now(clock), Actor.Current($"alliance:{allianceId}"));
    }

    /// <summary>The same default the hospitals' invoices fall back to while the alliance set no term.</summary>
    public async Task<int> GetPaymentTermAsync() =>
        await terms.PaymentTermAsync(this.GetPrimaryKeyString()) ?? orderOptions.Value.PaymentDays;

    private async Task RegisteredAsync(string allianceId)
    {
        if (await reference.GetAllianceAsync(allianceId) is null)
        {
            throw new ProcurementException(ErrorCodes.NotFound, $"Alliance {allianceId} is not registered.", "allianceId");
        }
    }
}
