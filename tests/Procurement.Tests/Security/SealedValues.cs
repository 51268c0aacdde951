using System.Text.RegularExpressions;

namespace Procurement.Tests.Security;

/// <summary>How the sealed-bid tests look for a sealed value in what the system stores, logs or writes to disk.</summary>
public static class SealedValues
{
    /// <summary>A price or capacity (digits and a point), as opposed to a text, id or hash.</summary>
    public static bool Number(string needle) => needle.Length > 0 && needle.All(c => char.IsAsciiDigit(c) || c == '.');

    /// <summary>
    /// Whether the text holds the sealed value. A price or capacity counts as a whole number (as it
    /// would be printed or stored: 1.6666, 1.66660, 16666, 1666600), not as digits inside a longer
    /// number or word, so a timestamp's fraction of a second (11.166666) or a random id is not taken
    /// for a leak (it was, now and then); texts and hashes count anywhere, in any case.
    /// </summary>
    public static bool Holds(string text, string needle) =>
        Number(needle)
            ? Regex.IsMatch(text, "(?<![0-9A-Za-z])" + Regex.Escape(needle) + "0*(?![0-9A-Za-z])")
            : text.Contains(needle, StringComparison.OrdinalIgnoreCase);
}
