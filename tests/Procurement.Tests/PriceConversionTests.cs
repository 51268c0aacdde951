using Procurement.Contracts.Domain;
using Procurement.Grains.Batches;
using Xunit;

namespace Procurement.Tests;

public sealed class PriceConversionTests
{
    private static readonly Product Atorvastatin = new(
        "ATV", "Atorvastatin calcium", "Tablet", new Specification("20mgx7", 7, 20m),
        [new Specification("20mgx14", 14, 20m), new Specification("20mgx28", 28, 20m), new Specification("40mgx7", 7, 40m), new Specification("20mgx10", 10, 20m)]);

    [Theory]
    [InlineData("20mgx7", 7.00, 1.000000)]       // the representative specification: price per tablet
    [InlineData("20mgx14", 13.65, 1.000000)]     // double the pack: 1.95 times the price
    [InlineData("20mgx28", 26.6175, 1.000000)]   // 1.95 squared
    [InlineData("40mgx7", 11.90, 1.000000)]      // double the strength: 1.7 times the price
    public void Pack_and_strength_convert_to_the_representative_unit_price(string spec, double packPrice, double unitPrice)
    {
        var result = ComparablePrice.Of(Atorvastatin, spec, (decimal)packPrice, PriceConversion.National);

        Assert.Equal((decimal)unitPrice, result);
    }

    [Fact]
    public void A_pack_count_that_is_not_a_power_of_two_uses_the_fractional_exponent()
    {
        // K = 1.95^log2(10/7) = 1.5327...: 10 tablets at 10 CNY are worth 10 / K for 7 tablets.
        var result = ComparablePrice.Of(Atorvastatin, "20mgx10", 10m, PriceConversion.National);

        var factor = Math.Pow(1.95, Math.Log2(10.0 / 7.0));
        Assert.Equal(Math.Round(10.0 / factor / 7.0, 6), (double)result, 6);
    }

    [Fact]
    public void The_factors_come_from_the_rule_set()
    {
        var flat = new PriceConversion(2m, 2m);

        Assert.Equal(1m, ComparablePrice.Of(Atorvastatin, "20mgx14", 14m, flat));
    }

    [Fact]
    public void A_receipt_hash_is_reproducible_from_the_canonical_text()
    {
        var bid = new BidContent("B1", "ATV", "20mgx7", 1.5m, 1000, ["GX", "GD"]);

        var text = BidCanonicalForm.Text("M1", bid);

        Assert.Equal(
            """{"annualCapacity":1000,"batchId":"B1","manufacturerId":"M1","pricePerPack":"1.5000","productId":"ATV","specificationCode":"20mgx7","supplyRegions":["GD","GX"]}""",
            text);
        var nonce = BidCanonicalForm.NewNonce();
        Assert.Equal(
            BidCanonicalForm.Commitment(nonce, BidCanonicalForm.Text("M1", bid with { SupplyRegions = ["GD", "GX"], PricePerPack = 1.50m })),
            BidCanonicalForm.Commitment(nonce, text));
        Assert.NotEqual(BidCanonicalForm.Commitment(nonce, BidCanonicalForm.Text("M2", bid)), BidCanonicalForm.Commitment(nonce, text));
        // The same content under another nonce gives an unrelated commitment: a hash cannot be matched by trying prices.
        Assert.NotEqual(BidCanonicalForm.Commitment(BidCanonicalForm.NewNonce(), text), BidCanonicalForm.Commitment(nonce, text));
        // SHA-256 over the nonce's bytes then the text, so anyone can check it with standard tools.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([.. Convert.FromHexString(nonce), .. System.Text.Encoding.UTF8.GetBytes(text)]));
        Assert.Equal(expected, BidCanonicalForm.Commitment(nonce, text));
        var (manufacturer, parsed) = BidCanonicalForm.Parse(text);
        Assert.Equal("M1", manufacturer);
        Assert.Equal(["GD", "GX"], parsed.SupplyRegions);
        Assert.Equal(text, BidCanonicalForm.Text(manufacturer, parsed));
    }
}
