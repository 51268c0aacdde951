using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Procurement.BidPortal.Pages;

/// <summary>Small server-drawn SVG charts: no script, readable without one, and the same in every browser.</summary>
public static class Charts
{
    /// <summary>
    /// Horizontal bars per label, one or two series (for example completion beside time progress),
    /// each value a share of 1 (drawn capped at 1.5). Long labels (hospitals' full names) need a
    /// wider label column than the default, or they run under the bars.
    /// </summary>
    public static IHtmlContent ShareBars(string id, IReadOnlyList<(string Label, decimal First, decimal? Second)> rows, string firstName, string? secondName, int labelWidth = 190)
    {
        const int barWidth = 420, rowHeight = 30;
        var height = rows.Count * rowHeight + 30;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"{id}\" role=\"img\" width=\"{labelWidth + barWidth + 80}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, first, second) = rows[i];
            var y = i * rowHeight + 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 14}\">{WebUtility.HtmlEncode(label)}</text>");
            Bar(svg, labelWidth, y, barWidth, first, "#0b6bcb", second is null ? 20 : 11);
            if (second is { } s)
            {
                Bar(svg, labelWidth, y + 12, barWidth, s, "#9aa7b5", 9);
            }
        }
        var legendY = rows.Count * rowHeight + 18;
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{legendY - 9}\" width=\"10\" height=\"10\" fill=\"#0b6bcb\"/><text x=\"{labelWidth + 14}\" y=\"{legendY}\">{WebUtility.HtmlEncode(firstName)}</text>");
        if (secondName is not null)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth + 170}\" y=\"{legendY - 9}\" width=\"10\" height=\"10\" fill=\"#9aa7b5\"/><text x=\"{labelWidth + 184}\" y=\"{legendY}\">{WebUtility.HtmlEncode(secondName)}</text>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>Horizontal bars of amounts (for example agreed volume by region), scaled to the largest.</summary>
    public static IHtmlContent AmountBars(string id, IReadOnlyList<(string Label, decimal Value)> rows, string format)
    {
        if (rows.Count == 0)
        {
            return HtmlString.Empty;
        }
        var max = Math.Max(rows.Max(r => r.Value), 0.000001m);
        return Scaled(id, rows, max, format);
    }

    private static IHtmlContent Scaled(string id, IReadOnlyList<(string Label, decimal Value)> rows, decimal max, string format)
    {
        const int labelWidth = 190, barWidth = 420, rowHeight = 24;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"{id}\" role=\"img\" width=\"{labelWidth + barWidth + 140}\" height=\"{rows.Count * rowHeight + 6}\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var y = i * rowHeight + 4;
            var width = (int)Math.Round(barWidth * (double)(rows[i].Value / max));
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 13}\">{WebUtility.HtmlEncode(rows[i].Label)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"#0b6bcb\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + width + 6}\" y=\"{y + 13}\">{rows[i].Value.ToString(format, CultureInfo.CurrentCulture)}</text>");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static void Bar(StringBuilder svg, int x, int y, int width, decimal share, string colour, int height)
    {
        var drawn = (int)Math.Round(width / 1.5 * (double)Math.Clamp(share, 0, 1.5m));
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{drawn}\" height=\"{height}\" fill=\"{colour}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + drawn + 6}\" y=\"{y + height - 1}\">{share.ToString("P0", CultureInfo.CurrentCulture)}</text>");
    }
}
