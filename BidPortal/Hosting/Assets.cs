using System.Collections.Concurrent;

namespace Procurement.BidPortal.Hosting;

/// <summary>
/// The portal's style sheet and script, embedded in its assembly so the silo that co-hosts the
/// portal serves them without a web root of its own.
/// </summary>
public static class Assets
{
    private static readonly ConcurrentDictionary<string, byte[]?> Cache = new();

    public static IResult Serve(string name)
    {
        var type = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => null,
        };
        var content = type is null ? null : Cache.GetOrAdd(name, Load);
        return content is null
            ? Results.NotFound()
            : Results.Bytes(content, type, lastModified: null, entityTag: null);
    }

    private static byte[]? Load(string name)
    {
        using var stream = typeof(Assets).Assembly.GetManifestResourceStream($"Procurement.BidPortal.Assets.{name}");
        if (stream is null)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
