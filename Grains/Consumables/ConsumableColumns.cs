using Procurement.Contracts.Domain;

namespace Procurement.Grains.Consumables;

/// <summary>
/// The columns of each kind of release file and the headers each is known by, Chinese as the
/// release prints them and English (docs/CONSUMABLES.md, "Columns"). Headers are compared after
/// <see cref="Normalise"/>: case, spaces, underscores and full-width brackets and slashes do not matter.
/// </summary>
internal static class ConsumableColumns
{
    public const string Code = "code";
    public const string CategoryName = "category_name";
    public const string SubcategoryName = "subcategory_name";
    public const string GeneralName = "general_name";
    public const string Material = "material";
    public const string Specification = "specification";
    public const string Registrant = "registrant";
    public const string CertificateNumber = "certificate_number";
    public const string ProductName = "product_name";
    public const string DeactivatedOn = "deactivated_on";
    public const string Reason = "reason";
    public const string OldCode = "old_code";
    public const string NewCode = "new_code";

    private sealed record Column(string Name, bool Required, string[] Headers);

    private static readonly Column CodeColumn = new(Code, true, ["医保耗材代码", "耗材代码", "医保医用耗材代码", "医保耗材编码", "耗材编码", "code", "consumable code"]);

    private static readonly Dictionary<ConsumableCodeFileKind, Column[]> Kinds = new()
    {
        [ConsumableCodeFileKind.Codes] =
        [
            CodeColumn,
            new(CategoryName, false, ["一级分类", "一级分类名称", "category", "category name"]),
            new(SubcategoryName, false, ["二级分类", "二级分类名称", "subcategory", "subcategory name"]),
            new(GeneralName, false, ["三级分类(通用名)", "三级分类", "通用名", "general name"]),
            new(Material, false, ["耗材材质", "材质", "material"]),
            new(Specification, true, ["规格型号", "规格", "型号", "specification", "model", "specification/model"]),
            new(Registrant, true, ["注册备案人", "注册人", "备案人", "注册备案人名称", "注册人/备案人", "registrant"]),
            new(CertificateNumber, true, ["注册证编号/备案号", "注册证编号", "备案号", "注册备案号", "注册证号", "certificate number", "registration certificate number", "certificate"]),
            new(ProductName, false, ["单件产品名称", "产品名称", "product name"]),
        ],
        [ConsumableCodeFileKind.Deactivated] =
        [
            CodeColumn,
            new(DeactivatedOn, true, ["停用日期", "停用时间", "deactivated on", "deactivated date", "deactivation date"]),
            new(Reason, false, ["停用原因", "原因", "reason"]),
        ],
        [ConsumableCodeFileKind.Transcoding] =
        [
            new(OldCode, true, ["原代码", "原耗材代码", "原医保耗材代码", "旧代码", "旧耗材代码", "old code"]),
            new(NewCode, true, ["新代码", "新耗材代码", "新医保耗材代码", "现医保耗材代码", "new code"]),
        ],
    };

    private static readonly Dictionary<ConsumableCodeFileKind, Dictionary<string, string>> ByHeader = Kinds.ToDictionary(
        k => k.Key,
        k => k.Value.SelectMany(c => c.Headers.Select(h => (Header: Normalise(h), c.Name))).ToDictionary(x => x.Header, x => x.Name));

    /// <summary>Lower case, no spaces or underscores, half-width brackets and slash.</summary>
    public static string Normalise(string header) =>
        new(header.Trim().TrimStart('\uFEFF').ToLowerInvariant()
            .Replace('（', '(').Replace('）', ')').Replace('／', '/')
            .Where(c => !char.IsWhiteSpace(c) && c != '_').ToArray());

    /// <summary>
    /// Where each known column is in <paramref name="header"/>, and the required columns it lacks.
    /// A column named twice keeps its first place; unknown headers are ignored.
    /// </summary>
    public static (Dictionary<string, int> Positions, List<string> Missing) Locate(ConsumableCodeFileKind kind, string[] header)
    {
        var names = ByHeader[kind];
        var positions = new Dictionary<string, int>();
        for (var i = 0; i < header.Length; i++)
        {
            if (names.TryGetValue(Normalise(header[i]), out var name))
            {
                positions.TryAdd(name, i);
            }
        }
        var missing = Kinds[kind].Where(c => c.Required && !positions.ContainsKey(c.Name)).Select(c => c.Name).ToList();
        return (positions, missing);
    }

    /// <summary>The headers a column is known by, for a message about a missing one.</summary>
    public static string HeadersOf(ConsumableCodeFileKind kind, string column) =>
        string.Join(" / ", Kinds[kind].Single(c => c.Name == column).Headers);
}
