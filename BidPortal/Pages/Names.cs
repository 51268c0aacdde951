using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using HospitalRecord = Procurement.Contracts.Domain.Hospital;

namespace Procurement.BidPortal.Pages;

/// <summary>
/// The one place a page chooses a name for its reader: on a Chinese page the Chinese name when one
/// is set, the English name otherwise and on every English page; dosage forms through the string
/// table. Per request it also turns the ids that tables carry (products, regions, manufacturers,
/// hospitals) into those names; an id it does not know is shown as it is.
/// </summary>
public sealed class Names(GrainAccess grains, IStringLocalizer<SharedResource> localizer)
{
    private Dictionary<string, Product> _products = [];
    private Dictionary<string, Region> _regions = [];
    private Dictionary<string, Manufacturer> _manufacturers = [];
    private readonly Dictionary<string, HospitalRecord> _hospitals = new(StringComparer.Ordinal);
    private string? _organisation;
    private bool _loaded;

    public static bool Chinese => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "zh";

    public static string Pick(string name, string? nameZh) => Chinese && !string.IsNullOrWhiteSpace(nameZh) ? nameZh : name;

    public string Of(Region region) => Pick(region.Name, region.NameZh);

    /// <summary>A batch's phase in words ("Volume reporting", "报量中"), never the enum's name run together.</summary>
    public string Of(TenderBatchPhase phase) => localizer[phase switch
    {
        TenderBatchPhase.VolumeReporting => "Volume reporting",
        TenderBatchPhase.VolumeReportingClosed => "Volume reporting closed",
        _ => phase.ToString(),
    }];

    /// <summary>An order line's state in words ("Waiting for an answer", "待答复").</summary>
    public string Of(OrderLineState state) => localizer[state switch
    {
        OrderLineState.Placed => "Waiting for an answer",
        OrderLineState.Confirmed => "Confirmed",
        OrderLineState.Refused => "Refused",
        OrderLineState.Lapsed => "Lapsed without an answer",
        OrderLineState.Fulfilled => "Fulfilled",
        _ => state.ToString(),
    }];

    /// <summary>What a line is bought under, in words.</summary>
    public string Of(OrderLineKind kind) => localizer[kind switch
    {
        OrderLineKind.Agreed => "Agreed",
        OrderLineKind.Substitute => "Substitute",
        OrderLineKind.Listed => "Listed price",
        _ => kind.ToString(),
    }];

    public string Of(OrderUrgency urgency) => localizer[urgency == OrderUrgency.Emergency ? "Emergency" : "Normal"];

    public string Of(DeliveryState state) => localizer[state switch
    {
        DeliveryState.Shipped => "Shipped, waiting for acceptance",
        DeliveryState.Accepted => "Accepted",
        DeliveryState.Rejected => "Rejected",
        _ => state.ToString(),
    }];

    public string Of(DeliveryRejection reason) => localizer[reason switch
    {
        DeliveryRejection.QuantityShort => "Quantity short",
        DeliveryRejection.Damaged => "Damaged",
        DeliveryRejection.ExpiryTooNear => "Expiry too near",
        DeliveryRejection.Other => "Other reason",
        _ => reason.ToString(),
    }];

    public string Of(InvoiceState state) => localizer[state switch
    {
        InvoiceState.Issued => "Issued, delivery not yet accepted",
        InvoiceState.Payable => "Payable",
        InvoiceState.Overdue => "Overdue",
        InvoiceState.Paid => "Paid",
        InvoiceState.Void => "Void (delivery rejected)",
        _ => state.ToString(),
    }];

    public string Of(Payer payer) => localizer[payer == Payer.InsuranceFund ? "Insurance fund (direct settlement)" : "Hospital"];

    public string Of(Contracts.Domain.Alliance alliance) => Pick(alliance.Name, alliance.NameZh);

    public string Of(HospitalRecord hospital) => Pick(hospital.Name, hospital.NameZh);

    public string Of(Manufacturer manufacturer) => Pick(manufacturer.Name, manufacturer.NameZh);

    /// <summary>
    /// The molecule and its dosage form: "Amlodipine besylate Tablet", "氨氯地平片剂"; a Chinese page
    /// without the Chinese molecule name keeps the space ("Amlodipine besylate 片剂").
    /// </summary>
    public string Of(Product product) =>
        Chinese && !string.IsNullOrWhiteSpace(product.MoleculeZh)
            ? $"{product.MoleculeZh}{DosageForm(product.DosageForm)}"
            : $"{product.Molecule} {DosageForm(product.DosageForm)}";

    public string DosageForm(string dosageForm) => localizer[dosageForm];

    public string Product(string id) => _products.TryGetValue(id, out var p) ? Of(p) : id;

    public string Region(string code) => _regions.TryGetValue(code, out var r) ? Of(r) : code;

    public string Manufacturer(string? id) => id is null ? "" : _manufacturers.TryGetValue(id, out var m) ? Of(m) : id;

    public string Hospital(string id) => _hospitals.TryGetValue(id, out var h) ? Of(h) : id;

    /// <summary>The catalogue's products, for a form's choice.</summary>
    public IEnumerable<Product> Products => _products.Values.OrderBy(p => p.Id, StringComparer.Ordinal);

    public IEnumerable<Manufacturer> Manufacturers => _manufacturers.Values.OrderBy(m => m.Id, StringComparer.Ordinal);

    public IEnumerable<Region> Regions => _regions.Values.OrderBy(r => r.Code, StringComparer.Ordinal);

    /// <summary>The signed-in user's organisation by name (the page header), or its id before <see cref="LoadAsync"/>.</summary>
    public string Organisation(ClaimsPrincipal user) => _organisation ?? user.Organisation();

    /// <summary>
    /// The catalogue (products, regions, manufacturers) and the user's own organisation, once per
    /// request; pages call it before they render.
    /// </summary>
    public async Task LoadAsync(ClaimsPrincipal user)
    {
        if (_loaded)
        {
            return;
        }
        var directory = grains.Directory();
        var products = directory.ListProductsAsync();
        var regions = directory.ListRegionsAsync();
        var manufacturers = directory.ListManufacturersAsync();
        _products = (await products).ToDictionary(p => p.Id, StringComparer.Ordinal);
        _regions = (await regions).ToDictionary(r => r.Code, StringComparer.Ordinal);
        _manufacturers = (await manufacturers).ToDictionary(m => m.Id, StringComparer.Ordinal);
        _organisation = user.Role() switch
        {
            PortalUser.Alliance => await grains.Client.GetGrain<IAllianceGrain>(user.Organisation()).GetAsync() is { } alliance ? Of(alliance) : null,
            PortalUser.Hospital => await grains.Hospital().GetAsync() is { } hospital ? Of(hospital) : null,
            PortalUser.Manufacturer => _manufacturers.TryGetValue(user.Organisation(), out var manufacturer) ? Of(manufacturer) : null,
            PortalUser.Distributor => await grains.Client.GetGrain<IDistributorGrain>(user.Organisation()).GetAsync() is { } distributor ? Pick(distributor.Name, distributor.NameZh) : null,
            _ => null,
        };
        _loaded = true;
    }

    /// <summary>The hospitals of some regions, for a page that names hospitals.</summary>
    public async Task LoadHospitalsAsync(IReadOnlyList<string> regionCodes)
    {
        foreach (var hospital in await grains.Directory().ListHospitalsAsync(regionCodes))
        {
            _hospitals[hospital.Id] = hospital;
        }
    }

    /// <summary>Some hospitals by their ids (those that exist), for a page that names a few hospitals of many regions.</summary>
    public async Task LoadHospitalsByIdAsync(IReadOnlyCollection<string> hospitalIds)
    {
        foreach (var chunk in hospitalIds.Where(id => !_hospitals.ContainsKey(id)).Chunk(HospitalsPerRead))
        {
            foreach (var hospital in await grains.Directory().GetHospitalsAsync(chunk))
            {
                _hospitals[hospital.Id] = hospital;
            }
        }
    }

    private const int HospitalsPerRead = Contracts.Domain.Hospital.MaxIdsPerRead;
}
