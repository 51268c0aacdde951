using Procurement.Contracts.Domain;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// The canonical form a receipt commits to: a drug bid's text and commitment are byte for byte what
/// they were before consumables bids existed (form 1), and a consumables bid's (form 2) carries its
/// product and component prices, in an order that does not depend on the request's, and parses back.
/// </summary>
public sealed class ConsumableBidFormTests
{
    private const string Nonce = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

    [Fact]
    public void A_drug_bids_canonical_text_and_receipt_hash_are_unchanged()
    {
        var drug = new BidContent("B-1", "ATV", "20mgx7", 1.2345m, 800_000, ["RB", "RA"]);
        var text = BidCanonicalForm.Text("M1", drug);

        // Pinned before consumables existed: a receipt issued then still verifies.
        Assert.Equal(
            """{"annualCapacity":800000,"batchId":"B-1","manufacturerId":"M1","pricePerPack":"1.2345","productId":"ATV","specificationCode":"20mgx7","supplyRegions":["RA","RB"]}""",
            text);
        Assert.Equal("fd30c21a50f8b5d8177d20192c5c1e1b3acbcf1d929a0e6c3a8aa17d48681801", BidCanonicalForm.Commitment(Nonce, text));
        var (maker, parsed) = BidCanonicalForm.Parse(text);
        Assert.Equal("M1", maker);
        Assert.Null(parsed.Consumable);
        Assert.Equal(text, BidCanonicalForm.Text(maker, parsed));
    }

    [Fact]
    public void A_consumables_bids_canonical_text_holds_the_product_and_component_prices_and_parses_back()
    {
        var hip = new BidContent("B-1", "HIP", "", 30_000m, 7_000, ["RA"])
        {
            Consumable = new ConsumableOffer("CERT-1", "MODEL-1", null, [new ConsumableComponentPrice("stem", 3m), new ConsumableComponentPrice("cup", 2.5m)]),
        };
        var text = BidCanonicalForm.Text("M1", hip);

        Assert.Equal(
            """{"annualCapacity":7000,"batchId":"B-1","consumable":{"certificateNumber":"CERT-1","componentPrices":[{"componentId":"cup","price":"2.5000"},{"componentId":"stem","price":"3.0000"}],"consumableCode":null,"model":"MODEL-1"},"form":2,"manufacturerId":"M1","pricePerPack":"30000.0000","productId":"HIP","specificationCode":"","supplyRegions":["RA"]}""",
            text);
        Assert.Equal("b98ccb198019eacddfbe5cbb8c13f3f392d9fc9cc217b37ba212f5367f19f9cf", BidCanonicalForm.Commitment(Nonce, text));
        // The components' order in the request does not change the text (a repeated request matches its receipt).
        var reordered = hip with { Consumable = hip.Consumable! with { ComponentPrices = [.. hip.Consumable.ComponentPrices.Reverse()] } };
        Assert.Equal(text, BidCanonicalForm.Text("M1", reordered));

        var (maker, parsed) = BidCanonicalForm.Parse(text);
        Assert.Equal("M1", maker);
        Assert.Equal(("CERT-1", "MODEL-1", (string?)null), (parsed.Consumable!.CertificateNumber, parsed.Consumable.Model, parsed.Consumable.ConsumableCode));
        Assert.Equal([new ConsumableComponentPrice("cup", 2.5m), new ConsumableComponentPrice("stem", 3m)], parsed.Consumable.ComponentPrices);
        Assert.Equal(text, BidCanonicalForm.Text(maker, parsed));

        var coded = hip with { Consumable = hip.Consumable with { ConsumableCode = "C03010300412345067890123456" } };
        Assert.Equal("C03010300412345067890123456", BidCanonicalForm.Parse(BidCanonicalForm.Text("M1", coded)).Content.Consumable!.ConsumableCode);
    }
}
