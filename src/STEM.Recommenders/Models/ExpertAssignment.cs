namespace STEM.Recommenders.Models;

/// <summary>
/// The expert order shared by STEM-Net, ME-MMoE, PLE and ME-PLE: each task's specific experts in task
/// order, then the shared experts. Task t's experts read view t; shared experts read the shared view T.
/// </summary>
internal static class ExpertAssignment
{
    /// <summary>For each expert, its owning task (-1 for shared) and the view it reads.</summary>
    public static (int[] Owners, int[] Views) For(int taskCount, int specificPerTask, int sharedExperts)
    {
        var owners = new List<int>();
        for (var t = 0; t < taskCount; t++)
        {
            owners.AddRange(Enumerable.Repeat(t, specificPerTask));
        }

        owners.AddRange(Enumerable.Repeat(-1, sharedExperts));
        return (owners.ToArray(), owners.Select(o => o == -1 ? taskCount : o).ToArray());
    }
}
