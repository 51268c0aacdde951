namespace Procurement.BidPortal;

/// <summary>
/// The marker of the portal's one string table. Keys are the English texts; Resources/SharedResource.zh-CN.resx
/// holds the Chinese, so an untranslated key still reads in English.
/// </summary>
public sealed class SharedResource;
