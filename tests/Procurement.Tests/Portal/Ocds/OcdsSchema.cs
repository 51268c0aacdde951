using System.Text;
using NJsonSchema;
using Xunit;

namespace Procurement.Tests.Portal.Ocds;

/// <summary>
/// The official OCDS 1.1.5 release-package schema, with its reference to the release schema served
/// from the copy beside it (no network), and the check every exported package must pass.
/// </summary>
internal static class OcdsSchema
{
    public static async Task<JsonSchema> PackageAsync()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Portal", "Ocds");
        var release = await JsonSchema.FromFileAsync(Path.Combine(folder, "release-schema.json"));
        return await JsonSchema.FromJsonAsync(
            await File.ReadAllTextAsync(Path.Combine(folder, "release-package-schema.json")),
            null,
            root =>
            {
                var resolver = new JsonReferenceResolver(new JsonSchemaAppender(root, new DefaultTypeNameGenerator()));
                resolver.AddDocumentReference("https://standard.open-contracting.org/schema/1__1__5/release-schema.json", release);
                return resolver;
            });
    }

    /// <summary>Fails with every schema error's path and kind when the package does not validate.</summary>
    public static async Task AssertValidAsync(byte[] package)
    {
        var errors = (await PackageAsync()).Validate(Encoding.UTF8.GetString(package));
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }
}
