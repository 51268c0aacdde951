using Procurement.BidPortal.Security;

namespace Procurement.BidPortal.Api;

/// <summary>What an upload may be: its size, its data rows, and for XLSX what it may unpack to (from <see cref="PortalLimits"/>).</summary>
public sealed record UploadLimits(long MaxBytes, int MaxRows, long MaxXlsxUncompressedBytes, int MaxXlsxCompressionRatio)
{
    public static UploadLimits From(PortalLimits limits) =>
        new(limits.MaxUploadBytes, limits.MaxUploadRows, limits.MaxXlsxUncompressedBytes, limits.MaxXlsxCompressionRatio);
}
