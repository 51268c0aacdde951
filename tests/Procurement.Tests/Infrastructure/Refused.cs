using Procurement.Contracts.Errors;
using Xunit;

namespace Procurement.Tests.Infrastructure;

public static class Refused
{
    /// <summary>Asserts that the call is refused with the given stable code (and field, when given).</summary>
    public static async Task<ProcurementException> WithAsync(string code, Func<Task> call, string? field = null)
    {
        var error = await Assert.ThrowsAsync<ProcurementException>(call);
        Assert.Equal(code, error.Code);
        if (field is not null)
        {
            Assert.Equal(field, error.Field);
        }
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }
}
