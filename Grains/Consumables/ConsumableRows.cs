using System.Globalization;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Consumables;

/// <summary>A row of a codes file: the parsed code and what the release says of the product.</summary>
internal sealed record ConsumableCodeRow(
    ConsumableCode Code,
    string? CategoryName,
    string? SubcategoryName,
    string? GeneralName,
    string? Material,
    string Specification,
    string Registrant,
    string CertificateNumber,
    string? ProductName);

/// <summary>A row of the deactivated-codes file; the date as ISO text (yyyy-MM-dd).</summary>
internal sealed record DeactivatedCodeRow(string Code, string DeactivatedOn, string? Reason);

/// <summary>A row of the transcoding file: a replaced code and the code that replaces it.</summary>
internal sealed record TranscodingRow(string OldCode, string NewCode);

/// <summary>
/// Turns one row of cells into the typed row of its kind, reporting every bad cell of the row
/// (not only the first), each with its column, a stable code and a message. No I/O.
/// </summary>
internal sealed class ConsumableRowParser(ConsumableCodeFileKind kind, IReadOnlyDictionary<string, int> positions)
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-M-d", "yyyy/MM/dd", "yyyy/M/d", "yyyyMMdd", "yyyy.MM.dd"];

    // A date written with a time of day (a sheet's date cell, some exports) is still that day.
    private static readonly string[] DateTimeFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy/MM/dd HH:mm:ss", "yyyy-M-d H:mm:ss", "yyyy/M/d H:mm:ss"];

    /// <summary>The longest text a cell may have: the release's are far shorter, and SQL Server indexes the certificate number (NVARCHAR(500)).</summary>
    public const int MaxCellLength = 500;

    public ConsumableCodeFileKind Kind => kind;

    /// <summary>The typed row and the key it must not share with another row of the file; null when a cell is bad.</summary>
    public (object Row, UInt128 Key)? Parse(int row, string[] cells, Action<RowError> error)
    {
        var errors = 0;
        void Report(RowError e)
        {
            errors++;
            error(e);
        }
        string? Cell(string column)
        {
            var text = positions.TryGetValue(column, out var i) && i < cells.Length ? cells[i] : "";
            if (text.Length > MaxCellLength)
            {
                Report(new RowError(row, column, ErrorCodes.InvalidField, $"{column} has {text.Length} characters; at most {MaxCellLength} are accepted."));
            }
            return text.Length == 0 ? null : text;
        }
        string Required(string column)
        {
            var text = Cell(column);
            if (text is null)
            {
                Report(new RowError(row, column, ErrorCodes.RequiredField, $"{column} is required."));
            }
            return text ?? "";
        }
        ConsumableCode? Code(string column)
        {
            if (ConsumableCode.TryParse(Cell(column), column, out var code, out var problem))
            {
                return code;
            }
            Report(new RowError(row, problem!.Field ?? column, problem.Code, problem.Message));
            return null;
        }

        switch (kind)
        {
            case ConsumableCodeFileKind.Codes:
            {
                var code = Code(ConsumableColumns.Code);
                var categoryName = Cell(ConsumableColumns.CategoryName);
                var subcategoryName = Cell(ConsumableColumns.SubcategoryName);
                var generalName = Cell(ConsumableColumns.GeneralName);
                var material = Cell(ConsumableColumns.Material);
                var specification = Required(ConsumableColumns.Specification);
                var registrant = Required(ConsumableColumns.Registrant);
                var certificate = Required(ConsumableColumns.CertificateNumber);
                var productName = Cell(ConsumableColumns.ProductName);
                return errors == 0
                    ? (new ConsumableCodeRow(code!, categoryName, subcategoryName, generalName, material, specification, registrant, certificate, productName), code!.Key)
                    : null;
            }
            case ConsumableCodeFileKind.Deactivated:
            {
                var code = Code(ConsumableColumns.Code);
                var on = Required(ConsumableColumns.DeactivatedOn);
                var reason = Cell(ConsumableColumns.Reason);
                string? date = null;
                if (on.Length > 0)
                {
                    if (TryDay(on, out var day))
                    {
                        date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        Report(new RowError(row, ConsumableColumns.DeactivatedOn, ErrorCodes.InvalidField, $"{ConsumableColumns.DeactivatedOn} '{on}' is not a date (yyyy-MM-dd)."));
                    }
                }
                return errors == 0 ? (new DeactivatedCodeRow(code!.Value, date!, reason), code.Key) : null;
            }
            default:
            {
                var old = Code(ConsumableColumns.OldCode);
                var replacement = Code(ConsumableColumns.NewCode);
                if (old is not null && replacement is not null && old.Value == replacement.Value)
                {
                    Report(new RowError(row, ConsumableColumns.NewCode, ErrorCodes.InvalidField, $"{ConsumableColumns.NewCode} '{replacement.Value}' is the old code itself."));
                }
                return errors == 0 ? (new TranscodingRow(old!.Value, replacement!.Value), old.Key) : null;
            }
        }
    }

    private static bool TryDay(string text, out DateOnly day)
    {
        if (DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            return true;
        }
        if (DateTime.TryParseExact(text, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            day = DateOnly.FromDateTime(at);
            return true;
        }
        return false;
    }
}
