using System.Globalization;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
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
    private bool _loaded;

    public static bool Chinese => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "zh";

    public static string Pick(string name, string? nameZh) => Chinese && !string.IsNullOrWhiteSpace(nameZh) ? nameZh : name;

    public string Of(Region region) => Pick(region.Name, region.NameZh);

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

    /// <summary>The catalogue (products, regions, manufacturers), once per request; pages call it before they render.</summary>
    public async Task LoadAsync()
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
}
