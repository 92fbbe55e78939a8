using System.Reflection;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;
using TorchSharp;

namespace STEM.Recommenders.Tests.Training;

/// <summary>Scalars that a module or an optimizer holds are freed when it is disposed, not by the finalizer.</summary>
public class ScalarOwnershipTests
{
    private static IEnumerable<Scalar> ScalarFields(object owner) =>
        owner.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
            .Where(f => f.FieldType == typeof(Scalar))
            .Select(f => (Scalar)f.GetValue(owner)!)
            .Where(s => s is not null);

    // Scalar.Handle is internal in TorchSharp 0.107 (and throws once disposed); Dispose zeroes the field behind it.
    private static IntPtr HandleOf(Scalar scalar) =>
        (IntPtr)typeof(Scalar).GetField("handle", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.GetValue(scalar)!;

    private static object Field(object owner, string name) =>
        owner.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(owner)!;

    [Theory]
    [InlineData(EmbeddingUpdate.RowSparse, "_sparseEmbeddings")]
    [InlineData(EmbeddingUpdate.Dense, "_denseEmbeddings")]
    public void Disposing_the_optimizer_frees_its_scalars_and_its_adam_coefficients(EmbeddingUpdate update, string embeddingOptimizer)
    {
        torch.manual_seed(1);
        using var model = new Mmoe(TinyData.Layout, TinyData.Tasks2, (MmoeOptions)TinyData.Small(Mmoe.Name));
        var optimizer = new MultiTaskOptimizer(model, new OptimizerOptions { EmbeddingUpdate = update, EmbeddingL2 = 1e-4, DenseL2 = 1e-5, GradientClipNorm = 5 });
        var scalars = ScalarFields(optimizer)
            .Concat(ScalarFields(Field(Field(optimizer, "_dense"), "_adam")))
            .Concat(ScalarFields(Field(Field(optimizer, embeddingOptimizer), "_adam")))
            .ToArray();
        scalars.Should().HaveCount(3 + 5 + 5);
        scalars.Should().OnlyContain(s => HandleOf(s) != IntPtr.Zero);

        optimizer.Dispose();

        scalars.Should().OnlyContain(s => HandleOf(s) == IntPtr.Zero, "every scalar is freed by Dispose");
    }

    [Fact]
    public void Disposing_an_embedding_bank_frees_its_scalar()
    {
        var bank = new EmbeddingBank("embeddings", TinyData.Layout, dim: 4, taskViews: 2);
        var scalar = ScalarFields(bank).Single();
        HandleOf(scalar).Should().NotBe(IntPtr.Zero);

        bank.Dispose();

        HandleOf(scalar).Should().Be(IntPtr.Zero);
    }
}
