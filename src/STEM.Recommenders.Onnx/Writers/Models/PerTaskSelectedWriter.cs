using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Writers.Models;

/// <summary>
/// Per-task model selection: each copy of the model written by its own writer with its weights under
/// "members.K.", then task t's probability column taken from the copy that predicts it.
/// </summary>
internal sealed class PerTaskSelectedWriter : IOnnxModelWriter
{
    public Type ModelType => typeof(PerTaskSelectedModel);

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
    {
        var selected = (PerTaskSelectedModel)model;
        var probabilities = new string[selected.Members.Count];
        for (var k = 0; k < probabilities.Length; k++)
        {
            var member = selected.Members[k];
            var writer = WriterRegistry.Model(member.GetType())
                ?? throw new OnnxExportException($"Cannot export model '{member.ModelName}' ({member.GetType().FullName}) to ONNX: no ONNX writer for this model type; register an IOnnxModelWriter with OnnxExporter.Register");
            using (graph.WeightScope($"members.{k}."))
            {
                probabilities[k] = writer.Write(graph, member, ids, weights);
            }
        }

        var columns = selected.TaskMembers
            .Select((member, task) => graph.Op("Slice", probabilities[member], graph.Longs(task), graph.Longs(task + 1), graph.Longs(1)))
            .ToArray();
        return ModelGraph.Concat(graph, columns, 1);
    }
}
