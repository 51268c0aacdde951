using System.Text;
using System.Text.Json.Nodes;
using NJsonSchema;
using Procurement.Tests.Deploy;
using Xunit;

namespace Procurement.Tests.Portal.Ocds;

/// <summary>
/// The official OCDS 1.1.5 release-package schema, with its reference to the release schema served
/// from the copy beside it (no network), and the check every exported package must pass: valid
/// against the official schemas, and against them with the VBP extension's schema patched in, the
/// way OCDS tools apply an extension (JSON Merge Patch), so the extension's own fields are checked too.
/// </summary>
internal static class OcdsSchema
{
    private const string ReleaseSchemaId = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Portal", "Ocds");

    public static Task<JsonSchema> PackageAsync() =>
        PackageAsync(File.ReadAllText(Path.Combine(Folder, "release-schema.json")));

    /// <summary>The package schema whose release schema carries the VBP extension's patch (BidPortal/Exports/VbpExtension).</summary>
    public static Task<JsonSchema> PackageWithVbpExtensionAsync()
    {
        var release = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "release-schema.json")))!;
        var patch = JsonNode.Parse(File.ReadAllText(DeployFiles.PathOf("BidPortal/Exports/VbpExtension/release-schema.json")))!;
        return PackageAsync(MergePatch(MergePatch(MergePatch(release, BidsStandIn), LotsStandIn), patch).ToJsonString());
    }

    /// <summary>
    /// What the bid extension gives the release schema that the VBP extension builds on: the
    /// release's <c>bids.details</c> of a <c>Bid</c> with an id (only this: the extension's own schema
    /// is not in the offline copy), so that the VBP fields of a bid (<c>vbpDemandGroup</c>) are checked too.
    /// </summary>
    private static JsonNode BidsStandIn => JsonNode.Parse("""
        {
          "properties": {
            "bids": { "type": "object", "properties": { "details": { "type": "array", "items": { "$ref": "#/definitions/Bid" } } } }
          },
          "definitions": {
            "Bid": { "type": "object", "required": ["id"], "properties": { "id": { "type": "string", "minLength": 1 } } }
          }
        }
        """)!;

    /// <summary>
    /// What the lots extension gives the release schema that the VBP extension builds on: tender lots
    /// of a <c>Lot</c> with an id (only this: the extension's own schema is not in the offline copy),
    /// so that the VBP fields of a lot (<c>vbpDemandGroups</c>) are checked with the rest.
    /// </summary>
    private static JsonNode LotsStandIn => JsonNode.Parse("""
        {
          "definitions": {
            "Tender": { "properties": { "lots": { "type": "array", "items": { "$ref": "#/definitions/Lot" } } } },
            "Lot": { "type": "object", "required": ["id"], "properties": { "id": { "type": "string", "minLength": 1 } } }
          }
        }
        """)!;

    /// <summary>Fails with every schema error's path and kind when the package does not validate, with or without the VBP extension.</summary>
    public static async Task AssertValidAsync(byte[] package)
    {
        var json = Encoding.UTF8.GetString(package);
        foreach (var schema in new[] { await PackageAsync(), await PackageWithVbpExtensionAsync() })
        {
            var errors = schema.Validate(json);
            Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
        }
    }

    private static async Task<JsonSchema> PackageAsync(string releaseSchema)
    {
        var release = await JsonSchema.FromJsonAsync(releaseSchema);
        return await JsonSchema.FromJsonAsync(
            await File.ReadAllTextAsync(Path.Combine(Folder, "release-package-schema.json")),
            null,
            root =>
            {
                var resolver = new JsonReferenceResolver(new JsonSchemaAppender(root, new DefaultTypeNameGenerator()));
                resolver.AddDocumentReference(ReleaseSchemaId, release);
                return resolver;
            });
    }

    /// <summary>RFC 7386: objects merge member by member, a null removes the member, anything else replaces it.</summary>
    private static JsonNode MergePatch(JsonNode target, JsonNode patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var merged = MergePatch(result[name] ?? new JsonObject(), value);
                result[name] = merged.Parent is null ? merged : merged.DeepClone();
            }
        }

        return result;
    }
}
