using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;

namespace STEM.Recommenders.Package.Tests;

/// <summary>
/// Packs the library to a local folder feed, creates a fresh console project outside the repository
/// that references the package by version plus TorchSharp-cpu, trains a tiny model and scores a row.
/// </summary>
public class ConsumerSmokeTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void The_package_installs_in_a_fresh_project_trains_and_scores()
    {
        var work = Path.Combine(Path.GetTempPath(), "stem-consumer-" + Guid.NewGuid().ToString("N"));
        var feed = Path.Combine(work, "feed");
        var app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);

        // A version nobody has cached, so the consumer really restores what was just packed.
        var version = $"0.1.0-smoke.{DateTime.UtcNow:yyyyMMddHHmmss}{Random.Shared.Next(1000):000}";
        Run(Root, "dotnet", $"pack src/STEM.Recommenders/STEM.Recommenders.csproj -c Release -o \"{feed}\" -p:Version={version} -p:ContinuousIntegrationBuild=true");

        var package = Path.Combine(feed, $"STEM.Recommenders.{version}.nupkg");
        File.Exists(package).Should().BeTrue();
        File.Exists(Path.Combine(feed, $"STEM.Recommenders.{version}.snupkg")).Should().BeTrue("a symbols package is published alongside");
        using (var zip = ZipFile.OpenRead(package))
        {
            zip.Entries.Select(e => e.FullName).Should().Contain(["README.md", "lib/net10.0/STEM.Recommenders.dll", "lib/net10.0/STEM.Recommenders.xml"]);
            using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var xml = XDocument.Load(nuspec);
            XNamespace ns = xml.Root!.Name.Namespace;
            var metadata = xml.Root.Element(ns + "metadata")!;
            metadata.Element(ns + "license")!.Value.Should().Be("MIT");
            metadata.Element(ns + "readme")!.Value.Should().Be("README.md");
            metadata.Element(ns + "repository").Should().NotBeNull("SourceLink records the repository");
            var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToArray();
            dependencies.Should().Contain("TorchSharp");
            // System.IO.Hashing (the runtime's own CRC-32, vectorized) checks that a gzip input is whole.
            dependencies.Should().OnlyContain(
                d => d == "TorchSharp" || d == "System.IO.Hashing" || d.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal),
                "the library brings no native backend and no dependency beyond Microsoft's own");
        }

        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="STEM.Recommenders" Version="{version}" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using STEM.Recommenders.Datasets;
            using STEM.Recommenders.Models;
            using STEM.Recommenders.Runtime;
            using STEM.Recommenders.Serving;
            using STEM.Recommenders.Training;

            TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu });
            using var data = SyntheticMultiTaskGenerator.GenerateSplits(new SyntheticOptions { Rows = 2000 }).Encode();
            TorchSharp.torch.manual_seed(1);
            var model = new StemNet(data.Pipeline.Layout, data.Pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [16], GateUnits = [8], TowerUnits = [8], SharedExperts = 2 });
            var result = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 256 }).Fit(model, data.Train, data.Validation);
            using var artifact = ModelArtifact.Create(model, data.Pipeline);
            await artifact.SaveAsync("model.stem");
            using var predictor = await Predictor.LoadAsync("model.stem");
            var scores = predictor.Predict(new Dictionary<string, string?> { ["x0"] = "0.3", ["x1"] = "-1.2", ["category"] = "4" });
            Console.WriteLine($"SMOKE valid-auc={result.Best!.Validation.MeanAuc:F4} task0={scores["task0"]:F6}");
            """);

        var output = Run(app, "dotnet", "run -c Release");

        var line = output.Split('\n').Single(l => l.StartsWith("SMOKE ", StringComparison.Ordinal));
        var auc = double.Parse(line.Split(' ')[1].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        var score = double.Parse(line.Split(' ')[2].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        auc.Should().BeGreaterThan(0.6);
        score.Should().BeInRange(0, 1).And.NotBe(0).And.NotBe(1);
        Directory.Delete(work, recursive: true);
    }

    private static string Run(string directory, string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // The test host's MSBuild settings would leak into the child build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish in 8 minutes:\n{output}");
        }

        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"{file} {arguments} failed:\n{output}");
        return output.ToString();
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "STEM.Recommenders.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
