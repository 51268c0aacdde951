using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// CSV text cells that a spreadsheet would run as a formula (starting with <c>=</c>, <c>+</c>,
/// <c>-</c>, <c>@</c>, tab or carriage return) get a leading single quote, so a name or reason a
/// bidder typed cannot become a formula on an officer's machine. Only text cells: numbers (a
/// negative amount is "-5.00") are written by their own converters and stay numbers, and a number
/// is never typed in by a user. XLSX needs none of this: its text cells are text, never formulas.
/// </summary>
internal sealed class FormulaSafeText : StringConverter
{
    public static string? Neutralise(string? text) =>
        text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    public override string? ConvertToString(object? value, IWriterRow row, MemberMapData memberMapData) =>
        value is string text ? Neutralise(text) : base.ConvertToString(value, row, memberMapData);
}
