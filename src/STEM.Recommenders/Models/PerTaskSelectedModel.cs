using STEM.Recommenders.EncodedData;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// Per-task model selection: copies ("members") of one model, each holding the weights of an
/// evaluation at which some task's own validation metric peaked; task t's predictions come from
/// the member taken at task t's best evaluation. Tasks whose best evaluation coincides share a
/// member, so it holds between one and T copies of the weights and costs that many forward passes.
/// It reports the members' model name and options, so an artifact records it as that model plus
/// the task-to-member map (<see cref="TaskMembers"/>).
/// </summary>
public sealed class PerTaskSelectedModel : MultiTaskModel
{
    private readonly ModuleList<nn.Module> members = new();
    private readonly IMultiTaskModel[] _members;
    private readonly int[] _taskMembers;

    /// <summary>Wraps <paramref name="members"/>; the new model owns them.</summary>
    /// <param name="members">Models of one kind, layout, tasks and options.</param>
    /// <param name="taskMembers">For each task, the index of the member that predicts it; every member is used.</param>
    /// <exception cref="ArgumentException">The members differ, or the map does not fit them.</exception>
    public PerTaskSelectedModel(IReadOnlyList<IMultiTaskModel> members, IReadOnlyList<int> taskMembers)
        : base(First(members).ModelName, members[0].Layout, members[0].TaskNames, members[0].Options)
    {
        ArgumentNullException.ThrowIfNull(taskMembers);
        var first = members[0];
        foreach (var member in members)
        {
            if (member.ModelName != first.ModelName || !member.TaskNames.SequenceEqual(first.TaskNames) || member.Options != first.Options || member.Layout.DifferenceFrom(first.Layout, "a member", "the first member") is not null)
            {
                throw new ArgumentException("Every member must be the same model: name, tasks, options and layout.", nameof(members));
            }
        }

        if (taskMembers.Count != first.TaskNames.Count || taskMembers.Any(m => m < 0 || m >= members.Count) || taskMembers.Distinct().Count() != members.Count)
        {
            throw new ArgumentException($"The task-to-member map [{string.Join(", ", taskMembers)}] must give each of the {first.TaskNames.Count} tasks a member in 0..{members.Count - 1} and use every member.", nameof(taskMembers));
        }

        _members = members.ToArray();
        _taskMembers = taskMembers.ToArray();
        foreach (var member in _members)
        {
            this.members.Add(member.TorchModule);
        }

        RegisterComponents();
    }

    /// <summary>For each task, the index of the member that predicts it.</summary>
    public IReadOnlyList<int> TaskMembers => _taskMembers;

    /// <summary>The members, in index order.</summary>
    public IReadOnlyList<IMultiTaskModel> Members => _members;

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch)
    {
        var logits = _members.Select(m => m.Forward(batch).Logits).ToArray();
        return new MultiTaskOutput(cat(_taskMembers.Select((member, task) => logits[member].narrow(1, task, 1)).ToArray(), 1));
    }

    private static IMultiTaskModel First(IReadOnlyList<IMultiTaskModel> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("Give at least one member.", nameof(members));
        }

        return members[0];
    }
}
