using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>The 27-character consumables code: its parts, and a stable code naming the part for each malformed one.</summary>
public sealed class ConsumableCodeTests
{
    [Fact]
    public void A_code_is_read_into_its_parts_from_the_broadest_class_to_the_specification()
    {
        var code = ConsumableCode.Parse(" C02010300412345067890123456 ");

        Assert.Equal("C02010300412345067890123456", code.Value);
        Assert.Equal("C02", code.Category);
        Assert.Equal("01", code.Subcategory);
        Assert.Equal("03", code.GeneralClass);
        Assert.Equal("004", code.GeneralName);
        Assert.Equal("12345", code.Feature);
        Assert.Equal("06789", code.Manufacturer);
        Assert.Equal("0123456", code.Specification);
        Assert.Equal(code.Value, code.Category + code.Subcategory + code.GeneralClass + code.GeneralName + code.Feature + code.Manufacturer + code.Specification);
    }

    [Theory]
    [InlineData("", ErrorCodes.RequiredField, "code")]
    [InlineData("C0201030041234506789012345", ErrorCodes.ConsumableCodeLength, "code")]
    [InlineData("C020103004123450678901234567", ErrorCodes.ConsumableCodeLength, "code")]
    [InlineData("D02010300412345067890123456", ErrorCodes.ConsumableCodeMalformed, "code.identifier")]
    [InlineData("CA2010300412345067890123456", ErrorCodes.ConsumableCodeMalformed, "code.category")]
    [InlineData("C02010300412X45067890123456", ErrorCodes.ConsumableCodeMalformed, "code.feature")]
    [InlineData("C0201030041234506789012345X", ErrorCodes.ConsumableCodeMalformed, "code.specification")]
    [InlineData("C00010300412345067890123456", ErrorCodes.ConsumableCodeCategory, "code.category")]
    public void A_malformed_code_is_refused_with_a_stable_code_naming_the_part(string text, string expectedCode, string expectedField)
    {
        Assert.False(ConsumableCode.TryParse(text, "code", out var code, out var error));
        Assert.Null(code);
        Assert.Equal(expectedCode, error!.Code);
        Assert.Equal(expectedField, error.Field);
        Assert.Contains("code", error.Message, StringComparison.Ordinal);

        var thrown = Assert.Throws<ProcurementException>(() => ConsumableCode.Parse(text));
        Assert.Equal(expectedCode, thrown.Code);
    }

    [Fact]
    public void The_field_named_in_the_error_is_the_callers()
    {
        Assert.False(ConsumableCode.TryParse("C0201", "new_code", out _, out var error));
        Assert.Equal("new_code", error!.Field);
        Assert.StartsWith("new_code 'C0201' has 5 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_of_a_code_tells_codes_apart_and_fits_sixteen_bytes()
    {
        var a = ConsumableCode.Parse("C02010300412345067890123456");
        var b = ConsumableCode.Parse("C02010300412345067890123457");

        Assert.NotEqual(a.Key, b.Key);
        Assert.Equal(a.Key, ConsumableCode.Parse(a.Value).Key);
        Assert.Equal(UInt128.Parse("99999999999999999999999999"), ConsumableCode.Parse("C99999999999999999999999999").Key);
    }
}
