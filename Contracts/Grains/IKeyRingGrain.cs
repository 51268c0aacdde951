namespace Procurement.Contracts.Grains;

/// <summary>
/// The web tier's data-protection key ring, kept in the system of record so that every silo and
/// portal instance signs and reads cookies with the same keys. Keyed by the ring's name. Holds key
/// material: only the cluster and authenticated clients (the portal) reach it.
/// </summary>
[AuthenticatedClientsOnly]
[Alias("Procurement.IKeyRingGrain")]
public interface IKeyRingGrain : IGrainWithStringKey
{
    /// <summary>Every key element (XML) of the ring.</summary>
    [Alias("GetAll")]
    Task<IReadOnlyList<string>> GetAllAsync();

    /// <summary>Adds a key element under its friendly name; a name already stored is kept as it was.</summary>
    [Alias("Store")]
    Task StoreAsync(string name, string xml);
}
