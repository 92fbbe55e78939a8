namespace STEM.Recommenders.Models;

/// <summary>The linear-layer work of one training sample (see <see cref="ModelCompute"/>).</summary>
/// <param name="Layers">Every linear layer, in module order.</param>
public sealed record ModelFlops(IReadOnlyList<LinearLayerWork> Layers)
{
    /// <summary>Forward FLOP per sample.</summary>
    public double ForwardPerSample => Layers.Sum(l => l.ForwardPerSample);

    /// <summary>Backward FLOP per sample: twice the forward (input and weight gradients).</summary>
    public double BackwardPerSample => 2 * ForwardPerSample;

    /// <summary>Training FLOP per sample: forward plus backward, three times the forward.</summary>
    public double TrainingPerSample => 3 * ForwardPerSample;

    /// <summary>Forward FLOP per sample of the expert pools' layers.</summary>
    public double ExpertForwardPerSample => Layers.Where(l => l.IsExpert).Sum(l => l.ForwardPerSample);

    /// <summary>The experts' share of the work, in [0, 1] (the rest is gates, towers and other linear layers).</summary>
    public double ExpertShare => ForwardPerSample == 0 ? 0 : ExpertForwardPerSample / ForwardPerSample;
}
