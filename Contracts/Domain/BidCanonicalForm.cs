using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Procurement.Contracts.Domain;

/// <summary>
/// The canonical text of a bid that its receipt commits to, so anyone can verify a receipt without
/// the server once the opening publishes contents and nonces: compact JSON, keys in this fixed
/// (alphabetical) order, the price with exactly 4 decimals as a string, supply regions sorted
/// ordinally, UTF-8. The commitment is SHA-256 over the receipt's 32-byte random nonce followed by
/// the text: without the nonce, which only the bidder holds until the opening, the small space of
/// plausible prices cannot be searched for a matching hash.
/// A consumables bid (form 2) adds, in the same alphabetical place, <c>consumable</c> (certificate,
/// component prices sorted by component id ordinally with 4-decimal prices as strings, the code or
/// null, the model) and <c>form: 2</c>; a drug bid's text (form 1, without either key) is exactly
/// what it was before consumables existed, so every earlier receipt still verifies. A consumables
/// bid that is not the firm's first offer in its category adds <c>offerNumber</c> (its place is
/// between <c>manufacturerId</c> and <c>pricePerPack</c>); offer 1 writes no key, so the text of
/// every consumables bid made before a firm could offer several products is what it was too.
/// </summary>
public static class BidCanonicalForm
{
    public static string Text(string manufacturerId, BidContent content)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("annualCapacity", content.AnnualCapacity);
            json.WriteString("batchId", content.BatchId);
            if (content.Consumable is { } offer)
            {
                WriteConsumable(json, offer);
                json.WriteNumber("form", ConsumableForm);
            }
            json.WriteString("manufacturerId", manufacturerId);
            if (BidOffers.Of(content) != 1)
            {
                json.WriteNumber("offerNumber", BidOffers.Of(content));
            }
            json.WriteString("pricePerPack", content.PricePerPack.ToString("F4", CultureInfo.InvariantCulture));
            json.WriteString("productId", content.ProductId);
            json.WriteString("specificationCode", content.SpecificationCode);
            json.WriteStartArray("supplyRegions");
            foreach (var region in content.SupplyRegions.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(region);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The form of a consumables bid's text; a drug bid's (form 1) carries no number.</summary>
    public const int ConsumableForm = 2;

    private static void WriteConsumable(Utf8JsonWriter json, ConsumableOffer offer)
    {
        json.WriteStartObject("consumable");
        json.WriteString("certificateNumber", offer.CertificateNumber);
        json.WriteStartArray("componentPrices");
        foreach (var component in (offer.ComponentPrices ?? []).OrderBy(c => c.ComponentId, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("componentId", component.ComponentId);
            json.WriteString("price", component.Price.ToString("F4", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (offer.ConsumableCode is null)
        {
            json.WriteNull("consumableCode");
        }
        else
        {
            json.WriteString("consumableCode", offer.ConsumableCode);
        }
        json.WriteString("model", offer.Model);
        json.WriteEndObject();
    }

    private static ConsumableOffer ParseConsumable(JsonElement consumable) =>
        new(
            consumable.GetProperty("certificateNumber").GetString()!,
            consumable.GetProperty("model").GetString()!,
            consumable.GetProperty("consumableCode").GetString(),
            consumable.GetProperty("componentPrices").EnumerateArray()
                .Select(c => new ConsumableComponentPrice(
                    c.GetProperty("componentId").GetString()!,
                    decimal.Parse(c.GetProperty("price").GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture)))
                .ToList());

    /// <summary>The canonical text of a withdrawal: which bid, and nothing it offered.</summary>
    public static string WithdrawalText(string manufacturerId, string batchId, string productId, Guid bidId)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("batchId", batchId);
            json.WriteString("bidId", bidId.ToString("D"));
            json.WriteString("manufacturerId", manufacturerId);
            json.WriteString("productId", productId);
            json.WriteString("withdrawn", "true");
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public const int NonceBytes = 32;

    /// <summary>A fresh receipt nonce, hex (lower case).</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(NonceBytes));

    /// <summary>SHA-256 (hex, lower case) of the nonce's bytes followed by the UTF-8 text.</summary>
    public static string Commitment(string nonceHex, string canonicalText)
    {
        var nonce = Convert.FromHexString(nonceHex);
        if (nonce.Length != NonceBytes)
        {
            throw new ArgumentException($"A receipt nonce has {NonceBytes} bytes.", nameof(nonceHex));
        }
        var text = Encoding.UTF8.GetBytes(canonicalText);
        var input = new byte[nonce.Length + text.Length];
        nonce.CopyTo(input, 0);
        text.CopyTo(input, nonce.Length);
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>The bid a canonical text describes (the inverse of <see cref="Text"/>).</summary>
    public static (string ManufacturerId, BidContent Content) Parse(string canonicalText)
    {
        using var document = JsonDocument.Parse(canonicalText);
        var root = document.RootElement;
        var content = new BidContent(
            root.GetProperty("batchId").GetString()!,
            root.GetProperty("productId").GetString()!,
            root.GetProperty("specificationCode").GetString()!,
            decimal.Parse(root.GetProperty("pricePerPack").GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture),
            root.GetProperty("annualCapacity").GetInt64(),
            root.GetProperty("supplyRegions").EnumerateArray().Select(r => r.GetString()!).ToList())
        {
            Consumable = root.TryGetProperty("consumable", out var consumable) ? ParseConsumable(consumable) : null,
            OfferNumber = root.TryGetProperty("offerNumber", out var offerNumber) ? offerNumber.GetInt32() : null,
        };
        return (root.GetProperty("manufacturerId").GetString()!, content);
    }
}
