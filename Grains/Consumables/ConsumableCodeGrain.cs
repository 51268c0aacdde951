using Orleans.Concurrency;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.Grains.Consumables;

/// <summary>The code master data's reads; stateless, so every silo answers its share.</summary>
[StatelessWorker]
public sealed class ConsumableCodeGrain(ConsumableCodeReader codes) : Grain, IConsumableCodeGrain
{
    public Task<ConsumableCodePage> SearchAsync(ConsumableCodeQuery query) =>
        codes.SearchAsync(Hosting.Check.NotNull(query, "query").Validated());

    public async Task<ConsumableCodeLookup> LookupAsync(string code)
    {
        var value = ConsumableCode.Parse(code).Value;
        return await codes.LookupAsync(value)
            ?? throw new ProcurementException(ErrorCodes.NotFound, $"The code master data has no code {value}, nor a transcoding of it.", "code");
    }
}
