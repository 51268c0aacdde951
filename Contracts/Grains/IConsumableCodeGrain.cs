using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// Reads of the consumables code master data (docs/CONSUMABLES.md, "Browsing the codes"), answered
/// from SQL by any silo (a stateless worker; key 0). The codes are public reference data: every
/// business role may read them.
/// </summary>
[Alias("Procurement.IConsumableCodeGrain")]
public interface IConsumableCodeGrain : IGrainWithIntegerKey
{
    /// <summary>A page of codes matching the query, in code order (refused with the query's codes: <see cref="ConsumableCodeQuery.Validated"/>).</summary>
    [Alias("Search")]
    Task<ConsumableCodePage> SearchAsync(ConsumableCodeQuery query);

    /// <summary>One code with what replaces it and what it replaces; <c>NOT_FOUND</c> when the release has no trace of it.</summary>
    [Alias("Lookup")]
    Task<ConsumableCodeLookup> LookupAsync(string code);
}
