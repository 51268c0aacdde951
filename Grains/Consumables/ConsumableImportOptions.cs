namespace Procurement.Grains.Consumables;

/// <summary>
/// Limits of the code master data importer (configuration section <c>Consumables:Import</c>;
/// docs/CONSUMABLES.md). The 2026 release's largest file is well under the default row limit.
/// </summary>
public sealed class ConsumableImportOptions
{
    public const string Section = "Consumables:Import";

    /// <summary>A file with more data rows is refused before anything is written.</summary>
    public int MaxRowsPerFile { get; set; } = 2_000_000;

    /// <summary>A larger file is refused before it is read.</summary>
    public long MaxFileBytes { get; set; } = 1L << 30;

    /// <summary>The row errors reported of a refused file; the rest are counted.</summary>
    public int MaxErrors { get; set; } = 1_000;

    /// <summary>Rows written per round of statements (the file is streamed, never held whole).</summary>
    public int RowsPerChunk { get; set; } = 1_000;

    /// <summary>The first limit that is not positive, as a message; null when all are.</summary>
    public string? Problem() =>
        MaxRowsPerFile <= 0 ? $"{Section}:MaxRowsPerFile must be positive."
        : MaxFileBytes <= 0 ? $"{Section}:MaxFileBytes must be positive."
        : MaxErrors <= 0 ? $"{Section}:MaxErrors must be positive."
        : RowsPerChunk <= 0 ? $"{Section}:RowsPerChunk must be positive."
        : null;
}
