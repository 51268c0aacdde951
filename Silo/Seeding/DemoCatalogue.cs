using Procurement.Contracts.Domain;

namespace Procurement.Silo.Seeding;

/// <summary>
/// The demo's reference data: a North China alliance of five provinces, fifteen hospitals, six
/// manufacturers (two affiliated) and nine real molecules, with their names in English and Chinese
/// and maximum valid unit prices at the levels of the national rounds.
/// </summary>
internal static class DemoCatalogue
{
    public const string AllianceId = "ALLIANCE-NORTH";
    public const string SouthAllianceId = "ALLIANCE-SOUTH";

    public static readonly Alliance North = new(AllianceId, "North China Purchasing Alliance", Regions()) { NameZh = "华北药品联合采购联盟" };

    public static readonly Alliance South = new(SouthAllianceId, "South China Purchasing Alliance", [new("GD", "Guangdong") { NameZh = "广东" }])
    {
        NameZh = "华南药品联合采购联盟",
    };

    private static IReadOnlyList<Region> Regions() =>
    [
        new("BJ", "Beijing") { NameZh = "北京" },
        new("TJ", "Tianjin") { NameZh = "天津" },
        new("HE", "Hebei") { NameZh = "河北" },
        new("SX", "Shanxi") { NameZh = "山西" },
        new("NM", "Inner Mongolia") { NameZh = "内蒙古" },
    ];

    /// <summary>Each province's capital, where its three demo hospitals are.</summary>
    private static readonly Dictionary<string, (string En, string Zh)> Cities = new()
    {
        ["BJ"] = ("Beijing", "北京市"),
        ["TJ"] = ("Tianjin", "天津市"),
        ["HE"] = ("Shijiazhuang", "石家庄市"),
        ["SX"] = ("Taiyuan", "太原市"),
        ["NM"] = ("Hohhot", "呼和浩特市"),
    };

    private static readonly (string En, string Zh, decimal Size)[] HospitalKinds =
    [
        ("First People's Hospital", "第一人民医院", 1.0m),
        ("Central Hospital", "中心医院", 0.6m),
        ("Hospital of Traditional Chinese Medicine", "中医医院", 0.3m),
    ];

    /// <summary>Fifteen hospitals, three per province; the size scales their use.</summary>
    public static IReadOnlyList<(Hospital Hospital, decimal Size)> Hospitals() =>
        North.Regions.SelectMany(region => HospitalKinds.Select((kind, i) =>
        {
            var id = $"H-{region.Code}-{i + 1:000}";
            var city = Cities[region.Code];
            return (new Hospital(id, $"{city.En} {kind.En}", region.Code) { NameZh = $"{city.Zh}{kind.Zh}" }, kind.Size);
        })).ToList();

    public static readonly Manufacturer[] Manufacturers =
    [
        new("M-HUAHAI", "Zhejiang Huahai Pharmaceutical", null) { NameZh = "浙江华海药业股份有限公司" },
        new("M-QILU", "Qilu Pharmaceutical", null) { NameZh = "齐鲁制药有限公司" },
        new("M-CSPC", "CSPC Pharmaceutical Group", "G-CSPC") { NameZh = "石药集团有限责任公司" },
        new("M-CSPC-OUYI", "CSPC Ouyi Pharmaceutical", "G-CSPC") { NameZh = "石药集团欧意药业有限公司" },
        new("M-KELUN", "Sichuan Kelun Pharmaceutical", null) { NameZh = "四川科伦药业股份有限公司" },
        new("M-HENGRUI", "Jiangsu Hengrui Pharmaceuticals", null) { NameZh = "江苏恒瑞医药股份有限公司" },
    ];

    /// <summary>A demo molecule: the product, its maximum valid unit price (CNY per unit) and a typical hospital's annual use (units).</summary>
    public sealed record Molecule(Product Product, decimal MaxUnitPrice, long AnnualUse);

    public static readonly Molecule Atorvastatin = new(
        new Product("ATORVASTATIN-TAB", "Atorvastatin calcium", "Tablet", new("20mgx7", 7, 20m), [new("20mgx14", 14, 20m), new("10mgx7", 7, 10m)]) { MoleculeZh = "阿托伐他汀钙" },
        0.50m, 120_000);

    public static readonly Molecule Amlodipine = new(
        new Product("AMLODIPINE-TAB", "Amlodipine besylate", "Tablet", new("5mgx28", 28, 5m), [new("5mgx7", 7, 5m), new("10mgx14", 14, 10m)]) { MoleculeZh = "苯磺酸氨氯地平" },
        0.20m, 200_000);

    public static readonly Molecule Metformin = new(
        new Product("METFORMIN-TAB", "Metformin hydrochloride", "Tablet", new("500mgx20", 20, 500m), [new("500mgx60", 60, 500m), new("850mgx30", 30, 850m)]) { MoleculeZh = "盐酸二甲双胍" },
        0.06m, 300_000);

    public static readonly Molecule Montelukast = new(
        new Product("MONTELUKAST-TAB", "Montelukast sodium", "Tablet", new("10mgx5", 5, 10m), [new("10mgx10", 10, 10m)]) { MoleculeZh = "孟鲁司特钠" },
        1.20m, 40_000);

    public static readonly Molecule Entecavir = new(
        new Product("ENTECAVIR-TAB", "Entecavir", "Tablet", new("0.5mgx7", 7, 0.5m), [new("0.5mgx28", 28, 0.5m), new("1mgx7", 7, 1m)]) { MoleculeZh = "恩替卡韦" },
        1.80m, 60_000);

    public static readonly Molecule Rosuvastatin = new(
        new Product("ROSUVASTATIN-TAB", "Rosuvastatin calcium", "Tablet", new("10mgx7", 7, 10m), [new("10mgx28", 28, 10m), new("5mgx7", 7, 5m)]) { MoleculeZh = "瑞舒伐他汀钙" },
        0.60m, 90_000);

    public static readonly Molecule Candesartan = new(
        new Product("CANDESARTAN-TAB", "Candesartan cilexetil", "Tablet", new("8mgx14", 14, 8m), [new("4mgx14", 14, 4m)]) { MoleculeZh = "坎地沙坦酯" },
        0.50m, 70_000);

    public static readonly Molecule Cefuroxime = new(
        new Product("CEFUROXIME-TAB", "Cefuroxime axetil", "Tablet", new("250mgx12", 12, 250m), [new("250mgx24", 24, 250m)]) { MoleculeZh = "头孢呋辛酯" },
        0.80m, 50_000);

    public static readonly Molecule Clopidogrel = new(
        new Product("CLOPIDOGREL-TAB", "Clopidogrel bisulfate", "Tablet", new("75mgx7", 7, 75m), [new("75mgx28", 28, 75m)]) { MoleculeZh = "硫酸氢氯吡格雷" },
        1.50m, 80_000);

    public static readonly Molecule[] All = [Atorvastatin, Amlodipine, Metformin, Montelukast, Entecavir, Rosuvastatin, Candesartan, Cefuroxime, Clopidogrel];

    /// <summary>
    /// Bids as unit prices, a share of the maximum valid price per manufacturer (in the national
    /// rounds winners cut 50-90 % from the maximum; one bid per round is dear enough to lose).
    /// </summary>
    public static readonly Dictionary<string, (string Maker, decimal ShareOfMaximum)[]> Bids = new()
    {
        [Atorvastatin.Product.Id] = [("M-HUAHAI", 0.22m), ("M-QILU", 0.26m), ("M-CSPC", 0.31m), ("M-KELUN", 0.78m)],
        [Amlodipine.Product.Id] = [("M-CSPC-OUYI", 0.20m), ("M-HUAHAI", 0.24m), ("M-HENGRUI", 0.33m), ("M-QILU", 0.35m)],
        [Montelukast.Product.Id] = [("M-QILU", 0.38m), ("M-HENGRUI", 0.45m), ("M-KELUN", 0.52m)],
        [Metformin.Product.Id] = [("M-KELUN", 0.45m), ("M-CSPC", 0.50m), ("M-HUAHAI", 0.58m), ("M-QILU", 0.95m)],
        [Entecavir.Product.Id] = [("M-HENGRUI", 0.10m), ("M-QILU", 0.12m), ("M-HUAHAI", 0.17m)],
        [Clopidogrel.Product.Id] = [("M-HENGRUI", 0.20m), ("M-KELUN", 0.25m), ("M-CSPC-OUYI", 0.30m)],
        [Rosuvastatin.Product.Id] = [("M-HUAHAI", 0.30m), ("M-QILU", 0.34m), ("M-HENGRUI", 0.41m), ("M-CSPC", 0.95m)],
        [Candesartan.Product.Id] = [("M-KELUN", 0.40m), ("M-HUAHAI", 0.46m), ("M-QILU", 0.62m)],
        [Cefuroxime.Product.Id] = [("M-QILU", 0.28m), ("M-CSPC-OUYI", 0.33m), ("M-KELUN", 0.36m), ("M-HENGRUI", 0.44m)],
    };
}
