using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Hosting;

/// <summary>
/// Keeps the data-protection keys (which sign the session cookie and antiforgery tokens) in the
/// cluster's key ring grain, so a cookie issued by one silo or portal instance is read by every
/// other. Data protection calls this rarely (it caches the ring), and synchronously.
/// </summary>
public sealed class GrainKeyRepository(IServiceProvider services) : IXmlRepository
{
    public const string RingName = "portal";

    private IKeyRingGrain Ring => services.GetRequiredService<IClusterClient>().GetGrain<IKeyRingGrain>(RingName);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        Ring.GetAllAsync().GetAwaiter().GetResult().Select(XElement.Parse).ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        Ring.StoreAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
}
