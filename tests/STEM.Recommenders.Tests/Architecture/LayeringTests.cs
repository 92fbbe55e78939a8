using System.Reflection;
using NetArchTest.Rules;
using STEM.Recommenders.Models;

namespace STEM.Recommenders.Tests.Architecture;

/// <summary>
/// Holds the one-way layering of docs/architecture.md. The rules read the compiled IL (NetArchTest,
/// over Mono.Cecil): signatures, fields, attributes and method bodies, lambdas and async state
/// machines included, so a fully qualified name or a <c>var</c> cannot slip past them as it would
/// past a look at the <c>using</c> lines.
/// </summary>
public class LayeringTests
{
    /// <summary>The layers of the core assembly, lowest first; a layer is a namespace under STEM.Recommenders and its children.</summary>
    public static IReadOnlyList<string> Order { get; } =
    [
        "Runtime", "Data", "EncodedData", "Features", "Datasets", "Modules", "Models",
        "Evaluation", "Training", "Pretraining", "Serving", "Hosting",
    ];

    private static readonly Assembly Core = typeof(ModelCatalog).Assembly;

    public static TheoryData<string> Layers => new(Order);

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_layer_depends_on_no_layer_above_it(string layer)
    {
        UpwardDependencies(layer, Order).Should().BeEmpty(
            $"{layer} sits below {string.Join(", ", Above(layer, Order))} (docs/architecture.md); move the type to the layer it belongs to");
    }

    /// <summary>
    /// The rule can fail: with the order reversed, each layer's real dependencies on the layers
    /// below it become upward ones, and the rule must name the types that have them.
    /// </summary>
    [Theory]
    [InlineData("Hosting", "STEM.Recommenders.Hosting.ExperimentRunner")]
    [InlineData("Serving", "STEM.Recommenders.Serving.ModelArtifact")]
    [InlineData("Training", "STEM.Recommenders.Training.Trainer")]
    [InlineData("Models", "STEM.Recommenders.Models.StemNet")]
    [InlineData("Datasets", "STEM.Recommenders.Datasets.KuaiRandPreset")]
    [InlineData("Features", "STEM.Recommenders.Features.FeaturePipeline")]
    public void The_rule_reports_known_dependencies_when_the_order_is_reversed(string layer, string type)
    {
        var reversed = Order.Reverse().ToArray();

        UpwardDependencies(layer, reversed).Should().Contain(type);
    }

    [Fact]
    public void Every_type_of_the_core_assembly_belongs_to_one_layer()
    {
        // Compiler-emitted helpers (<Module>, <PrivateImplementationDetails>, embedded attributes)
        // are not the project's code; everything else must be in a layer, or a new namespace
        // would escape the rules above.
        var strays = Types.InAssembly(Core)
            .That().ResideInNamespaceMatching(@"^STEM\.Recommenders(\.|$)")
            .And().DoNotResideInNamespaceMatching(Pattern(Order))
            .GetTypes().Select(t => t.FullName).ToArray();

        strays.Should().BeEmpty("every namespace of the core assembly is a layer of docs/architecture.md");
    }

    [Fact]
    public void The_core_package_references_no_package_built_on_it()
    {
        string[] above = ["STEM.Recommenders.Parquet", "STEM.Recommenders.Scaling", "STEM.Recommenders.Reporting", "STEM.Recommenders.PyTorch", "STEM.Recommenders.Cli", "TorchSharp.PyBridge"];

        Core.GetReferencedAssemblies().Select(a => a.Name).Should().NotContain(above);
        Types.InAssembly(Core).ShouldNot().HaveDependencyOnAny(above).GetResult().FailingTypeNames.Should().BeNullOrEmpty();
    }

    [Fact]
    public void The_add_on_packages_reference_the_core_and_not_each_other_or_the_cli()
    {
        // By name: the test project references both packages, so they sit beside it.
        var parquet = Assembly.Load("STEM.Recommenders.Parquet");
        var scaling = Assembly.Load("STEM.Recommenders.Scaling");
        var pytorch = Assembly.Load("STEM.Recommenders.PyTorch");

        parquet.GetReferencedAssemblies().Select(a => a.Name).Should().Contain(Core.GetName().Name).And.NotContain(["STEM.Recommenders.Scaling", "STEM.Recommenders.Cli"]);
        scaling.GetReferencedAssemblies().Select(a => a.Name).Should().Contain(Core.GetName().Name).And.NotContain(["STEM.Recommenders.Parquet", "STEM.Recommenders.Cli"]);
        pytorch.GetReferencedAssemblies().Select(a => a.Name).Should().Contain([Core.GetName().Name, "TorchSharp.PyBridge"]).And.NotContain(["STEM.Recommenders.Parquet", "STEM.Recommenders.Scaling", "STEM.Recommenders.Cli"]);
    }

    /// <summary>The full names of the types of <paramref name="layer"/> that depend on a layer above it in <paramref name="order"/>.</summary>
    private static IReadOnlyList<string> UpwardDependencies(string layer, IReadOnlyList<string> order)
    {
        var above = Above(layer, order).Select(l => $"STEM.Recommenders.{l}").ToArray();
        if (above.Length == 0)
        {
            return [];
        }

        var result = Types.InAssembly(Core)
            .That().ResideInNamespaceMatching(Pattern([layer]))
            .ShouldNot().HaveDependencyOnAny(above)
            .GetResult();
        return result.FailingTypeNames ?? [];
    }

    private static IEnumerable<string> Above(string layer, IReadOnlyList<string> order) => order.SkipWhile(l => l != layer).Skip(1);

    /// <summary>
    /// Matches the namespaces of the layers and their children. A plain prefix would not do:
    /// "STEM.Recommenders.Data" is a prefix of "STEM.Recommenders.Datasets".
    /// </summary>
    private static string Pattern(IEnumerable<string> layers) => $@"^STEM\.Recommenders\.({string.Join('|', layers)})(\.|$)";
}
