using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Reference;

public sealed class AllianceGrain(
    ReferenceRepository reference,
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
}
