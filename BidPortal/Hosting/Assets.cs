using System.Collections.Frozen;

namespace Procurement.BidPortal.Hosting;

/// <summary>
/// The portal's style sheet and script, embedded in its assembly so the silo that co-hosts the
/// portal serves them without a web root of its own. Read once at start: a request for a name that
/// is not embedded is a 404 and leaves nothing behind (no cache entry per name asked for).
/// </summary>
public static class Assets
{
    private const string Prefix = "Procurement.BidPortal.Assets.";

    private static readonly FrozenDictionary<string, (byte[] Content, string Type)> Embedded = Load();

    /// <summary>The names the portal serves, for tests and diagnostics.</summary>
    public static IReadOnlyCollection<string> Names => Embedded.Keys;

    public static IResult Serve(string name) =>
        Embedded.TryGetValue(name, out var asset)
            ? Results.Bytes(asset.Content, asset.Type, lastModified: null, entityTag: null)
            : Results.NotFound();

    private static FrozenDictionary<string, (byte[] Content, string Type)> Load()
    {
        var assembly = typeof(Assets).Assembly;
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                _ => null,
            };
            if (type is null)
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            assets[name] = (buffer.ToArray(), type);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
