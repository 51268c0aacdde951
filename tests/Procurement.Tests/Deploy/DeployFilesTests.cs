using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Procurement.BidPortal.Hosting;
using Procurement.BidPortal.Security;
using Procurement.Grains.Accounts;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Silo.Seeding;
using Xunit;
using static Procurement.Tests.Deploy.DeployFiles;

namespace Procurement.Tests.Deploy;

/// <summary>
/// What can be checked of deploy/ without Docker or a Kubernetes cluster: the files parse, they use
/// only settings the code and the operators' README know, ports and probe paths agree with the
/// code, the Dockerfiles copy projects that exist and start the right assembly, and no committed
/// file holds a secret.
/// </summary>
public sealed class DeployFilesTests
{
    private const int HttpPort = 8080;
    private const string LivePath = "/health/live";
    private const string ReadyPath = "/health/ready";

    /// <summary>
    /// The configuration contract of the silo and the portal that is not an options class
    /// (read with <c>GetValue</c>/<c>GetConnectionString</c>, or by the host and Orleans
    /// Kubernetes hosting). Keys of options classes are checked against their properties instead.
    /// </summary>
    private static readonly HashSet<string> _contract = new(StringComparer.Ordinal)
    {
        "ConnectionStrings:Procurement", "ConnectionStrings:Orleans",
        "Orleans:Clustering", "Orleans:Invariant", "Orleans:ClusterId", "Orleans:ServiceId",
        "Orleans:SiloPort", "Orleans:GatewayPort", "Orleans:AdvertisedIP", "Orleans:Kubernetes",
        "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_SHUTDOWNTIMEOUTSECONDS",
        "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID",
    };

    /// <summary>Configuration sections bound to options classes: a key must be one of the class's properties.</summary>
    private static readonly Dictionary<string, Type> _optionSections = new(StringComparer.Ordinal)
    {
        [StoreOptions.Section] = typeof(StoreOptions),
        [Procurement.Grains.Sealing.SealingOptions.Section] = typeof(Procurement.Grains.Sealing.SealingOptions),
        [PortalLimits.Section] = typeof(PortalLimits),
        [DemoSeedOptions.Section] = typeof(DemoSeedOptions),
        [AccountOptions.Section] = typeof(AccountOptions),
        [AgreementOptions.Section] = typeof(AgreementOptions),
        [$"{OrleansClusterOptions.Section}:Tls"] = typeof(ClusterTlsOptions),
    };

    private static readonly string[] _appServices = ["silo1", "silo2", "portal"];

    // ================================================================ all YAML

    [Fact]
    public void Every_yaml_file_under_deploy_parses()
    {
        var files = YamlFilesUnderDeploy().ToList();
        foreach (var expected in new[] { "deploy/compose/postgresql.yml", "deploy/compose/sqlserver.yml", "deploy/k8s/silo.yaml", "deploy/k8s/portal.yaml" })
        {
            Assert.Contains(expected, files.Select(Relative));
        }
        foreach (var file in files)
        {
            List<object?> documents;
            try
            {
                documents = LoadYaml(file);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"{Relative(file)} does not parse: {ex.Message}");
            }
            Assert.NotEmpty(documents);
            Assert.All(documents, d => Assert.NotEmpty(Map(d, Relative(file))));
        }
    }

    // ================================================================ compose

    public static TheoryData<string, string, string, string> ComposeFiles => new()
    {
        // file, database service, Store:Provider, Orleans:Invariant
        { "postgresql.yml", "postgres", "postgresql", "Npgsql" },
        { "sqlserver.yml", "sqlserver", "sqlserver", "Microsoft.Data.SqlClient" },
    };

    private static Dictionary<string, object?> ComposeServices(string file) =>
        Map(At(Assert.Single(LoadYaml(Path.Combine(DeployDir, "compose", file))), "services"), $"{file} services");

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public void Compose_has_the_database_two_silos_and_a_portal_configured_alike(string file, string database, string provider, string invariant)
    {
        var services = ComposeServices(file);
        foreach (var name in new[] { database, "silo1", "silo2", "portal" })
        {
            Assert.True(services.ContainsKey(name), $"{file} has no service '{name}'.");
        }

        var silo1 = ComposeEnvironment(Map(services["silo1"]));
        var silo2 = ComposeEnvironment(Map(services["silo2"]));
        var portal = ComposeEnvironment(Map(services["portal"]));
        Assert.Equal(silo1.OrderBy(p => p.Key), silo2.OrderBy(p => p.Key));

        Assert.Equal(provider, silo1["Store__Provider"]);
        foreach (var env in new[] { silo1, portal })
        {
            Assert.Equal("adonet", env["Orleans__Clustering"]);
            Assert.Equal(invariant, env["Orleans__Invariant"]);
            Assert.Contains(database, env["ConnectionStrings__Orleans"], StringComparison.Ordinal);
        }
        Assert.Contains(database, silo1["ConnectionStrings__Procurement"], StringComparison.Ordinal);
        // Silos and portal are one cluster.
        Assert.Equal(Interpolate(silo1["Orleans__ClusterId"]), Interpolate(portal["Orleans__ClusterId"]));
        Assert.Equal(Interpolate(silo1["Orleans__ServiceId"]), Interpolate(portal["Orleans__ServiceId"]));
        Assert.Equal(Interpolate(silo1["ConnectionStrings__Orleans"]), Interpolate(portal["ConnectionStrings__Orleans"]));
        // Production default: no demo round unless the operator asks for one.
        Assert.Equal("false", Interpolate(silo1["Demo__Seed"]));
    }

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public void Compose_installs_the_orleans_scripts_before_any_silo_starts(string file, string database, string provider, string invariant)
    {
        _ = (provider, invariant);
        var services = ComposeServices(file);
        var composeDir = Path.Combine(DeployDir, "compose");
        string MountSource(string mount) => Relative(Path.GetFullPath(Path.Combine(composeDir, mount.Split(':')[0])));

        if (database == "postgres")
        {
            var mounts = Seq(At(services[database], "volumes")).Select(v => Str(v)).ToList();
            Assert.Contains(mounts, m => MountSource(m) == "deploy/sql/orleans/postgresql" && m.Split(':')[1] == "/docker-entrypoint-initdb.d");
            Assert.Equal("service_healthy", Str(At(services["silo1"], "depends_on", database, "condition")));
        }
        else
        {
            var init = Map(services["sqlserver-init"]);
            var mounts = Seq(At(init, "volumes")).Select(v => Str(v)).ToList();
            Assert.Contains(mounts, m => MountSource(m) == "deploy/sql/orleans/sqlserver");
            var script = Assert.Single(mounts, m => m.Split(':')[0].EndsWith(".sh", StringComparison.Ordinal));
            Assert.True(File.Exists(PathOf(MountSource(script))), $"{script} does not exist.");
            Assert.Contains(Seq(At(init, "entrypoint")).Select(e => Str(e)), e => e == script.Split(':')[1]);
            Assert.Equal("service_completed_successfully", Str(At(services["silo1"], "depends_on", "sqlserver-init", "condition")));
            Assert.Equal("service_healthy", Str(At(init, "depends_on", database, "condition")));
        }
        // The second silo and the portal wait for the first silo to be ready (one schema migration at a time).
        Assert.Equal("service_healthy", Str(At(services["silo2"], "depends_on", "silo1", "condition")));
        Assert.Equal("service_healthy", Str(At(services["portal"], "depends_on", "silo1", "condition")));
    }

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public void Compose_builds_from_the_repository_with_the_deploy_dockerfiles(string file, string database, string provider, string invariant)
    {
        _ = (database, provider, invariant);
        var services = ComposeServices(file);
        var composeDir = Path.Combine(DeployDir, "compose");
        foreach (var (service, dockerfile) in new[] { ("silo1", "silo.Dockerfile"), ("silo2", "silo.Dockerfile"), ("portal", "portal.Dockerfile") })
        {
            var build = Map(At(services[service], "build"), $"{file} {service}.build");
            var context = Path.GetFullPath(Path.Combine(composeDir, Str(build["context"])));
            Assert.Equal(Path.GetFullPath(Root).TrimEnd(Path.DirectorySeparatorChar), context.TrimEnd(Path.DirectorySeparatorChar));
            Assert.Equal($"deploy/docker/{dockerfile}", Str(build["dockerfile"]));
            Assert.True(File.Exists(Path.Combine(context, Str(build["dockerfile"]))));
        }
    }

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public void Compose_silo_healthchecks_ask_the_readiness_endpoint(string file, string database, string provider, string invariant)
    {
        _ = (database, provider, invariant);
        var services = ComposeServices(file);
        foreach (var silo in new[] { "silo1", "silo2" })
        {
            var test = string.Join(' ', Seq(At(services[silo], "healthcheck", "test")).Select(t => Str(t)));
            Assert.Contains(ReadyPath, test, StringComparison.Ordinal);
            Assert.Contains($"/{HttpPort}", test, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_variable_the_compose_files_need_is_in_the_env_example_and_env_is_git_ignored()
    {
        var example = File.ReadAllLines(Path.Combine(DeployDir, "compose", ".env.example"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l[..l.IndexOf('=')])
            .ToHashSet(StringComparer.Ordinal);
        foreach (var file in new[] { "postgresql.yml", "sqlserver.yml" })
        {
            var text = File.ReadAllText(Path.Combine(DeployDir, "compose", file));
            foreach (Match m in Regex.Matches(text, @"(?<!\$)\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)"))
            {
                Assert.True(example.Contains(m.Groups["name"].Value), $"{file} uses ${{{m.Groups["name"].Value}}}, which deploy/compose/.env.example does not list.");
            }
        }
        var ignore = File.ReadAllLines(Path.Combine(DeployDir, "compose", ".gitignore")).Select(l => l.Trim());
        Assert.Contains(".env", ignore);
    }

    // ================================================================ settings vs README vs code

    /// <summary>Every setting the compose files and the manifests give the silos and the portal.</summary>
    private static Dictionary<string, string> SettingsUsedInDeployFiles()
    {
        var used = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { "postgresql.yml", "sqlserver.yml" })
        {
            var services = ComposeServices(file);
            foreach (var service in _appServices)
            {
                foreach (var key in ComposeEnvironment(Map(services[service])).Keys)
                {
                    used.TryAdd(key, $"deploy/compose/{file} ({service})");
                }
            }
        }
        foreach (var (file, doc) in KubernetesDocuments())
        {
            if (Str(At(doc, "kind")) == "ConfigMap" && Str(At(doc, "metadata", "name")).StartsWith("procurement-", StringComparison.Ordinal))
            {
                foreach (var key in Map(At(doc, "data")).Keys)
                {
                    used.TryAdd(key, file);
                }
            }
            if (Str(At(doc, "kind")) == "Deployment")
            {
                foreach (var container in Containers(doc))
                {
                    foreach (var env in Seq(At(container, "env") ?? new List<object?>()))
                    {
                        used.TryAdd(Str(At(env, "name")), file);
                    }
                }
            }
        }
        foreach (var dockerfile in new[] { "silo.Dockerfile", "portal.Dockerfile" })
        {
            foreach (var env in ReadDockerfile(Path.Combine(DeployDir, "docker", dockerfile)).Where(i => i.Keyword == "ENV"))
            {
                used.TryAdd(env.Arguments.Split('=', ' ')[0], $"deploy/docker/{dockerfile}");
            }
        }
        return used;
    }

    [Fact]
    public void The_settings_in_compose_and_kubernetes_are_exactly_those_of_the_readme_table()
    {
        var table = ReadmeSettings();
        var documented = table.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var used = SettingsUsedInDeployFiles();

        foreach (var (variable, where) in used)
        {
            Assert.True(documented.Contains(ConfigurationKey(variable)),
                $"{where} sets {variable} ({ConfigurationKey(variable)}), which the configuration table of deploy/README.md does not list.");
        }
        var usedKeys = used.Keys.Select(ConfigurationKey).ToHashSet(StringComparer.Ordinal);
        foreach (var setting in table.Where(s => s.SetIn != "not set"))
        {
            Assert.True(usedKeys.Contains(setting.Key),
                $"deploy/README.md says {setting.Key} is set in '{setting.SetIn}', but no compose file, manifest or Dockerfile sets it.");
        }
        foreach (var setting in table)
        {
            Assert.Equal(setting.Key.Replace(":", "__", StringComparison.Ordinal), setting.EnvironmentVariable);
        }
    }

    [Fact]
    public void Every_setting_in_the_readme_table_is_one_the_code_knows()
    {
        foreach (var setting in ReadmeSettings())
        {
            var cut = setting.Key.LastIndexOf(':');
            if (cut > 0 && _optionSections.TryGetValue(setting.Key[..cut], out var options))
            {
                var name = setting.Key[(cut + 1)..];
                var property = options.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                Assert.True(property is { CanWrite: true }, $"{setting.Key}: {options.Name} has no settable property {name}.");
            }
            else
            {
                Assert.True(_contract.Contains(setting.Key), $"{setting.Key} is neither an options property nor in the configuration contract.");
            }
        }
    }

    [Fact]
    public void Every_orleans_setting_and_connection_string_the_code_reads_is_in_the_readme_table()
    {
        var documented = ReadmeSettings().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        // The Orleans section is bound to the cluster options classes: every settable property is a setting.
        var read = new SortedSet<string>(StringComparer.Ordinal)
        {
            $"ConnectionStrings:{Procurement.BidPortal.Hosting.OrleansClusterOptions.ConnectionStringName}",
            "ConnectionStrings:Procurement",
        };
        foreach (var property in typeof(Procurement.Silo.Hosting.SiloClusterOptions).GetProperties().Where(p => p.CanWrite && p.Name != "ConnectionString"))
        {
            if (property.PropertyType == typeof(ClusterTlsOptions))
            {
                // A nested section: its own settable properties are the settings.
                foreach (var tls in typeof(ClusterTlsOptions).GetProperties().Where(p => p.CanWrite))
                {
                    read.Add($"{OrleansClusterOptions.Section}:{property.Name}:{tls.Name}");
                }
                continue;
            }
            read.Add($"{Procurement.BidPortal.Hosting.OrleansClusterOptions.Section}:{property.Name}");
        }
        Assert.Contains("Orleans:GatewayPort", read);
        Assert.Contains("Orleans:Tls:CaPath", read);
        foreach (var key in read)
        {
            Assert.True(documented.Contains(key), $"The code reads {key}; deploy/README.md's configuration table does not list it.");
        }
    }

    // ================================================================ ports

    /// <summary>The code's default for an Orleans port: the cluster options' default, unless Silo/appsettings.json sets one (then both must agree).</summary>
    private static int CodeDefault(string key)
    {
        var property = typeof(Procurement.Silo.Hosting.SiloClusterOptions).GetProperty(key)
            ?? throw new InvalidOperationException($"SiloClusterOptions has no {key}.");
        var defaults = new HashSet<int> { (int)property.GetValue(new Procurement.Silo.Hosting.SiloClusterOptions())! };
        using var settings = JsonDocument.Parse(File.ReadAllText(PathOf("Silo/appsettings.json")));
        if (settings.RootElement.TryGetProperty("Orleans", out var orleans) && orleans.TryGetProperty(key, out var value))
        {
            defaults.Add(value.ValueKind == JsonValueKind.Number ? value.GetInt32() : int.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.True(defaults.Count == 1, $"Orleans:{key} should have one default in the code and Silo/appsettings.json, found [{string.Join(", ", defaults)}].");
        return defaults.Single();
    }

    [Fact]
    public void Ports_agree_with_the_code_defaults_everywhere()
    {
        var siloPort = CodeDefault("SiloPort");
        var gatewayPort = CodeDefault("GatewayPort");
        Assert.Equal((11111, 30000), (siloPort, gatewayPort));

        // Dockerfiles
        Assert.Equal(new[] { HttpPort, siloPort, gatewayPort }.Order(), Exposed("silo.Dockerfile").Order());
        Assert.Equal(new[] { HttpPort }, Exposed("portal.Dockerfile"));
        foreach (var dockerfile in new[] { "silo.Dockerfile", "portal.Dockerfile" })
        {
            Assert.Contains(ReadDockerfile(Path.Combine(DeployDir, "docker", dockerfile)), i => i.Keyword == "ENV" && i.Arguments == $"ASPNETCORE_HTTP_PORTS={HttpPort}");
        }

        // Compose
        foreach (var file in new[] { "postgresql.yml", "sqlserver.yml" })
        {
            var services = ComposeServices(file);
            foreach (var service in _appServices)
            {
                var env = ComposeEnvironment(Map(services[service]));
                Assert.Equal($"{HttpPort}", env["ASPNETCORE_HTTP_PORTS"]);
                Assert.Equal($"{gatewayPort}", env["Orleans__GatewayPort"]);
                if (service != "portal")
                {
                    Assert.Equal($"{siloPort}", env["Orleans__SiloPort"]);
                }
                foreach (var mapping in Seq(At(services[service], "ports")).Select(p => Str(p)))
                {
                    Assert.EndsWith($":{HttpPort}", mapping, StringComparison.Ordinal);
                }
            }
        }

        // Kubernetes: ConfigMaps and container ports
        var config = KubernetesConfigMapData();
        Assert.Equal($"{siloPort}", config["Orleans__SiloPort"]);
        Assert.Equal($"{gatewayPort}", config["Orleans__GatewayPort"]);
        Assert.Equal($"{HttpPort}", config["ASPNETCORE_HTTP_PORTS"]);
        var silo = Assert.Single(Containers(KubernetesDeployment("procurement-silo")));
        Assert.Equal(
            new Dictionary<string, int> { ["http"] = HttpPort, ["silo"] = siloPort, ["gateway"] = gatewayPort },
            ContainerPorts(silo));
        var portal = Assert.Single(Containers(KubernetesDeployment("procurement-portal")));
        Assert.Equal(new Dictionary<string, int> { ["http"] = HttpPort }, ContainerPorts(portal));

        static List<int> Exposed(string dockerfile) =>
            ReadDockerfile(Path.Combine(DeployDir, "docker", dockerfile)).Where(i => i.Keyword == "EXPOSE")
                .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    // ================================================================ Kubernetes

    private static IEnumerable<(string File, Dictionary<string, object?> Document)> KubernetesDocuments() =>
        YamlFilesUnderDeploy()
            .Where(f => Relative(f).StartsWith("deploy/k8s/", StringComparison.Ordinal))
            .SelectMany(f => LoadYaml(f).Select(d => (Relative(f), Map(d, Relative(f)))))
            .Where(x => x.Item2.ContainsKey("kind") && Str(x.Item2["kind"]) != "Kustomization");

    private static Dictionary<string, object?> KubernetesDeployment(string name) =>
        Assert.Single(KubernetesDocuments(), d => Str(At(d.Document, "kind")) == "Deployment" && Str(At(d.Document, "metadata", "name")) == name).Document;

    private static IEnumerable<Dictionary<string, object?>> Containers(Dictionary<string, object?> workload) =>
        Seq(At(workload, "spec", "template", "spec", "containers")).Select(c => Map(c));

    private static Dictionary<string, int> ContainerPorts(Dictionary<string, object?> container) =>
        Seq(At(container, "ports")).ToDictionary(
            p => Str(At(p, "name")),
            p => int.Parse(Str(At(p, "containerPort")), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>All procurement-* ConfigMap entries (their keys do not overlap).</summary>
    private static Dictionary<string, string> KubernetesConfigMapData()
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, doc) in KubernetesDocuments().Where(d => Str(At(d.Document, "kind")) == "ConfigMap"))
        {
            foreach (var (key, value) in Map(At(doc, "data")))
            {
                Assert.True(data.TryAdd(key, Str(value)), $"{key} is in two ConfigMaps.");
            }
        }
        return data;
    }

    private static Dictionary<string, string> ConfigMapData(string name) =>
        Map(At(Assert.Single(KubernetesDocuments(), d => Str(At(d.Document, "kind")) == "ConfigMap" && Str(At(d.Document, "metadata", "name")) == name).Document, "data"))
            .ToDictionary(p => p.Key, p => Str(p.Value), StringComparer.Ordinal);

    [Fact]
    public void The_silo_deployment_gives_orleans_kubernetes_hosting_what_it_reads()
    {
        var deployment = KubernetesDeployment("procurement-silo");
        var labels = Map(At(deployment, "spec", "template", "metadata", "labels"));
        var cluster = ConfigMapData("procurement-cluster");
        Assert.Equal(cluster["Orleans__ClusterId"], Str(labels["orleans/clusterId"]));
        Assert.Equal(cluster["Orleans__ServiceId"], Str(labels["orleans/serviceId"]));
        foreach (var (key, value) in Map(At(deployment, "spec", "selector", "matchLabels")))
        {
            Assert.Equal(Str(value), Str(labels[key]));
        }

        var container = Assert.Single(Containers(deployment));
        var env = Seq(At(container, "env")).Select(e => Map(e)).ToDictionary(e => Str(e["name"]));
        var fieldRefs = new Dictionary<string, string>
        {
            ["POD_NAME"] = "metadata.name",
            ["POD_NAMESPACE"] = "metadata.namespace",
            ["POD_IP"] = "status.podIP",
            ["ORLEANS_SERVICE_ID"] = "metadata.labels['orleans/serviceId']",
            ["ORLEANS_CLUSTER_ID"] = "metadata.labels['orleans/clusterId']",
        };
        foreach (var (name, path) in fieldRefs)
        {
            Assert.True(env.ContainsKey(name), $"The silo container has no {name}.");
            Assert.Equal(path, Str(At(env[name], "valueFrom", "fieldRef", "fieldPath")));
        }

        var configMaps = Seq(At(container, "envFrom")).Select(e => Str(At(e, "configMapRef", "name"))).ToList();
        Assert.Contains("procurement-cluster", configMaps);
        var silo = ConfigMapData("procurement-silo");
        Assert.Contains("procurement-silo", configMaps);
        Assert.Equal("true", silo["Orleans__Kubernetes"]);
        Assert.Equal("false", silo["Demo__Seed"]);
        Assert.Equal("adonet", cluster["Orleans__Clustering"]);
        // Graceful shutdown fits in the grace period.
        var grace = int.Parse(Str(At(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(grace > int.Parse(silo["DOTNET_SHUTDOWNTIMEOUTSECONDS"], System.Globalization.CultureInfo.InvariantCulture));

        // RBAC: the pods' service account may read, watch and label pods.
        var account = Str(At(deployment, "spec", "template", "spec", "serviceAccountName"));
        var binding = Assert.Single(KubernetesDocuments(), d => Str(At(d.Document, "kind")) == "RoleBinding"
            && Seq(At(d.Document, "subjects")).Any(s => Str(At(s, "kind")) == "ServiceAccount" && Str(At(s, "name")) == account)).Document;
        Assert.Contains(KubernetesDocuments(), d => Str(At(d.Document, "kind")) == "ServiceAccount" && Str(At(d.Document, "metadata", "name")) == account);
        var role = Assert.Single(KubernetesDocuments(), d => Str(At(d.Document, "kind")) == Str(At(binding, "roleRef", "kind"))
            && Str(At(d.Document, "metadata", "name")) == Str(At(binding, "roleRef", "name"))).Document;
        var podRule = Assert.Single(Seq(At(role, "rules")), r => Seq(At(r, "resources")).Select(x => Str(x)).Contains("pods"));
        Assert.Equal(new[] { "" }, Seq(At(podRule, "apiGroups")).Select(x => Str(x)));
        var verbs = Seq(At(podRule, "verbs")).Select(x => Str(x)).ToHashSet();
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "patch" }, verbs);
    }

    [Fact]
    public void The_portal_deployment_is_a_client_of_the_same_cluster()
    {
        var deployment = KubernetesDeployment("procurement-portal");
        var labels = Map(At(deployment, "spec", "template", "metadata", "labels"));
        // Orleans Kubernetes hosting lists the pods with the orleans/* labels as silos.
        Assert.DoesNotContain(labels.Keys, k => k.StartsWith("orleans/", StringComparison.Ordinal));
        var container = Assert.Single(Containers(deployment));
        var configMaps = Seq(At(container, "envFrom")).Select(e => Str(At(e, "configMapRef", "name"))).ToList();
        Assert.Contains("procurement-cluster", configMaps);
        Assert.DoesNotContain("procurement-silo", configMaps);
        var env = Seq(At(container, "env")).Select(e => Str(At(e, "name"))).ToList();
        Assert.Contains("ConnectionStrings__Orleans", env);
        Assert.DoesNotContain("ConnectionStrings__Procurement", env);
    }

    [Fact]
    public void Kubernetes_probes_use_the_live_and_ready_health_endpoints_on_the_http_port()
    {
        foreach (var name in new[] { "procurement-silo", "procurement-portal" })
        {
            var container = Assert.Single(Containers(KubernetesDeployment(name)));
            var ports = ContainerPorts(container);
            foreach (var (probe, path) in new[] { ("livenessProbe", LivePath), ("readinessProbe", ReadyPath), ("startupProbe", LivePath) })
            {
                var get = At(container, probe, "httpGet");
                Assert.True(get is not null, $"{name} has no {probe}.httpGet.");
                Assert.Equal(path, Str(At(get, "path")));
                var port = Str(At(get, "port"));
                Assert.Equal(HttpPort, int.TryParse(port, out var number) ? number : ports[port]);
            }
        }
    }

    [Fact]
    public void Kubernetes_services_select_the_deployments_and_reach_their_http_port()
    {
        var services = KubernetesDocuments().Where(d => Str(At(d.Document, "kind")) == "Service").Select(d => d.Document).ToList();
        Assert.Equal(new[] { "procurement-portal", "procurement-silo" }, services.Select(s => Str(At(s, "metadata", "name"))).Order());
        foreach (var service in services)
        {
            var selector = Map(At(service, "spec", "selector"));
            var deployment = Assert.Single(KubernetesDocuments(), d => Str(At(d.Document, "kind")) == "Deployment"
                && selector.All(s => Str(At(d.Document, "spec", "template", "metadata", "labels", s.Key)) == Str(s.Value))).Document;
            var ports = ContainerPorts(Assert.Single(Containers(deployment)));
            foreach (var port in Seq(At(service, "spec", "ports")))
            {
                var target = Str(At(port, "targetPort"));
                Assert.Equal(HttpPort, int.TryParse(target, out var number) ? number : ports[target]);
            }
        }
    }

    [Fact]
    public void Kubernetes_manifests_reference_the_secret_and_never_carry_one()
    {
        var kustomization = Map(Assert.Single(LoadYaml(Path.Combine(DeployDir, "k8s", "kustomization.yaml"))));
        var resources = Seq(kustomization["resources"]).Select(r => Str(r)).ToList();
        foreach (var resource in resources)
        {
            Assert.True(File.Exists(Path.Combine(DeployDir, "k8s", resource)), $"kustomization.yaml lists {resource}, which does not exist.");
            foreach (var doc in LoadYaml(Path.Combine(DeployDir, "k8s", resource)))
            {
                Assert.NotEqual("Secret", Str(At(doc, "kind")));
            }
        }
        Assert.DoesNotContain(resources, r => r.StartsWith("examples/", StringComparison.Ordinal));
        // Every file directly in deploy/k8s is applied by the kustomization (and nothing else is).
        var topLevel = Directory.EnumerateFiles(Path.Combine(DeployDir, "k8s"), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");
        Assert.Equal(topLevel.Order(), resources.Order());

        // What the workloads reference is what the example Secret shows.
        var example = Map(Assert.Single(LoadYaml(Path.Combine(DeployDir, "k8s", "examples", "secret.example.yaml"))));
        Assert.Equal("Secret", Str(example["kind"]));
        Assert.False(example.ContainsKey("data"), "The example Secret must use stringData placeholders, not data.");
        var secretName = Str(At(example, "metadata", "name"));
        var exampleKeys = Map(example["stringData"]).Keys.ToHashSet();
        var referenced = 0;
        foreach (var (file, doc) in KubernetesDocuments().Where(d => Str(At(d.Document, "kind")) is "Deployment" or "Job"))
        {
            foreach (var container in Containers(doc))
            {
                foreach (var env in Seq(At(container, "env") ?? new List<object?>()))
                {
                    Assert.True(At(env, "value") is null || !Regex.IsMatch(Str(At(env, "name")), "(?i)password|ConnectionStrings|_URI$"),
                        $"{file}: {Str(At(env, "name"))} has a literal value; take it from the Secret.");
                    if (At(env, "valueFrom", "secretKeyRef") is { } secretRef)
                    {
                        Assert.Equal(secretName, Str(At(secretRef, "name")));
                        Assert.Contains(Str(At(secretRef, "key")), exampleKeys);
                        referenced++;
                    }
                }
            }
        }
        Assert.True(referenced >= 4, "The silo, the portal and the schema job take their connection strings from the Secret.");
    }

    // ================================================================ cluster TLS and network

    private const string TlsMount = "/etc/procurement/tls";

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public void Compose_silos_and_portal_talk_mutual_tls_with_their_own_mounted_certificates(string file, string database, string provider, string invariant)
    {
        _ = (database, provider, invariant);
        var services = ComposeServices(file);
        var composeDir = Path.Combine(DeployDir, "compose");
        foreach (var (service, folder) in new[] { ("silo1", "certs/silo"), ("silo2", "certs/silo"), ("portal", "certs/portal") })
        {
            var env = ComposeEnvironment(Map(services[service]));
            Assert.Equal(ClusterTlsModes.Mutual, env["Orleans__Tls__Mode"]);
            var mounts = Seq(At(services[service], "volumes")).Select(v => Str(v).Split(':')).ToList();
            foreach (var setting in new[] { "Orleans__Tls__CertificatePath", "Orleans__Tls__KeyPath", "Orleans__Tls__CaPath" })
            {
                var path = env[setting];
                var mount = mounts.SingleOrDefault(m => path.StartsWith(m[1] + "/", StringComparison.Ordinal));
                Assert.True(mount is not null, $"{file} {service}: {setting}={path} is in no mounted folder.");
                Assert.Equal($"./{folder}", mount![0]);
                Assert.Equal("ro", mount.ElementAtOrDefault(2));
            }
            // The CA's key is never mounted.
            Assert.DoesNotContain(mounts, m => m[0] is "./certs" or "./certs/ca");
        }
        var script = Path.Combine(composeDir, "make-dev-certs.sh");
        Assert.True(File.Exists(script), "deploy/compose/make-dev-certs.sh is missing.");
        var text = File.ReadAllText(script);
        foreach (var made in new[] { "silo/tls.crt", "silo/tls.key", "silo/ca.crt", "portal/tls.crt", "portal/tls.key", "portal/ca.crt" })
        {
            var (who, name) = (made.Split('/')[0], made.Split('/')[1]);
            Assert.True(text.Contains($"{who}/{name}", StringComparison.Ordinal) || text.Contains($"$name/{name}", StringComparison.Ordinal),
                $"make-dev-certs.sh does not make {made}, which {file} mounts.");
        }
        Assert.Contains("certs/", File.ReadAllLines(Path.Combine(composeDir, ".gitignore")).Select(l => l.Trim()));
    }

    [Fact]
    public async Task The_dev_certificate_script_makes_certificates_the_silo_and_portal_accept()
    {
        if (!File.Exists("/usr/bin/openssl") || !File.Exists("/bin/bash"))
        {
            return; // The script needs openssl and bash; both are on the build machines.
        }
        // A copy in a temporary folder, so the repository's git-ignored certs/ is left alone.
        var folder = Path.Combine(Path.GetTempPath(), $"procurement-devcerts-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var script = Path.Combine(folder, "make-dev-certs.sh");
            File.Copy(Path.Combine(DeployDir, "compose", "make-dev-certs.sh"), script);
            using (var run = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/bash", script) { RedirectStandardError = true, RedirectStandardOutput = true })!)
            {
                var errors = run.StandardError.ReadToEndAsync();
                await run.StandardOutput.ReadToEndAsync();
                await run.WaitForExitAsync();
                Assert.True(run.ExitCode == 0, $"make-dev-certs.sh failed: {await errors}");
            }
            var trust = new ClusterCertificateTrust(ClusterCertificates.LoadAuthorities(new ClusterTlsOptions { CaPath = Path.Combine(folder, "certs", "silo", "ca.crt") }));
            foreach (var (who, usage) in new[] { ("silo", "1.3.6.1.5.5.7.3.1"), ("portal", "1.3.6.1.5.5.7.3.2") })
            {
                var tls = new ClusterTlsOptions
                {
                    CertificatePath = Path.Combine(folder, "certs", who, "tls.crt"),
                    KeyPath = Path.Combine(folder, "certs", who, "tls.key"),
                    CaPath = Path.Combine(folder, "certs", who, "ca.crt"),
                };
                Assert.Empty(ClusterCertificates.Problems(tls));
                using var certificate = ClusterCertificates.LoadOwn(tls);
                Assert.True(trust.Accepts(certificate, null));
                var usages = certificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages;
                Assert.Contains(usages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == usage);
            }
            Assert.False(File.Exists(Path.Combine(folder, "certs", "silo", "ca.key")), "The CA's key must not be in a mounted folder.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Kubernetes_silos_and_portals_mount_their_certificate_and_the_trust_bundle_the_settings_name()
    {
        var cluster = ConfigMapData("procurement-cluster");
        Assert.Equal(ClusterTlsModes.Mutual, cluster["Orleans__Tls__Mode"]);
        Assert.Equal("adonet", cluster["Orleans__Clustering"]);
        var certificates = KubernetesDocuments().Where(d => Str(At(d.Document, "kind")) == "Certificate")
            .ToDictionary(d => Str(At(d.Document, "spec", "secretName")), d => d.Document);
        foreach (var (deployment, secret, usages) in new[]
        {
            ("procurement-silo", "procurement-silo-tls", new[] { "server auth", "client auth" }),
            ("procurement-portal", "procurement-portal-tls", new[] { "client auth" }),
        })
        {
            var workload = KubernetesDeployment(deployment);
            var container = Assert.Single(Containers(workload));
            var volumes = Seq(At(workload, "spec", "template", "spec", "volumes")).Select(v => Map(v)).ToDictionary(v => Str(v["name"]));
            var mounts = Seq(At(container, "volumeMounts")).Select(m => Map(m)).ToList();
            string VolumeFor(string path)
            {
                var mount = mounts.SingleOrDefault(m => path.StartsWith(Str(m["mountPath"]) + "/", StringComparison.Ordinal));
                Assert.True(mount is not null, $"{deployment}: {path} is in no mounted volume.");
                Assert.Equal("true", Str(mount!["readOnly"]));
                return Str(mount["name"]);
            }
            foreach (var setting in new[] { "Orleans__Tls__CertificatePath", "Orleans__Tls__KeyPath" })
            {
                Assert.StartsWith(TlsMount + "/", cluster[setting], StringComparison.Ordinal);
                Assert.Equal(secret, Str(At(volumes[VolumeFor(cluster[setting])], "secret", "secretName")));
            }
            Assert.Equal("procurement-cluster-trust", Str(At(volumes[VolumeFor(cluster["Orleans__Tls__CaPath"])], "configMap", "name")));
            // The key is readable by the pod's group only, which is the image's user's.
            Assert.Equal("1654", Str(At(workload, "spec", "template", "spec", "securityContext", "fsGroup")));

            Assert.True(certificates.TryGetValue(secret, out var certificate), $"No cert-manager Certificate makes Secret {secret}.");
            Assert.Superset(usages.ToHashSet(), Seq(At(certificate, "spec", "usages")).Select(u => Str(u)).ToHashSet());
            Assert.Equal("tls.crt", Path.GetFileName(cluster["Orleans__Tls__CertificatePath"]));
            Assert.Equal("tls.key", Path.GetFileName(cluster["Orleans__Tls__KeyPath"]));
        }
    }

    [Fact]
    public void A_network_policy_admits_the_silo_and_gateway_ports_only_from_the_clusters_own_pods()
    {
        var silo = KubernetesDeployment("procurement-silo");
        var portal = KubernetesDeployment("procurement-portal");
        var siloLabels = Map(At(silo, "spec", "template", "metadata", "labels"));
        var portalLabels = Map(At(portal, "spec", "template", "metadata", "labels"));
        var ports = ContainerPorts(Assert.Single(Containers(silo)));
        static bool Selects(object? selector, Dictionary<string, object?> labels) =>
            Map(At(selector, "matchLabels") ?? new Dictionary<string, object?>()).All(l => labels.TryGetValue(l.Key, out var v) && Str(v) == Str(l.Value));

        var policy = Assert.Single(KubernetesDocuments(), d => Str(At(d.Document, "kind")) == "NetworkPolicy"
            && Selects(At(d.Document, "spec", "podSelector"), siloLabels)).Document;
        Assert.Contains("Ingress", Seq(At(policy, "spec", "policyTypes")).Select(t => Str(t)));
        var admitted = new Dictionary<int, List<string>> { [ports["silo"]] = [], [ports["gateway"]] = [] };
        foreach (var rule in Seq(At(policy, "spec", "ingress")))
        {
            var rulePorts = Seq(At(rule, "ports") ?? new List<object?>()).Select(p => Str(At(p, "port")))
                .Select(p => int.TryParse(p, out var number) ? number : ports[p]).ToList();
            var peers = Seq(At(rule, "from") ?? new List<object?>()).ToList();
            foreach (var port in admitted.Keys)
            {
                if (rulePorts.Count > 0 && !rulePorts.Contains(port))
                {
                    continue;
                }
                Assert.True(peers.Count > 0, $"An ingress rule admits port {port} from anywhere.");
                foreach (var peer in peers)
                {
                    Assert.True(Map(peer).Keys.SequenceEqual(["podSelector"]), $"Port {port} is admitted from something other than a pod of this namespace: {string.Join(", ", Map(peer).Keys)}.");
                    var selector = At(peer, "podSelector");
                    Assert.True(Map(At(selector, "matchLabels") ?? new Dictionary<string, object?>()).Count > 0, $"Port {port} is admitted from every pod.");
                    admitted[port].Add(Selects(selector, siloLabels) ? "silo" : Selects(selector, portalLabels) ? "portal" : "other");
                }
            }
        }
        Assert.Equal(["silo"], admitted[ports["silo"]].Distinct());
        Assert.Equal(["portal", "silo"], admitted[ports["gateway"]].Distinct().Order());
    }

    // ================================================================ secrets in files

    /// <summary>A value that is visibly not a real secret.</summary>
    private static bool IsPlaceholder(string value)
    {
        value = value.Trim('"', '\'', '\\', '`');
        return value.Length == 0
            || value.Contains("${", StringComparison.Ordinal)
            || value.Contains("$(", StringComparison.Ordinal)
            || value.StartsWith('$')
            || value == "change-me"
            || Regex.IsMatch(value, "^<[^>]+>$");
    }

    [Fact]
    public void No_committed_deploy_file_holds_something_that_looks_like_a_secret()
    {
        var files = Directory.EnumerateFiles(DeployDir, "*", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f))
            // The operator's own filled-in environment file is git-ignored and never committed.
            .Where(f => Path.GetFileName(f) != ".env")
            // So are the development certificates make-dev-certs.sh writes (compose/.gitignore: certs/).
            .Where(f => !Relative(f).StartsWith("deploy/compose/certs/", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        var findings = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                var where = $"{Relative(file)}:{i + 1}";
                // key=value, key: value (YAML), Password=... inside connection strings
                foreach (Match m in Regex.Matches(line, @"(?i)\b\w*(password|passwd|pwd)\w*[""']?[ \t]*(=|:(?=[ \t]))[ \t]*(?<value>[^\s;,]*)"))
                {
                    if (!IsPlaceholder(m.Groups["value"].Value))
                    {
                        findings.Add($"{where}: {m.Value}");
                    }
                }
                // scheme://user:password@host
                foreach (Match m in Regex.Matches(line, @"://[^:/@\s]+:(?<value>[^@\s]+)@"))
                {
                    if (!IsPlaceholder(m.Groups["value"].Value))
                    {
                        findings.Add($"{where}: {m.Value}");
                    }
                }
                if (Regex.IsMatch(line, "-----BEGIN [A-Z ]*PRIVATE KEY-----"))
                {
                    findings.Add($"{where}: a private key");
                }
            }
        }
        Assert.True(findings.Count == 0, "Committed files must use placeholders (${...}, change-me, <...>):\n" + string.Join('\n', findings));
    }

    [Fact]
    public void The_secret_check_catches_a_real_password()
    {
        Assert.False(IsPlaceholder("hunter2"));
        Assert.True(IsPlaceholder("${POSTGRES_PASSWORD:?set it}"));
        Assert.True(IsPlaceholder("change-me"));
        Assert.True(IsPlaceholder("<password>"));
        var line = "Host=db;Username=app;Password=S3cret!;";
        var m = Regex.Match(line, @"(?i)\b\w*(password|passwd|pwd)\w*[""']?[ \t]*(=|:(?=[ \t]))[ \t]*(?<value>[^\s;,]*)");
        Assert.Equal("S3cret!", m.Groups["value"].Value);
    }

    // ================================================================ Dockerfiles

    public static TheoryData<string, string, string> Dockerfiles => new()
    {
        // Dockerfile, published project, the assembly its ENTRYPOINT starts
        { "silo.Dockerfile", "Silo/Silo.csproj", "Procurement.Silo.dll" },
        { "portal.Dockerfile", "BidPortal/BidPortal.csproj", "Procurement.BidPortal.dll" },
    };

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_copies_what_exists_and_every_project_it_needs_before_restoring(string dockerfile, string project, string dll)
    {
        _ = dll;
        var instructions = ReadDockerfile(Path.Combine(DeployDir, "docker", dockerfile));
        var copies = instructions.Where(i => i.Keyword == "COPY").ToList();
        foreach (var source in copies.SelectMany(CopySources))
        {
            var path = PathOf(source.TrimEnd('/'));
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{dockerfile} copies {source}, which does not exist.");
        }

        var restore = instructions.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, $"{dockerfile} has no dotnet restore.");
        var beforeRestore = instructions.Take(restore).Where(i => i.Keyword == "COPY").SelectMany(CopySources).ToHashSet();
        Assert.Contains("Directory.Packages.props", beforeRestore);
        Assert.Contains("Directory.Build.props", beforeRestore);
        Assert.Contains(project, instructions[restore].Arguments, StringComparison.Ordinal);
        var all = copies.SelectMany(CopySources).Select(s => s.TrimEnd('/')).ToList();
        foreach (var csproj in ProjectClosure(project))
        {
            Assert.True(beforeRestore.Contains(csproj), $"{dockerfile} must copy {csproj} before dotnet restore.");
            var folder = Path.GetDirectoryName(csproj)!.Replace('\\', '/');
            Assert.True(all.Contains(folder), $"{dockerfile} never copies the folder {folder}/.");
            foreach (var outside in FoldersOutsideProject(csproj))
            {
                Assert.True(all.Any(s => outside == s || outside.StartsWith(s + "/", StringComparison.Ordinal)), $"{csproj} takes files from {outside}/, which {dockerfile} does not copy.");
            }
        }
        var publish = Assert.Single(instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains(project, publish.Arguments, StringComparison.Ordinal);
        Assert.Contains("-c Release", publish.Arguments, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_builds_on_the_sdk_runs_on_aspnet_as_a_non_root_user_and_starts_the_assembly(string dockerfile, string project, string dll)
    {
        var instructions = ReadDockerfile(Path.Combine(DeployDir, "docker", dockerfile));
        var framework = System.Xml.Linq.XDocument.Load(PathOf("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = framework.Replace("net", "", StringComparison.Ordinal);
        var froms = instructions.Where(i => i.Keyword == "FROM").ToList();
        Assert.True(froms.Count >= 2, $"{dockerfile} is not multi-stage.");
        Assert.Contains($"mcr.microsoft.com/dotnet/sdk:{version} ", froms[0].Arguments + " ", StringComparison.Ordinal);
        Assert.StartsWith($"mcr.microsoft.com/dotnet/aspnet:{version} ", froms[^1].Arguments + " ", StringComparison.Ordinal);

        var final = froms.Count - 1;
        var user = instructions.LastOrDefault(i => i.Keyword == "USER" && i.Stage == final);
        Assert.True(user is not null, $"{dockerfile}'s runtime stage sets no USER.");
        Assert.DoesNotContain(user!.Arguments.Split(':')[0], new[] { "root", "0" });

        var entrypoint = Assert.Single(instructions, i => i.Keyword == "ENTRYPOINT");
        var command = JsonArray(entrypoint.Arguments);
        Assert.Equal("dotnet", command[0]);
        Assert.Equal(dll, command[^1]);
        Assert.Equal(AssemblyName(project) + ".dll", command[^1]);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_ignore_file_lets_in_exactly_what_the_build_copies(string dockerfile, string project, string dll)
    {
        _ = (project, dll);
        var ignore = Path.Combine(DeployDir, "docker", dockerfile + ".dockerignore");
        Assert.True(File.Exists(ignore), $"{Relative(ignore)} is missing (BuildKit reads <Dockerfile>.dockerignore).");
        var rules = File.ReadAllLines(ignore).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", rules[0]);
        var allowed = rules.Where(r => r.StartsWith('!')).Select(r => r[1..].TrimEnd('/')).ToList();
        foreach (var source in ReadDockerfile(Path.Combine(DeployDir, "docker", dockerfile)).Where(i => i.Keyword == "COPY").SelectMany(CopySources))
        {
            var path = source.TrimEnd('/');
            Assert.True(allowed.Any(a => path == a || path.StartsWith(a + "/", StringComparison.Ordinal)), $"{Relative(ignore)} keeps {source} out of the build context.");
        }
        foreach (var excluded in new[] { "**/bin", "**/obj", "**/.env" })
        {
            Assert.Contains(excluded, rules);
        }
    }
}
