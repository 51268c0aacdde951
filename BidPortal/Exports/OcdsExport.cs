using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// Publishes a batch as Open Contracting Data Standard 1.1, so that anyone can follow a
/// volume-based procurement with the tools that read OCDS: one compiled-style release per batch
/// (its whole state at publication), bids through the OCDS bid extension, and what OCDS has no
/// field for (regions, agreed volumes, agreement versions) as the VBP extension of docs/OCDS.md.
/// Pure: the package depends only on the arguments.
/// </summary>
/// <remarks>
/// Over 400 lines as one idea, the mapping of one batch to one release: each section (parties,
/// tender, bids, awards, contracts with their implementation) reads the same bundle and the same
/// publication rules (what is public when), so splitting them would spread those rules apart.
/// </remarks>
public static class OcdsExport
{
    /// <summary>Where the VBP extension's extension.json will be served; a placeholder until the portal hosts it.</summary>
    public const string VbpExtensionUri = "https://procurement.example/ocds/vbp-extension/extension.json";

    /// <summary>The OCDS bid extension (release-level <c>bids.details</c>), pinned to a version.</summary>
    public const string BidExtensionUri =
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.4/extension.json";

    /// <summary>The OCDS lots extension (tender.lots, items' relatedLot), pinned to a version: a consumables batch's categories are its lots.</summary>
    public const string LotsExtensionUri =
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.4/extension.json";

    /// <summary>
    /// The registered transaction_milestones extension (a payment's <c>relatedImplementationMilestone</c>)
    /// and the metrics extension that defines its <c>MilestoneReference</c>, as the OCDS extension
    /// registry lists them (master: neither has a tagged release there); declared when a release has transactions.
    /// </summary>
    public const string TransactionMilestonesExtensionUri =
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_transactions_relatedMilestone_extension/master/extension.json";

    public const string MetricsExtensionUri =
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json";

    /// <summary>The national medical-insurance consumables code (医保医用耗材代码): a lot's item is classified by its class prefix.</summary>
    public const string ConsumableClassificationScheme = "x_NHSA_MCS";

    /// <summary>Where packages will be served, one per release id; a placeholder like <see cref="VbpExtensionUri"/>.</summary>
    public const string PackageBaseUri = "https://procurement.example/ocds/releases/";

    public const string Currency = "CNY";

    /// <summary>The item classification scheme: our own (OCDS reserves the <c>x_</c> prefix for local schemes), the id is the product id.</summary>
    public const string ClassificationScheme = "x_VBP";

    /// <summary>
    /// Statement reasons that mean the bid was never in the comparison, published as bid status
    /// <c>disqualified</c>: not qualified, above the maximum price, or (a product system) component
    /// prices inconsistent with the set price.
    /// </summary>
    private static readonly HashSet<string> DisqualifyingReasons = new(StringComparer.Ordinal)
    {
        "LOST_NOT_QUALIFIED",
        "LOST_ABOVE_MAXIMUM_PRICE",
        "LOST_COMPONENTS_INCONSISTENT",
    };

    /// <summary>
    /// The relaxed encoder leaves Chinese text and quotes readable (\" rather than \u0022); it only
    /// skips the escaping of HTML-sensitive characters, which matters for JSON inlined into a page,
    /// never for a package served as a JSON file.
    /// </summary>
    private static readonly JsonSerializerOptions JsonFormat = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The package for <paramref name="batch"/> as of <paramref name="publishedDate"/>. Prices of
    /// bids appear only from the opening on, the award only from publicity on, contracts once
    /// agreements exist; ocid = <paramref name="ocidPrefix"/>-batchId, the release id adds the
    /// phase and the publication instant so each publication is a new release.
    /// </summary>
    public static ReleasePackage Build(OcdsBatch batch, DateTimeOffset publishedDate, string publisherName, string ocidPrefix, Func<string, string>? pageUri = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrWhiteSpace(publisherName);
        ArgumentException.ThrowIfNullOrWhiteSpace(ocidPrefix);

        var view = batch.View;
        var phase = view.Phase;
        var definition = view.Definition;
        var names = new Names(batch);
        var publicAward = phase >= TenderBatchPhase.Publicity ? batch.Award : null;
        var publicBids = phase >= TenderBatchPhase.Opened ? batch.Bids : null;
        // Agreements carry the awarded prices, so they too wait for their phase whatever the caller passes.
        var publicAgreements = phase >= TenderBatchPhase.Awarded ? batch.Agreements : [];

        var buyer = Buyer(batch);

        var consumables = definition?.Consumables is { } terms ? new OcdsConsumables(terms, names.Organisation) : null;
        var bids = publicBids is null ? null : Bids(publicBids, publicAward, names, consumables);
        var tenderers = publicBids?
            .Select(b => b.ManufacturerId)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(names.Organisation)
            .ToList();
        // A consumables award covers the batch's categories only (docs/CONSUMABLES.md), and its
        // awards are per winning bid and lot, from the award's winners and supplies.
        var awards = publicAward?.Consumables is { } consumableAward && consumables is not null
            ? consumables.Awards(view.BatchId, AwardStatus(phase), publicAward, consumableAward)
            : publicAward is null && publicAgreements.Count == 0
                ? []
                : Awards(view.BatchId, phase, publicAward, publicAgreements, publishedDate, names);
        var purchasing = batch.Purchasing is { } bought && buyer is not null && publicAgreements.Count > 0
            ? new OcdsPurchasing(bought, batch.Hospitals, buyer.Id, buyer.Name, names.Organisation)
            : null;
        var contracts = Contracts(batch, publicAgreements, names, consumables, purchasing, publicAward);
        var ruleSet = publicAward?.RuleSet ?? definition?.RuleSet.Name;

        var tender = new OcdsTender(
            Id: view.BatchId,
            Title: definition?.Name ?? view.BatchId,
            Status: TenderStatus(phase),
            ProcurementMethod: "open",
            ProcurementMethodDetails: ruleSet is null
                ? "Volume-based procurement"
                : $"Volume-based procurement (rule set {ruleSet})",
            MainProcurementCategory: "goods",
            ProcuringEntity: buyer,
            Items: [.. definition?.Products.Select(p => names.Item(p.ProductId, ReportedVolume(view, p.ProductId), p.MaxValidUnitPrice)) ?? [],
                .. ConsumableItems(definition?.Consumables, batch.ConsumableDemand)],
            TenderPeriod: definition is null ? null : new OcdsPeriod(null, definition.Windows.BiddingDeadline),
            AwardPeriod: definition is null ? null : new OcdsPeriod(view.OpenedAt ?? definition.Windows.OpeningTime, view.PublicityEnds),
            NumberOfTenderers: tenderers?.Count,
            Tenderers: tenderers,
            VbpRuleSet: ruleSet,
            VbpAwardMode: publicAward?.Mode,
            VbpAgreementMonths: definition?.AgreementMonths,
            VbpRegionCodes: definition?.RegionCodes)
        {
            Lots = definition?.Consumables?.Categories.Select(c => new OcdsLot(c.CategoryId, c.Name,
                c.PurchaseUnit == ConsumablePurchaseUnit.System ? $"Product system: {string.Join(", ", c.Components.Select(k => k.Name))}" : null)
            {
                VbpDemandGroups = OcdsConsumables.DemandGroups(publicAward?.Consumables, c.CategoryId),
            }).ToList(),
        };

        var release = new OcdsRelease(
            Ocid: Ocid(ocidPrefix, view.BatchId),
            Id: string.Create(CultureInfo.InvariantCulture, $"{view.BatchId}-{Camel(phase)}-{publishedDate.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}"),
            Date: publishedDate,
            Tag: [Tag(phase, contracts.Count > 0)],
            InitiationType: "tender",
            Parties: Parties(buyer, tenderers, awards, names, purchasing?.Roles(contracts) ?? []),
            Buyer: buyer,
            Tender: tender,
            Bids: bids,
            Awards: awards.Count > 0 ? awards : null,
            Contracts: contracts.Count > 0 ? contracts : null,
            RelatedProcesses: view.RenewalOf is { } previous
                ? [new OcdsRelatedProcess("1", ["renewalProcess"], $"Renewal of batch {previous}", "ocid", Ocid(ocidPrefix, previous))]
                : null,
            VbpEventChainHead: batch.EventChainHead is { } head ? new OcdsEventChainHead(head.Length, head.EventId, head.Hash) : null,
            VbpPurchasingTruncated: purchasing?.Truncated == true ? true : null);

        return Package(release, publishedDate, publisherName, tender.Lots is { Count: > 0 }, batch.Purchasing, pageUri);
    }

    /// <summary>
    /// A later page of the batch's purchasing (docs/OCDS.md, "Pages of purchasing"): one release of
    /// the same ocid, tagged <c>implementation</c>, holding the contracts with lines on the page,
    /// each with the page's purchase orders, deliveries and payments, and the parties those add. Its
    /// arrays' objects carry the ids they carry in the first package, so a reader merging the
    /// releases (OCDS's merge by id) gets the whole implementation. No tender, bids or awards: the
    /// first package holds them. Bids, awards and agreements wait for their phases as there.
    /// </summary>
    public static ReleasePackage BuildPurchasingPage(OcdsBatch batch, DateTimeOffset publishedDate, string publisherName, string ocidPrefix, string after, Func<string, string>? pageUri = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrWhiteSpace(publisherName);
        ArgumentException.ThrowIfNullOrWhiteSpace(ocidPrefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(after);

        var view = batch.View;
        var definition = view.Definition;
        var names = new Names(batch);
        var publicAward = view.Phase >= TenderBatchPhase.Publicity ? batch.Award : null;
        var publicAgreements = view.Phase >= TenderBatchPhase.Awarded ? batch.Agreements : [];
        var buyer = Buyer(batch);
        var consumables = definition?.Consumables is { } terms ? new OcdsConsumables(terms, names.Organisation) : null;
        var purchasing = batch.Purchasing is { } bought && buyer is not null && publicAgreements.Count > 0
            ? new OcdsPurchasing(bought, batch.Hospitals, buyer.Id, buyer.Name, names.Organisation)
            : null;
        var contracts = Contracts(batch, publicAgreements, names, consumables, purchasing, publicAward)
            .Where(c => c.Implementation is not null)
            .ToList();
        // The page's start in the id: each page a release of its own, the same page the same id at one instant.
        var page = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{after}|{batch.Purchasing?.Lines.Count}|{batch.Purchasing?.Next}")))[..16];
        var release = new OcdsRelease(
            Ocid: Ocid(ocidPrefix, view.BatchId),
            Id: string.Create(CultureInfo.InvariantCulture, $"{view.BatchId}-implementation-{publishedDate.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{page}"),
            Date: publishedDate,
            Tag: ["implementation"],
            InitiationType: "tender",
            Parties: Parties(buyer, null, [], names, purchasing?.Roles(contracts) ?? []),
            Buyer: buyer,
            Tender: null,
            Bids: null,
            Awards: null,
            Contracts: contracts.Count > 0 ? contracts : null,
            RelatedProcesses: null,
            VbpEventChainHead: batch.EventChainHead is { } head ? new OcdsEventChainHead(head.Length, head.EventId, head.Hash) : null,
            VbpPurchasingTruncated: purchasing?.Truncated == true ? true : null);
        return Package(release, publishedDate, publisherName, false, batch.Purchasing, pageUri);
    }

    /// <summary>The package of one release: its extensions by what the release holds, and the link to the next page of purchasing while more remain.</summary>
    private static ReleasePackage Package(
        OcdsRelease release, DateTimeOffset publishedDate, string publisherName, bool lots, Procurement.Contracts.Grains.BatchPurchasing? purchasing, Func<string, string>? pageUri) =>
        new(
            Uri: PackageBaseUri + Uri.EscapeDataString(release.Id) + ".json",
            Version: "1.1",
            PublishedDate: publishedDate,
            Publisher: new OcdsPublisher(publisherName),
            Extensions: Extensions(lots, release.Contracts?.Any(c => c.Implementation?.Transactions is { Count: > 0 }) == true),
            Releases: [release])
        {
            Links = purchasing?.Next is { } next && pageUri is not null ? new OcdsLinks(pageUri(next)) : null,
        };

    /// <summary>The alliance as the buyer: by its record, or by the definition's id standing for its name.</summary>
    private static OcdsOrganizationReference? Buyer(OcdsBatch batch) => batch.Alliance is { } alliance
        ? new OcdsOrganizationReference(alliance.Id, alliance.Name)
        : batch.View.Definition is { } definition ? new OcdsOrganizationReference(definition.AllianceId, definition.AllianceId) : null;

    private static List<OcdsContract> Contracts(
        OcdsBatch batch, IReadOnlyList<Agreement> agreements, Names names, OcdsConsumables? consumables, OcdsPurchasing? purchasing, AwardView? publicAward) =>
        agreements
            .Select(a =>
            {
                var contract = Contract(batch.View.BatchId, a, batch.BusinessUtcOffset, names, purchasing?.Implementation(a, consumables?.Lot(a.ProductId) is not null));
                return consumables?.Lot(a.ProductId) is { } lot ? consumables.Contract(contract, a, lot, publicAward?.Consumables) : contract;
            })
            .ToList();

    private static List<string> Extensions(bool lots, bool transactions)
    {
        List<string> extensions = [BidExtensionUri];
        if (lots)
        {
            extensions.Add(LotsExtensionUri);
        }
        if (transactions)
        {
            extensions.AddRange([TransactionMilestonesExtensionUri, MetricsExtensionUri]);
        }
        extensions.Add(VbpExtensionUri);
        return extensions;
    }

    /// <summary>
    /// A consumables batch's items: per category, the category (classified by its consumables code
    /// class prefix when it has one, else by its id in our scheme), with the quantity hospitals
    /// intended (null before any) at its maximum valid price per unit or per system; for a product
    /// system, also each component at its maximum price for separate purchase. Each item names its lot.
    /// </summary>
    private static IEnumerable<OcdsItem> ConsumableItems(ConsumableTerms? terms, ConsumableDemand? demand)
    {
        foreach (var lot in terms?.Categories ?? [])
        {
            var intended = demand?.Categories.FirstOrDefault(c => c.CategoryId == lot.CategoryId)?.TotalQuantity;
            var unit = lot.PurchaseUnit == ConsumablePurchaseUnit.System ? "system" : "unit";
            yield return new OcdsItem(lot.CategoryId, lot.Name,
                lot.ClassPrefix is { } prefix
                    ? new OcdsClassification(ConsumableClassificationScheme, prefix, lot.Name)
                    : new OcdsClassification(ClassificationScheme, lot.CategoryId, lot.Name),
                intended is > 0 ? intended : null, new OcdsUnit(unit, new OcdsValue(lot.MaxValidPrice, Currency)))
            {
                RelatedLot = lot.CategoryId,
            };
            foreach (var component in lot.Components)
            {
                var id = $"{lot.CategoryId}/{component.ComponentId}";
                yield return new OcdsItem(id, component.Name, new OcdsClassification(ClassificationScheme, id, component.Name), null,
                    new OcdsUnit("unit", component.MaxValidPrice is { } price ? new OcdsValue(price, Currency) : null))
                {
                    RelatedLot = lot.CategoryId,
                };
            }
        }
    }

    /// <summary>UTF-8 JSON without a BOM, camelCase, indented, nulls omitted, money as decimal numbers.</summary>
    public static void Write(ReleasePackage package, Stream output)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(output);
        JsonSerializer.Serialize(output, package, JsonFormat);
    }

    /// <summary>The id of the award of <paramref name="productId"/> to <paramref name="manufacturerId"/>; contracts name it in awardID.</summary>
    public static string AwardId(string batchId, string productId, string manufacturerId) =>
        $"{batchId}-{productId}-{manufacturerId}";

    private static string Ocid(string prefix, string batchId) => $"{prefix}-{batchId}";

    private static string Camel<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static string Tag(TenderBatchPhase phase, bool hasContracts) => phase switch
    {
        TenderBatchPhase.Draft or TenderBatchPhase.VolumeReporting or TenderBatchPhase.VolumeReportingClosed => "planning",
        TenderBatchPhase.Bidding or TenderBatchPhase.Opened => "tender",
        TenderBatchPhase.Publicity => "award",
        TenderBatchPhase.Awarded => hasContracts ? "contract" : "award",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "A phase the OCDS export does not know."),
    };

    private static string AwardStatus(TenderBatchPhase phase) => phase == TenderBatchPhase.Awarded ? "active" : "pending";

    private static string TenderStatus(TenderBatchPhase phase) => phase switch
    {
        < TenderBatchPhase.Bidding => "planning",
        TenderBatchPhase.Awarded => "complete",
        _ => "active",
    };

    /// <summary>OCDS contract statuses: an agreement still in force is active; one that has ended, for whatever reason, is terminated.</summary>
    private static string ContractStatus(AgreementState state) => state switch
    {
        AgreementState.Active or AgreementState.Expiring or AgreementState.Suspended => "active",
        _ => "terminated",
    };

    private static long? ReportedVolume(TenderBatchView view, string productId) =>
        view.VolumeTotals.FirstOrDefault(v => string.Equals(v.ProductId, productId, StringComparison.Ordinal))?.TotalAnnualVolume;

    private static OcdsBids Bids(IReadOnlyList<OpenedBid> bids, AwardView? award, Names names, OcdsConsumables? consumables)
    {
        var statements = new Dictionary<Guid, AwardStatement>();
        foreach (var statement in award?.Statements ?? [])
        {
            statements.TryAdd(statement.BidId, statement);
        }

        var groups = OcdsConsumables.BidGroups(award?.Consumables);

        var details = bids
            .OrderBy(b => b.Content.ProductId, StringComparer.Ordinal)
            .ThenBy(b => b.ManufacturerId, StringComparer.Ordinal)
            .ThenBy(b => b.BidId)
            .Select(b =>
            {
                var statement = statements.GetValueOrDefault(b.BidId);
                var bid = new OcdsBid(
                    Id: ExportText.Id(b.BidId),
                    Date: b.ReceivedAt,
                    Status: statement is not null && DisqualifyingReasons.Contains(statement.Reason) ? "disqualified" : "valid",
                    Tenderers: [names.Organisation(b.ManufacturerId)],
                    Value: new OcdsValue(b.Content.PricePerPack, Currency),
                    VbpProductId: b.Content.ProductId,
                    VbpSpecificationCode: b.Content.SpecificationCode,
                    VbpUnitComparablePrice: b.UnitComparablePrice,
                    VbpAnnualCapacity: b.Content.AnnualCapacity,
                    VbpSupplyRegions: b.Content.SupplyRegions,
                    VbpBidderGroup: b.BidderGroup,
                    VbpVersion: b.Version,
                    VbpContentSha256: b.ContentSha256,
                    VbpReceiptNonce: b.ReceiptNonce,
                    VbpRank: statement?.Rank,
                    VbpWon: statement?.Won,
                    VbpReason: statement?.Reason);
                return b.Content.Consumable is { } offer && consumables?.Lot(b.Content.ProductId) is { } lot
                    ? consumables.Bid(bid, lot, offer, groups.GetValueOrDefault(b.BidId))
                    : bid;
            })
            .ToList();
        return new OcdsBids(details);
    }

    /// <summary>
    /// One award per winner and product: every manufacturer that won a product's comparison, is
    /// primary or spare anywhere for it, or holds an agreement for it (so every contract finds its
    /// award). The value is the sum of the primary amounts, so the awards add up to the award's total.
    /// </summary>
    private static List<OcdsAward> Awards(
        string batchId,
        TenderBatchPhase phase,
        AwardView? award,
        IReadOnlyList<Agreement> agreements,
        DateTimeOffset publishedDate,
        Names names)
    {
        var statements = (award?.Statements ?? []).ToLookup(s => (s.ProductId, s.ManufacturerId));
        var primaries = (award?.Allocations ?? []).ToLookup(a => (a.ProductId, a.PrimaryManufacturerId));
        var spares = (award?.Allocations ?? [])
            .Where(a => a.SpareManufacturerId is not null)
            .ToLookup(a => (a.ProductId, a.SpareManufacturerId!));
        var hospitalLines = (award?.HospitalSummary ?? []).ToLookup(h => (h.ProductId, h.PrimaryManufacturerId));
        var agreementsByKey = agreements.ToLookup(a => (a.ProductId, a.ManufacturerId));

        var keys = (award?.Statements ?? []).Where(s => s.Won).Select(s => (s.ProductId, s.ManufacturerId))
            .Concat(primaries.Select(g => g.Key))
            .Concat(spares.Select(g => g.Key))
            .Concat(hospitalLines.Select(g => g.Key))
            .Concat(agreementsByKey.Select(g => g.Key))
            .Distinct()
            .OrderBy(k => k.Item1, StringComparer.Ordinal)
            .ThenBy(k => k.Item2, StringComparer.Ordinal);

        var status = AwardStatus(phase);
        var result = new List<OcdsAward>();
        foreach (var key in keys)
        {
            var (productId, manufacturerId) = key;
            var statement = statements[key].OrderByDescending(s => s.Won).FirstOrDefault();
            var regions = primaries[key].Select(a => new OcdsVbpRegion(a.RegionCode, "primary", a.AgreedVolume, a.Amount, null))
                .Concat(hospitalLines[key].Select(h => new OcdsVbpRegion(h.RegionCode, "primary", h.AgreedVolume, h.Amount, h.Hospitals)))
                .Concat(spares[key].Select(a => new OcdsVbpRegion(a.RegionCode, "spare", null, null, null)))
                .ToList();
            var volume = regions.Sum(r => r.AgreedVolume ?? 0);
            var amount = regions.Sum(r => r.Amount ?? 0m);
            var unitPrice = primaries[key].FirstOrDefault()?.UnitPrice
                ?? statement?.AwardedUnitPrice
                ?? agreementsByKey[key].FirstOrDefault()?.UnitPrice;
            var bidId = primaries[key].FirstOrDefault()?.PrimaryBidId
                ?? hospitalLines[key].FirstOrDefault()?.PrimaryBidId
                ?? statement?.BidId
                ?? spares[key].FirstOrDefault()?.SpareBidId
                ?? agreementsByKey[key].FirstOrDefault()?.BidId;
            var supplier = names.Organisation(manufacturerId);

            result.Add(new OcdsAward(
                Id: AwardId(batchId, productId, manufacturerId),
                Title: $"{names.ProductTitle(productId)} - {supplier.Name}",
                Status: status,
                Date: award?.ProposedAt ?? publishedDate,
                Value: new OcdsValue(amount, Currency),
                Suppliers: [supplier],
                Items: [names.Item(productId, volume, unitPrice)],
                VbpBidId: ExportText.Id(bidId),
                VbpAgreedVolume: volume,
                VbpUnitPrice: unitPrice,
                VbpPricePerPack: statement?.AwardedPricePerPack,
                VbpRegions: regions));
        }

        return result;
    }

    /// <summary>
    /// An agreement as a contract. Its period is dates in the business zone: from the start's
    /// midnight to the last second of the day before <see cref="Agreement.End"/>, which is exclusive.
    /// </summary>
    private static OcdsContract Contract(string batchId, Agreement agreement, TimeSpan offset, Names names, OcdsImplementation? implementation) => new(
        Id: ExportText.Id(agreement.AgreementId),
        AwardId: AwardId(batchId, agreement.ProductId, agreement.ManufacturerId),
        Title: string.Create(
            CultureInfo.InvariantCulture,
            $"{names.ProductTitle(agreement.ProductId)} - {names.Organisation(agreement.ManufacturerId).Name} - {agreement.RegionCode} (version {agreement.Version})"),
        Status: ContractStatus(agreement.State),
        Period: new OcdsPeriod(
            new DateTimeOffset(agreement.Start.ToDateTime(TimeOnly.MinValue), offset),
            new DateTimeOffset(agreement.End.AddDays(-1).ToDateTime(new TimeOnly(23, 59, 59)), offset)),
        Value: new OcdsValue(agreement.AnnualAmount, Currency),
        Items: [names.Item(agreement.ProductId, agreement.AnnualVolume, agreement.UnitPrice)],
        VbpAgreementVersion: agreement.Version,
        VbpPreviousAgreementId: ExportText.Id(agreement.PreviousAgreementId),
        VbpAnnualVolume: agreement.AnnualVolume,
        VbpUnitPrice: agreement.UnitPrice,
        VbpRegionCode: agreement.RegionCode,
        VbpState: Camel(agreement.State),
        VbpStateReason: agreement.StateReason,
        VbpSupplierId: agreement.ManufacturerId,
        VbpSpareSupplierId: agreement.SpareManufacturerId,
        VbpHospitals: agreement.Hospitals,
        Implementation: implementation);

    /// <summary>
    /// The buyer, then every manufacturer that bid or is supplied an award, by id, then the
    /// hospitals and funds that purchasing adds, by id: each once with all its roles.
    /// </summary>
    private static List<OcdsParty> Parties(
        OcdsOrganizationReference? buyer,
        IReadOnlyList<OcdsOrganizationReference>? tenderers,
        IReadOnlyList<OcdsAward> awards,
        Names names,
        IReadOnlyList<(OcdsOrganizationReference Organisation, string Role)> purchasing)
    {
        var bidding = new HashSet<string>((tenderers ?? []).Select(t => t.Id), StringComparer.Ordinal);
        var supplying = new HashSet<string>(awards.SelectMany(a => a.Suppliers).Select(s => s.Id), StringComparer.Ordinal);
        var purchasingRoles = purchasing.ToLookup(p => p.Organisation.Id, p => p.Role, StringComparer.Ordinal);
        var parties = new List<OcdsParty>();
        if (buyer is not null)
        {
            parties.Add(new OcdsParty(buyer.Id, buyer.Name, ["buyer", "procuringEntity", .. PurchasingRoles(purchasingRoles[buyer.Id]).Where(r => r != "buyer")]));
        }

        var manufacturers = bidding.Union(supplying).Order(StringComparer.Ordinal).ToList();
        foreach (var id in manufacturers)
        {
            List<string> roles = [];
            if (bidding.Contains(id))
            {
                roles.Add("tenderer");
            }

            if (supplying.Contains(id))
            {
                roles.Add("supplier");
            }

            roles.AddRange(PurchasingRoles(purchasingRoles[id]));
            parties.Add(new OcdsParty(id, names.Organisation(id).Name, roles));
        }

        var listed = new HashSet<string>(manufacturers, StringComparer.Ordinal);
        if (buyer is not null)
        {
            listed.Add(buyer.Id);
        }

        foreach (var organisation in purchasing
            .Select(p => p.Organisation)
            .Where(o => !listed.Contains(o.Id))
            .DistinctBy(o => o.Id, StringComparer.Ordinal)
            .OrderBy(o => o.Id, StringComparer.Ordinal))
        {
            parties.Add(new OcdsParty(organisation.Id, organisation.Name, PurchasingRoles(purchasingRoles[organisation.Id])));
        }

        return parties;
    }

    /// <summary>The roles purchasing gives, each once, in a fixed order so the package is stable.</summary>
    private static List<string> PurchasingRoles(IEnumerable<string> roles)
    {
        var given = roles.ToHashSet(StringComparer.Ordinal);
        return new[] { "buyer", "payer", "payee" }.Where(given.Contains).ToList();
    }

    /// <summary>Names of products and manufacturers by id; an id the batch does not describe stands for its own name.</summary>
    private sealed class Names
    {
        private readonly Dictionary<string, Product> _products = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _manufacturers = new(StringComparer.Ordinal);

        public Names(OcdsBatch batch)
        {
            foreach (var product in batch.Products)
            {
                _products.TryAdd(product.Id, product);
            }

            foreach (var manufacturer in batch.Manufacturers)
            {
                _manufacturers.TryAdd(manufacturer.Id, manufacturer.Name);
            }
        }

        public OcdsOrganizationReference Organisation(string manufacturerId) =>
            new(manufacturerId, _manufacturers.GetValueOrDefault(manufacturerId, manufacturerId));

        public string ProductTitle(string productId) =>
            _products.TryGetValue(productId, out var p) ? $"{p.Molecule} {p.DosageForm}".Trim() : productId;

        /// <summary>The product as an OCDS item; the unit is its representative specification, in which volumes and unit prices count.</summary>
        public OcdsItem Item(string productId, long? quantity, decimal? unitPrice)
        {
            var product = _products.GetValueOrDefault(productId);
            return new OcdsItem(
                Id: productId,
                Description: ProductTitle(productId),
                Classification: new OcdsClassification(ClassificationScheme, productId, product?.Molecule),
                Quantity: quantity,
                Unit: new OcdsUnit(
                    product?.Representative.Code ?? productId,
                    unitPrice is { } price ? new OcdsValue(price, Currency) : null));
        }
    }
}
