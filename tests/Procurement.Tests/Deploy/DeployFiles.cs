using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Procurement.Tests.Deploy;

/// <summary>
/// Reads the repository's deployment files as plain data: YAML documents as dictionaries, lists and
/// strings; the operators' README configuration table; Dockerfile instructions; project files.
/// </summary>
public static class DeployFiles
{
    private static readonly Lazy<string> _root = new(FindRoot);

    /// <summary>The folder holding <c>Procurement.sln</c>, found by walking up from the test binaries.</summary>
    public static string Root => _root.Value;

    public static string DeployDir => Path.Combine(Root, "deploy");

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Procurement.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Procurement.sln above {AppContext.BaseDirectory}.");
    }

    // ---------------------------------------------------------------- YAML

    /// <summary>Every document of a YAML file (multi-document files included), aliases resolved.</summary>
    public static List<object?> LoadYaml(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(path)))
        {
            stream.Load(reader);
        }
        return stream.Documents.Select(d => Convert(d.RootNode)).ToList();
    }

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            pair => pair.Key is YamlScalarNode key ? key.Value ?? "" : throw new InvalidDataException($"Non-scalar key at {pair.Key.Start}"),
            pair => Convert(pair.Value),
            StringComparer.Ordinal),
        YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => throw new InvalidDataException($"Unexpected YAML node {node.NodeType} at {node.Start}"),
    };

    public static Dictionary<string, object?> Map(object? value, string what = "value") =>
        value as Dictionary<string, object?> ?? throw new Xunit.Sdk.XunitException($"{what} is not a mapping: {value ?? "null"}");

    public static List<object?> Seq(object? value, string what = "value") =>
        value as List<object?> ?? throw new Xunit.Sdk.XunitException($"{what} is not a sequence: {value ?? "null"}");

    public static string Str(object? value, string what = "value") =>
        value as string ?? throw new Xunit.Sdk.XunitException($"{what} is not a scalar: {value ?? "null"}");

    /// <summary>The node at a path of mapping keys, or null when a key is missing.</summary>
    public static object? At(object? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not Dictionary<string, object?> map || !map.TryGetValue(key, out node))
            {
                return null;
            }
        }
        return node;
    }

    public static IEnumerable<string> YamlFilesUnderDeploy() =>
        Directory.EnumerateFiles(DeployDir, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
            .Where(f => !IsBuildOutput(f))
            .Order(StringComparer.Ordinal);

    public static bool IsBuildOutput(string path) =>
        Relative(path).Split('/').Any(segment => segment is "bin" or "obj");

    // ---------------------------------------------------------------- compose

    /// <summary>A compose service's environment (mapping or KEY=VALUE list form).</summary>
    public static Dictionary<string, string> ComposeEnvironment(Dictionary<string, object?> service)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (At(service, "environment"))
        {
            case Dictionary<string, object?> map:
                foreach (var (key, value) in map)
                {
                    env[key] = value as string ?? "";
                }
                break;
            case List<object?> list:
                foreach (var item in list.Select(i => Str(i)))
                {
                    var eq = item.IndexOf('=');
                    env[eq < 0 ? item : item[..eq]] = eq < 0 ? "" : item[(eq + 1)..];
                }
                break;
        }
        return env;
    }

    /// <summary>
    /// Compose interpolation as far as a test can know it: <c>${X:-default}</c> becomes the default,
    /// any other <c>${X...}</c> becomes <c>&lt;X&gt;</c> (supplied by the operator's .env).
    /// </summary>
    public static string Interpolate(string value) =>
        Regex.Replace(value, @"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<op>:?[-?])?(?<arg>[^}]*)\}", m =>
            m.Groups["op"].Value is ":-" or "-" ? m.Groups["arg"].Value : $"<{m.Groups["name"].Value}>");

    // ---------------------------------------------------------------- README configuration table

    public sealed record Setting(string Key, string EnvironmentVariable, string SetIn);

    /// <summary>
    /// The rows of deploy/README.md's configuration table (the one whose header starts with
    /// <c>| setting | environment variable |</c>): the first back-quoted name of each cell.
    /// </summary>
    public static IReadOnlyList<Setting> ReadmeSettings()
    {
        var lines = File.ReadAllLines(Path.Combine(DeployDir, "README.md"));
        var header = Array.FindIndex(lines, l => l.StartsWith("| setting | environment variable |", StringComparison.Ordinal));
        Assert.True(header >= 0, "deploy/README.md has no configuration table (| setting | environment variable | ...).");
        var columns = Cells(lines[header]);
        var setIn = Array.IndexOf(columns, "set in");
        Assert.True(setIn >= 0, "The configuration table has no 'set in' column.");
        var rows = new List<Setting>();
        for (var i = header + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = Cells(lines[i]);
            rows.Add(new Setting(Quoted(cells[0]), Quoted(cells[1]), cells[setIn]));
        }
        return rows;

        static string[] Cells(string line) => line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

        static string Quoted(string cell)
        {
            var match = Regex.Match(cell, "`([^`]+)`");
            Assert.True(match.Success, $"Configuration table cell without a `name`: {cell}");
            return match.Groups[1].Value;
        }
    }

    /// <summary>An environment variable's configuration key: <c>Store__Provider</c> is <c>Store:Provider</c>.</summary>
    public static string ConfigurationKey(string environmentVariable) => environmentVariable.Replace("__", ":", StringComparison.Ordinal);

    // ---------------------------------------------------------------- Dockerfiles

    public sealed record Instruction(string Keyword, string Arguments, int Stage);

    /// <summary>A Dockerfile's instructions (continuations joined, comments dropped), with their build stage index.</summary>
    public static List<Instruction> ReadDockerfile(string path)
    {
        var instructions = new List<Instruction>();
        var stage = -1;
        var pending = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.TrimEnd();
            if (pending.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }
            if (pending.Length > 0 && line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var full = (pending + line).Trim();
            pending = "";
            var space = full.IndexOf(' ');
            var keyword = (space < 0 ? full : full[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : full[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                stage++;
            }
            instructions.Add(new Instruction(keyword, arguments, stage));
        }
        return instructions;
    }

    /// <summary>The source paths of a COPY from the build context (none for <c>COPY --from=...</c>).</summary>
    public static IReadOnlyList<string> CopySources(Instruction copy)
    {
        var tokens = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Any(t => t.StartsWith("--from=", StringComparison.Ordinal)))
        {
            return [];
        }
        var paths = tokens.Where(t => !t.StartsWith("--", StringComparison.Ordinal)).ToList();
        return paths.Take(paths.Count - 1).ToList();
    }

    public static string[] JsonArray(string arguments) => JsonSerializer.Deserialize<string[]>(arguments)
        ?? throw new Xunit.Sdk.XunitException($"Not a JSON array: {arguments}");

    // ---------------------------------------------------------------- project files

    public static string AssemblyName(string csproj)
    {
        var doc = XDocument.Load(PathOf(csproj));
        return doc.Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault()
            ?? Path.GetFileNameWithoutExtension(csproj);
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    public static IReadOnlyList<string> ProjectClosure(string csproj)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([csproj]);
        while (queue.TryDequeue(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }
            var dir = Path.GetDirectoryName(PathOf(project))!;
            foreach (var reference in XDocument.Load(PathOf(project)).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar);
                queue.Enqueue(Relative(Path.GetFullPath(Path.Combine(dir, include))));
            }
        }
        return seen.ToList();
    }

    /// <summary>
    /// Folders outside a project's own folder that it takes files from (for example Grains embeds
    /// <c>..\deploy\sql\**\*.sql</c>): the non-wildcard part of every Include that leaves the folder.
    /// </summary>
    public static IEnumerable<string> FoldersOutsideProject(string csproj)
    {
        var dir = Path.GetDirectoryName(PathOf(csproj))!;
        foreach (var item in XDocument.Load(PathOf(csproj)).Descendants().Where(e => e.Attribute("Include") is not null && e.Name.LocalName != "ProjectReference" && e.Name.LocalName != "PackageReference"))
        {
            var include = item.Attribute("Include")!.Value.Replace('\\', '/');
            if (!include.StartsWith("../", StringComparison.Ordinal))
            {
                continue;
            }
            var fixedPart = string.Join('/', include.Split('/').TakeWhile(s => !s.Contains('*', StringComparison.Ordinal)));
            var full = Path.GetFullPath(Path.Combine(dir, fixedPart.Replace('/', Path.DirectorySeparatorChar)));
            yield return Relative(Directory.Exists(full) ? full : Path.GetDirectoryName(full)!);
        }
    }
}
