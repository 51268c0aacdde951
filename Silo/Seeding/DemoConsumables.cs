using System.Globalization;
using Procurement.Contracts.Domain;

namespace Procurement.Silo.Seeding;

/// <summary>
/// The demo's consumables reference data: stent and joint manufacturers, the lots of a stent
/// batch (2020 national round style, rule set <c>stents2020</c>) and of a joint-system batch (2021
/// round style, <c>joints2021</c>), each firm's product (registration certificate, model and
/// 27-character code in the national formats) and its offer. Every price, code and certificate
/// number here is a demo value chosen to be plausible beside the national rounds' published
/// outcomes (stents: maximum valid price 2,850 CNY, winners about 469 to 1,000 CNY; hips and knees
/// from tens of thousands of CNY to a few thousand a system), not a firm's real bid.
/// </summary>
public static class DemoConsumables
{
    public const string StentCoCr = "STENT-COCR";
    public const string StentPtCr = "STENT-PTCR";
    public const string Hip = "HIP-SYSTEM";
    public const string Knee = "KNEE-SYSTEM";

    /// <summary>The firm whose stent bid qualifies but finds the winner cap full: it files the demo's objection.</summary>
    public const string Objector = "M-MEDTRONIC";

    /// <summary>
    /// Stent firms, two of them affiliated (one owner): with <c>affiliatesAsOneBidder</c> only the
    /// cheaper of the pair competes. The 5-digit figure is the manufacturer part of their codes.
    /// </summary>
    public static readonly (Manufacturer Firm, string CodePart)[] StentFirms =
    [
        (new("M-MICROPORT", "MicroPort Medical (Shanghai)", null) { NameZh = "上海微创医疗器械（集团）有限公司" }, "00317"),
        (new("M-LEPU", "Lepu Medical Technology (Beijing)", null) { NameZh = "乐普（北京）医疗器械股份有限公司" }, "00512"),
        (new("M-JWMEDICAL", "JW Medical Systems (Weihai)", "G-BLUESAIL") { NameZh = "吉威医疗制品有限公司" }, "00628"),
        (new("M-BIOSENSORS", "Biosensors Interventional Technologies", "G-BLUESAIL") { NameZh = "柏盛国际介入医疗器械有限公司" }, "00629"),
        (new("M-SINOMED", "SINOMED (Tianjin)", null) { NameZh = "赛诺医疗科学技术股份有限公司" }, "00745"),
        (new("M-ESSEN", "Essen Technology (Beijing)", null) { NameZh = "易生科技（北京）有限公司" }, "00833"),
        (new("M-YINYI", "Yinyi Biotech (Liaoning)", null) { NameZh = "辽宁垠艺生物科技股份有限公司" }, "00904"),
        (new("M-BOSTONSCI", "Boston Scientific (Shanghai)", null) { NameZh = "波士顿科学国际贸易（上海）有限公司" }, "01021"),
        (new("M-MEDTRONIC", "Medtronic (Shanghai)", null) { NameZh = "美敦力（上海）管理有限公司" }, "01108"),
        (new("M-ABBOTT", "Abbott Medical (Shanghai)", null) { NameZh = "雅培医疗用品（上海）有限公司" }, "01276"),
    ];

    /// <summary>Joint firms (the 2021 round had 48 bidders; eight are enough to show the demand groups).</summary>
    public static readonly (Manufacturer Firm, string CodePart)[] JointFirms =
    [
        (new("M-WEIGAO", "Weigao Orthopaedic (Shandong)", null) { NameZh = "山东威高骨科材料股份有限公司" }, "02103"),
        (new("M-CHUNLI", "Chunli Zhengda Medical (Beijing)", null) { NameZh = "北京市春立正达医疗器械股份有限公司" }, "02215"),
        (new("M-AKMEDICAL", "AK Medical (Beijing)", null) { NameZh = "北京爱康宜诚医疗器材有限公司" }, "02342"),
        (new("M-ZHENGTIAN", "Zhengtian Medical (Tianjin)", null) { NameZh = "天津正天医疗器械有限公司" }, "02418"),
        (new("M-ZIMMER", "Zimmer Biomet (Shanghai)", null) { NameZh = "捷迈（上海）医疗国际贸易有限公司" }, "02561"),
        (new("M-STRYKER", "Stryker (Beijing)", null) { NameZh = "史赛克（北京）医疗器械有限公司" }, "02607"),
        (new("M-DEPUY", "DePuy Synthes (Shanghai)", null) { NameZh = "强生（上海）医疗器材有限公司" }, "02734"),
        (new("M-SMITHNEPHEW", "Smith+Nephew (Shanghai)", null) { NameZh = "施乐辉医用产品国际贸易（上海）有限公司" }, "02856"),
    ];

    public static IEnumerable<Manufacturer> AllFirms => StentFirms.Concat(JointFirms).Select(f => f.Firm);

    /// <summary>Two drug-eluting stent lots by platform; one maximum valid price, as in 2020.</summary>
    public static readonly ConsumableLot[] StentLots =
    [
        new(StentCoCr, "Drug-eluting coronary stent, cobalt-chromium platform", "C0201", 2_850m, ConsumablePurchaseUnit.Unit, []),
        new(StentPtCr, "Drug-eluting coronary stent, platinum-chromium platform", "C0201", 2_850m, ConsumablePurchaseUnit.Unit, []),
    ];

    /// <summary>
    /// Hip and knee product systems with their components; a component's maximum is the price a
    /// revision buys it at alone (the sums exceed the set maximum: a set is cheaper than its parts).
    /// </summary>
    public static readonly ConsumableLot[] JointLots =
    [
        new(Hip, "Total hip system, ceramic head on polyethylene liner", "C0301", 8_000m, ConsumablePurchaseUnit.System,
        [
            new("stem", "Femoral stem", 3_500m),
            new("cup", "Acetabular cup", 3_000m),
            new("liner", "Polyethylene liner", 1_500m),
            new("head", "Ceramic femoral head", 1_800m),
        ]),
        new(Knee, "Total knee system, cemented", "C0301", 6_500m, ConsumablePurchaseUnit.System,
        [
            new("femoral", "Femoral component", 3_000m),
            new("tibial", "Tibial tray", 2_500m),
            new("insert", "Tibial insert", 1_200m),
            new("patella", "Patellar component", 800m),
        ]),
    ];

    /// <summary>Each component's share of a firm's set price (they add up to more than one, so the components never undercut the set).</summary>
    private static readonly Dictionary<string, decimal> ComponentShares = new(StringComparer.Ordinal)
    {
        ["stem"] = 0.38m, ["cup"] = 0.32m, ["liner"] = 0.15m, ["head"] = 0.20m,
        ["femoral"] = 0.42m, ["tibial"] = 0.34m, ["insert"] = 0.18m, ["patella"] = 0.10m,
    };

    /// <summary>
    /// A firm's product in a lot and its sealed offer: price per unit or set price, CNY, and its public
    /// offer number (a firm bidding several products in a lot numbers them 1, 2, ...).
    /// </summary>
    public sealed record Offer(string CategoryId, string FirmId, string Certificate, string Model, string Code, decimal Price, int OfferNumber = 1);

    /// <summary>
    /// Stents (stents2020: one group, ratio 1.8 x the lowest, cap 75 % of the bidders). Cobalt-chromium:
    /// nine firms, eight bidders once the affiliated pair counts as one, cap 6: Yinyi 469 is lowest
    /// (limit 844.20); Biosensors loses to its affiliate JW; Medtronic 798 qualifies but is seventh;
    /// Abbott 1,180 is above the ratio. MicroPort bids a second product (offer 2, 760 CNY): admitted by
    /// its best offer, it wins with both, each judged on its own price, as in the 2020 round (26
    /// products of 11 firms bid, 10 of 8 firms won). Platinum-chromium: three bidders, cap 2, SINOMED third.
    /// </summary>
    public static readonly Offer[] StentOffers =
    [
        Stent(StentCoCr, "M-YINYI", "国械注准20203130412", "YY-CoCr 3.0x18", 469m),
        Stent(StentCoCr, "M-JWMEDICAL", "国械注准20173130835", "JW-EX 3.0x18", 590m),
        Stent(StentCoCr, "M-ESSEN", "国械注准20183130267", "ES-Sirolimus 3.0x18", 606m),
        Stent(StentCoCr, "M-LEPU", "国械注准20193130118", "LP-Partner 3.0x18", 643m),
        Stent(StentCoCr, "M-BIOSENSORS", "国械注进20193130541", "BS-Biolimus 3.0x18", 655m),
        Stent(StentCoCr, "M-MICROPORT", "国械注准20153130962", "MP-Abluminal 3.0x18", 700m),
        Stent(StentCoCr, "M-MICROPORT", "国械注准20213130977", "MP-Firehawk 2.75x18", 760m) with { OfferNumber = 2 },
        Stent(StentCoCr, "M-SINOMED", "国械注准20163130374", "SN-Biodegradable 3.0x18", 776m),
        Stent(StentCoCr, "M-MEDTRONIC", "国械注进20183130659", "MD-Zotarolimus 3.0x18", 798m),
        Stent(StentCoCr, "M-ABBOTT", "国械注进20173130726", "AB-Everolimus 3.0x18", 1_180m),
        Stent(StentPtCr, "M-LEPU", "国械注准20213130233", "LP-PtCr 3.0x18", 712m),
        Stent(StentPtCr, "M-BOSTONSCI", "国械注进20193130488", "BSC-PtCr 3.0x18", 798m),
        Stent(StentPtCr, "M-SINOMED", "国械注准20223130157", "SN-PtCr 3.0x18", 835m),
    ];

    /// <summary>
    /// Joints (joints2021: groups A and B by the hospitals' demand, ratio 1.8 to group A's lowest, or a
    /// 50 % cut). Hip: AK Medical's 4,200 is group A's lowest (limit 7,560): Smith+Nephew's 7,900 loses.
    /// Knee: AK's 3,450 (limit 6,210): Smith+Nephew's 6,450 loses, Stryker's 6,200 just wins.
    /// </summary>
    public static readonly Offer[] JointOffers =
    [
        Joint(Hip, "M-AKMEDICAL", "国械注准20193130871", "AK-THA Ceramic/PE", 4_200m),
        Joint(Hip, "M-CHUNLI", "国械注准20183130592", "CL-THA Ceramic/PE", 4_980m),
        Joint(Hip, "M-WEIGAO", "国械注准20203130345", "WG-THA Ceramic/PE", 5_380m),
        Joint(Hip, "M-ZHENGTIAN", "国械注准20173130218", "ZT-THA Ceramic/PE", 6_150m),
        Joint(Hip, "M-STRYKER", "国械注进20183130764", "SK-THA Ceramic/PE", 6_680m),
        Joint(Hip, "M-ZIMMER", "国械注进20173130639", "ZB-THA Ceramic/PE", 7_050m),
        Joint(Hip, "M-DEPUY", "国械注进20193130402", "DS-THA Ceramic/PE", 7_420m),
        Joint(Hip, "M-SMITHNEPHEW", "国械注进20163130587", "SN-THA Ceramic/PE", 7_900m),
        Joint(Knee, "M-AKMEDICAL", "国械注准20193130872", "AK-TKA Cemented", 3_450m),
        Joint(Knee, "M-WEIGAO", "国械注准20203130346", "WG-TKA Cemented", 4_280m),
        Joint(Knee, "M-CHUNLI", "国械注准20183130593", "CL-TKA Cemented", 4_960m),
        Joint(Knee, "M-ZIMMER", "国械注进20173130640", "ZB-TKA Cemented", 5_390m),
        Joint(Knee, "M-DEPUY", "国械注进20193130403", "DS-TKA Cemented", 5_820m),
        Joint(Knee, "M-STRYKER", "国械注进20183130765", "SK-TKA Cemented", 6_200m),
        Joint(Knee, "M-SMITHNEPHEW", "国械注进20163130588", "SN-TKA Cemented", 6_450m),
    ];

    /// <summary>Each component at its share of the set price, to the yuan.</summary>
    public static IReadOnlyList<ConsumableComponentPrice> ComponentPrices(Offer offer) =>
        JointLots.Single(l => l.CategoryId == offer.CategoryId).Components
            .Select(c => new ConsumableComponentPrice(c.ComponentId, decimal.Round(offer.Price * ComponentShares[c.ComponentId], 0)))
            .ToList();

    /// <summary>
    /// Each hospital's intended firm per lot (by the hospital's place in the demo's list of fifteen),
    /// and its further choices. The demo hospital (H-BJ-001) intends a firm that loses, so its page
    /// shows a hospital choosing again; one hospital names no further choice, so the alliance's rule
    /// places it. Hospitals of the smallest kind (the TCM hospitals) buy no platinum-chromium stents.
    /// </summary>
    public static readonly Dictionary<string, (string Firm, string[] Further)[]> Intentions = new(StringComparer.Ordinal)
    {
        [StentCoCr] =
        [
            ("M-MEDTRONIC", ["M-MICROPORT", "M-LEPU"]), ("M-MICROPORT", ["M-LEPU"]), ("M-LEPU", ["M-MICROPORT"]),
            ("M-MICROPORT", ["M-JWMEDICAL"]), ("M-ABBOTT", ["M-JWMEDICAL", "M-MICROPORT"]), ("M-JWMEDICAL", ["M-YINYI"]),
            ("M-LEPU", ["M-ESSEN"]), ("M-BIOSENSORS", ["M-JWMEDICAL"]), ("M-YINYI", ["M-LEPU"]),
            ("M-MICROPORT", ["M-SINOMED"]), ("M-SINOMED", ["M-MICROPORT"]), ("M-ESSEN", ["M-YINYI"]),
            ("M-JWMEDICAL", ["M-LEPU"]), ("M-MEDTRONIC", []), ("M-LEPU", ["M-YINYI"]),
        ],
        [StentPtCr] =
        [
            ("M-BOSTONSCI", ["M-LEPU"]), ("M-LEPU", ["M-BOSTONSCI"]), ("M-SINOMED", ["M-BOSTONSCI"]),
            ("M-BOSTONSCI", ["M-SINOMED"]), ("M-LEPU", []), ("M-BOSTONSCI", ["M-LEPU"]),
            ("M-SINOMED", ["M-LEPU"]), ("M-BOSTONSCI", ["M-LEPU"]), ("M-LEPU", ["M-BOSTONSCI"]),
            ("M-BOSTONSCI", []),
        ],
        [Hip] =
        [
            ("M-ZIMMER", ["M-AKMEDICAL"]), ("M-AKMEDICAL", ["M-WEIGAO"]), ("M-WEIGAO", ["M-CHUNLI"]),
            ("M-AKMEDICAL", ["M-ZIMMER"]), ("M-STRYKER", ["M-ZIMMER"]), ("M-WEIGAO", ["M-AKMEDICAL"]),
            ("M-ZIMMER", ["M-STRYKER"]), ("M-AKMEDICAL", ["M-CHUNLI"]), ("M-CHUNLI", ["M-WEIGAO"]),
            ("M-DEPUY", ["M-ZIMMER"]), ("M-WEIGAO", ["M-AKMEDICAL"]), ("M-ZHENGTIAN", ["M-WEIGAO"]),
            ("M-SMITHNEPHEW", ["M-STRYKER", "M-ZIMMER"]), ("M-ZIMMER", ["M-DEPUY"]), ("M-AKMEDICAL", ["M-WEIGAO"]),
        ],
        [Knee] =
        [
            ("M-SMITHNEPHEW", ["M-ZIMMER", "M-AKMEDICAL"]), ("M-AKMEDICAL", ["M-WEIGAO"]), ("M-WEIGAO", ["M-AKMEDICAL"]),
            ("M-ZIMMER", ["M-AKMEDICAL"]), ("M-AKMEDICAL", ["M-CHUNLI"]), ("M-CHUNLI", ["M-WEIGAO"]),
            ("M-DEPUY", ["M-ZIMMER"]), ("M-WEIGAO", ["M-AKMEDICAL"]), ("M-AKMEDICAL", ["M-WEIGAO"]),
            ("M-ZIMMER", ["M-DEPUY"]), ("M-STRYKER", ["M-ZIMMER"]), ("M-AKMEDICAL", ["M-ZIMMER"]),
            ("M-WEIGAO", ["M-CHUNLI"]), ("M-ZIMMER", []), ("M-AKMEDICAL", ["M-WEIGAO"]),
        ],
    };

    /// <summary>
    /// The hospitals (by their place in <see cref="Intentions"/>) that name their intended firm's
    /// second offer rather than its first: MicroPort's second stent, so allocation places a hospital on
    /// the product it named.
    /// </summary>
    public static readonly Dictionary<string, int[]> NamingSecondOffer = new(StringComparer.Ordinal)
    {
        [StentCoCr] = [3],
    };

    /// <summary>A typical large hospital's annual quantity per lot (units or systems), scaled by the hospital's size.</summary>
    public static readonly Dictionary<string, long> AnnualUse = new(StringComparer.Ordinal)
    {
        [StentCoCr] = 2_400, [StentPtCr] = 600, [Hip] = 320, [Knee] = 260,
    };

    /// <summary>
    /// The demo's products as a file of the code master data (the release's Chinese headers), so the
    /// codes page shows every product the demo bids, with its class, registrant, certificate and model.
    /// </summary>
    public static IEnumerable<string> CodeFileLines()
    {
        yield return "医保耗材代码,一级分类,二级分类,三级分类（通用名）,耗材材质,规格型号,注册备案人,注册证编号/备案号,单件产品名称";
        var registrants = StentFirms.Concat(JointFirms).ToDictionary(f => f.Firm.Id, f => f.Firm.NameZh ?? f.Firm.Name);
        foreach (var offer in StentOffers.Concat(JointOffers).DistinctBy(o => o.Code))
        {
            var (category, subcategory, name, material) = offer.CategoryId switch
            {
                StentCoCr => ("血管介入治疗类材料", "血管支架", "冠状动脉药物洗脱支架", "钴铬合金"),
                StentPtCr => ("血管介入治疗类材料", "血管支架", "冠状动脉药物洗脱支架", "铂铬合金"),
                Hip => ("骨科材料", "关节", "人工髋关节", "钛合金/陶瓷"),
                _ => ("骨科材料", "关节", "人工膝关节", "钴铬钼/超高分子量聚乙烯"),
            };
            yield return string.Join(",", offer.Code, category, subcategory, name, material, Csv(offer.Model), Csv(registrants[offer.FirmId]), offer.Certificate, $"{name}系统");
        }
    }

    private static string Csv(string text) => text.Contains(',') || text.Contains('"') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;

    private static Offer Stent(string category, string firm, string certificate, string model, decimal price) =>
        new(category, firm, certificate, model, Code("C020103001", category == StentCoCr ? "10101" : "10102", firm, model), price);

    private static Offer Joint(string category, string firm, string certificate, string model, decimal price) =>
        new(category, firm, certificate, model, Code(category == Hip ? "C030101002" : "C030102003", "20301", firm, model), price);

    /// <summary>
    /// A 27-character code: class and general name (10), material/feature (5), the firm (5) and a
    /// specification number (7) taken from the model's characters so each product has its own.
    /// </summary>
    private static string Code(string classAndName, string feature, string firm, string model)
    {
        var codePart = StentFirms.Concat(JointFirms).Single(f => f.Firm.Id == firm).CodePart;
        var specification = model.Aggregate(17L, (h, c) => (h * 31 + c) % 10_000_000L);
        return string.Create(CultureInfo.InvariantCulture, $"{classAndName}{feature}{codePart}{specification:0000000}");
    }
}
